//! Shared helpers for the binary's integration tests: a private working directory, sample
//! files, and a way to run `commodex` in it with the testing profile.

#![allow(dead_code)] // Each test file uses its own subset of the helpers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary working directory (so no `./config` of the repository is read) and data dir.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

/// What one run of the binary produced.
pub struct Run {
    /// The exit status was success.
    pub success: bool,
    /// Standard output as text.
    pub stdout: String,
    /// Standard error as text.
    pub stderr: String,
}

impl Sandbox {
    /// A fresh, empty sandbox.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// The sandbox's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to `name` inside the sandbox and returns its path.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write sample file");
        path
    }

    /// Runs `commodex ARGS` in the sandbox with the testing profile.
    pub fn run(&self, args: &[&str]) -> Run {
        let output: Output = Command::new(env!("CARGO_BIN_EXE_commodex"))
            .args(args)
            .current_dir(self.dir.path())
            .env("COMMODEX_PROFILE", "testing")
            .env("COMMODEX_DATA_DIR", self.dir.path().join("data"))
            .output()
            .expect("run commodex");
        Run {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// A deterministic price walk: `len` prices from 100 with small, varied daily moves.
pub fn price_walk(len: usize, seed: u64) -> Vec<f64> {
    // A small linear congruential generator: no dependency, same numbers everywhere.
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut price = 100.0;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            price *= 1.0 + (unit - 0.5) * 0.04;
            // Round to cents as a real file would, and keep the text exact.
            (price * 100.0_f64).round() / 100.0
        })
        .collect()
}

/// ISO dates, one per day from 2024-01-01.
pub fn dates(len: usize) -> Vec<String> {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date");
    (0..len)
        .map(|i| (start + chrono::Days::new(i as u64)).to_string())
        .collect()
}

/// A Yahoo-style OHLCV file of `len` rows, and its close column.
pub fn yahoo_csv(len: usize) -> (String, Vec<f64>) {
    let closes = price_walk(len, 7);
    let mut text = String::from("Date,Open,High,Low,Close,Adj Close,Volume\n");
    let mut previous = closes[0];
    for (date, close) in dates(len).iter().zip(&closes) {
        let open = previous;
        let high = open.max(*close) + 0.25;
        let low = open.min(*close) - 0.25;
        text.push_str(&format!(
            "{date},{open},{high},{low},{close},{close},{}\n",
            1000 + (close * 10.0) as u64
        ));
        previous = *close;
    }
    (text, closes)
}

/// A plain `date,close` file of `len` rows, and its closes.
pub fn close_csv(len: usize) -> (String, Vec<f64>) {
    let closes = price_walk(len, 11);
    let mut text = String::from("date,close\n");
    for (date, close) in dates(len).iter().zip(&closes) {
        text.push_str(&format!("{date},{close}\n"));
    }
    (text, closes)
}

/// A wide table `date,GOLD,WTI,COPPER` of `len` rows; COPPER misses its first five values.
pub fn wide_csv(len: usize) -> String {
    let gold = price_walk(len, 1);
    let wti = price_walk(len, 2);
    let copper = price_walk(len, 3);
    let mut text = String::from("date,GOLD,WTI,COPPER\n");
    for (i, date) in dates(len).iter().enumerate() {
        let copper = if i < 5 {
            String::new()
        } else {
            copper[i].to_string()
        };
        text.push_str(&format!("{date},{},{},{copper}\n", gold[i], wti[i]));
    }
    text
}

/// Splits one CSV line into fields, honouring double quotes (headers like `"macd(12,26,9).macd"`).
pub fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}
