//! Load test of `/ws/data`: N WebSocket clients on one instance, each expected to receive every
//! update; prints the delivery delay (receive time − the update's `ts`, its publish time)
//! percentiles and how many clients got every update.
//!
//! `cargo run -p server --example ws_load -- ws://127.0.0.1:8000/ws/data 1000 20`
//! (URL, clients, seconds of measurement). `scripts/bench/ws_load.sh` starts an instance and
//! runs this against it.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// What one client saw: every price update's identity and its delay in microseconds.
struct Seen {
    updates: Vec<((String, DateTime<Utc>), i64)>,
    error: Option<String>,
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "ws://127.0.0.1:8000/ws/data".to_string());
    let clients: usize = args
        .next()
        .map_or(1000, |n| n.parse().expect("clients: a number"));
    let seconds: u64 = args
        .next()
        .map_or(20, |n| n.parse().expect("seconds: a number"));

    // Connect everyone first, a few at a time so the listen backlog is not overrun.
    let mut sockets = Vec::with_capacity(clients);
    let connect_started = std::time::Instant::now();
    for chunk in 0..clients.div_ceil(50) {
        let batch = (chunk * 50..clients.min(chunk * 50 + 50))
            .map(|_| tokio_tungstenite::connect_async(url.clone()));
        for result in futures::future::join_all(batch).await {
            match result {
                Ok((socket, _)) => sockets.push(socket),
                Err(error) => {
                    eprintln!("connect failed after {} clients: {error}", sockets.len());
                    std::process::exit(1);
                }
            }
        }
    }
    println!(
        "{clients} clients connected in {:.1} s",
        connect_started.elapsed().as_secs_f64()
    );
    let window_start = Utc::now() + chrono::Duration::milliseconds(500);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            tokio::spawn(async move {
                let mut seen = Seen {
                    updates: Vec::new(),
                    error: None,
                };
                loop {
                    let message = match tokio::time::timeout_at(deadline, socket.next()).await {
                        Err(_) => break,
                        Ok(None) => {
                            seen.error = Some("closed by the server".to_string());
                            break;
                        }
                        Ok(Some(Err(error))) => {
                            seen.error = Some(error.to_string());
                            break;
                        }
                        Ok(Some(Ok(message))) => message,
                    };
                    let received = Utc::now();
                    if let Message::Text(text) = message {
                        let Ok(json) = serde_json::from_str::<serde_json::Value>(text.as_str())
                        else {
                            continue;
                        };
                        if json["type"] != "price_update" {
                            continue;
                        }
                        let Some(ts) = json["ts"]
                            .as_str()
                            .and_then(|t| t.parse::<DateTime<Utc>>().ok())
                        else {
                            continue;
                        };
                        let symbol = json["symbol"].as_str().unwrap_or_default().to_string();
                        let delay = (received - ts).num_microseconds().unwrap_or(i64::MAX);
                        seen.updates.push(((symbol, ts), delay));
                    }
                }
                seen
            })
        })
        .collect();
    let mut results = Vec::with_capacity(clients);
    for task in tasks {
        results.push(task.await.expect("client task"));
    }
    // Only updates published after everyone listened and early enough to arrive in time count.
    let window_end = Utc::now() - chrono::Duration::seconds(2);
    let in_window = |ts: &DateTime<Utc>| *ts >= window_start && *ts <= window_end;
    let mut all: HashSet<(String, DateTime<Utc>)> = HashSet::new();
    let mut delays: Vec<i64> = Vec::new();
    for seen in &results {
        for (id, delay) in &seen.updates {
            if in_window(&id.1) {
                all.insert(id.clone());
                delays.push(*delay);
            }
        }
    }
    let mut complete = 0;
    let mut errors: HashMap<String, usize> = HashMap::new();
    for seen in &results {
        let mine: HashSet<_> = seen
            .updates
            .iter()
            .filter(|(id, _)| in_window(&id.1))
            .map(|(id, _)| id.clone())
            .collect();
        if mine.len() == all.len() {
            complete += 1;
        }
        if let Some(error) = &seen.error {
            *errors.entry(error.clone()).or_default() += 1;
        }
    }
    delays.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if delays.is_empty() {
            return f64::NAN;
        }
        let index = ((delays.len() - 1) as f64 * p).round() as usize;
        delays[index] as f64 / 1000.0
    };
    println!(
        "updates published in the window: {}; deliveries measured: {}",
        all.len(),
        delays.len()
    );
    println!("clients that received every update: {complete}/{clients}");
    println!(
        "delivery delay ms: p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
        percentile(0.50),
        percentile(0.90),
        percentile(0.99),
        percentile(1.0)
    );
    for (error, count) in errors {
        println!("{count} clients ended early: {error}");
    }
    if complete != clients || all.is_empty() {
        std::process::exit(2);
    }
}
