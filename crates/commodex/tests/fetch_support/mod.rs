//! Helpers for `commodex fetch` tests: a replay server standing in for a provider, and a way to
//! run the binary against it with a fresh data dir.

#![allow(dead_code)]

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The key every test configures, so that leaks are easy to look for.
pub const KEY: &str = "SUPERSECRET-KEY-424242";

/// A replay server answering every request with one status and body, recording the requests.
pub struct Replay {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Replay {
    /// Path and query of every request received.
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

#[derive(Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
    hits: Arc<Mutex<Vec<String>>>,
}

async fn answer(State(answer): State<Answer>, uri: Uri) -> Response {
    answer.hits.lock().unwrap().push(uri.to_string());
    (
        StatusCode::from_u16(answer.status).unwrap(),
        [("content-type", "application/json")],
        answer.body.clone(),
    )
        .into_response()
}

/// Starts a replay server on 127.0.0.1:0 answering `status` and `body` to everything.
pub async fn spawn_replay(status: u16, body: Vec<u8>) -> Replay {
    let hits = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new().fallback(answer).with_state(Answer {
        status,
        body,
        hits: Arc::clone(&hits),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Replay { base_url, hits }
}

/// A provider fixture from the market-data crate's `tests/fixtures/`.
pub fn fixture(relative: &str) -> Vec<u8> {
    let path = repo_root()
        .join("crates/market-data/tests/fixtures")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The workspace root, where `config/` lives.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What one run of the binary produced.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `commodex` from the repo root with the testing profile, `data_dir`, and `env`.
pub async fn commodex(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_commodex"));
    command
        .current_dir(repo_root())
        .args(args)
        .env("COMMODEX_PROFILE", "testing")
        .env("COMMODEX_DATA_DIR", data_dir)
        .env_remove("COMMODEX_REDIS_URL")
        .env_remove("COMMODEX_DATABASE_URL");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file under `dir`, recursively, as text.
pub fn read_all_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(read_all_files(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    found
}
