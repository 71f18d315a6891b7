//! A replay server for provider tests: an axum app on 127.0.0.1:0 that answers each request with
//! the next scripted reply (the last one repeats) and records what it was asked and when.

#![allow(dead_code)]

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Reply {
    /// HTTP 200 with a JSON body.
    pub fn ok(body: Vec<u8>) -> Self {
        Self::status(200, body)
    }

    /// Any status with a body.
    pub fn status(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
            delay: Duration::ZERO,
        }
    }

    /// Adds (or replaces) a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Waits this long before answering (a hanging server).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// One request as the server saw it.
struct Hit {
    at: Instant,
    uri: String,
    headers: Vec<(String, String)>,
}

struct Script {
    replies: Mutex<VecDeque<Reply>>,
    hits: Mutex<Vec<Hit>>,
}

/// A running replay server.
pub struct ReplayServer {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    script: Arc<Script>,
}

impl ReplayServer {
    /// Every request's path and query, in arrival order.
    pub fn hits(&self) -> Vec<String> {
        self.script
            .hits
            .lock()
            .unwrap()
            .iter()
            .map(|hit| hit.uri.clone())
            .collect()
    }

    /// Every request's headers (lower-case names), in arrival order.
    pub fn hit_headers(&self) -> Vec<Vec<(String, String)>> {
        self.script
            .hits
            .lock()
            .unwrap()
            .iter()
            .map(|hit| hit.headers.clone())
            .collect()
    }

    /// When each request arrived.
    pub fn hit_times(&self) -> Vec<Instant> {
        self.script
            .hits
            .lock()
            .unwrap()
            .iter()
            .map(|hit| hit.at)
            .collect()
    }
}

/// A fixture body from `tests/fixtures/`.
pub fn fixture(relative: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn answer(State(script): State<Arc<Script>>, uri: Uri, headers: HeaderMap) -> Response {
    script.hits.lock().unwrap().push(Hit {
        at: Instant::now(),
        uri: uri.to_string(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
    });
    let reply = {
        let mut replies = script.replies.lock().unwrap();
        if replies.len() > 1 {
            replies.pop_front().unwrap()
        } else {
            replies.front().cloned().expect("at least one reply")
        }
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            HeaderName::try_from(name).unwrap(),
            HeaderValue::try_from(value).unwrap(),
        );
    }
    response
}

/// Starts a replay server answering with `replies` in order, the last one repeating.
pub async fn spawn_replay(replies: Vec<Reply>) -> ReplayServer {
    let script = Arc::new(Script {
        replies: Mutex::new(replies.into()),
        hits: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .fallback(answer)
        .with_state(Arc::clone(&script));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    ReplayServer { base_url, script }
}

/// Fails when more than `max` of `times` fall within any window of `per`. A 20 ms tolerance
/// absorbs the difference between when the limiter granted a slot and when the request arrived.
pub fn assert_at_most_per_window(times: &[Instant], max: usize, per: Duration) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let window = per.saturating_sub(Duration::from_millis(20));
    for (i, start) in sorted.iter().enumerate() {
        let inside = sorted[i..]
            .iter()
            .take_while(|t| t.duration_since(*start) < window)
            .count();
        assert!(
            inside <= max,
            "{inside} requests within {window:?} starting at request {i}"
        );
    }
}
