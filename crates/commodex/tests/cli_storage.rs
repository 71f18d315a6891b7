//! The storage commands through the real binary: import, export, config, and an import
//! killed in the middle.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A scratch folder to run the binary in: no `config/` there, so only built-in defaults and
/// the variables a test sets apply.
struct Sandbox {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data").display().to_string();
        Self {
            dir,
            env: vec![
                ("COMMODEX_PROFILE".into(), "testing".into()),
                ("COMMODEX_DATA_DIR".into(), data),
            ],
        }
    }

    fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_commodex"));
        command.args(args).current_dir(self.dir.path());
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("COMMODEX_")) {
            command.env_remove(key);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run commodex")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        stderr(output),
        stdout(output)
    );
}

const YAHOO: &str = "\u{feff}Date,Open,High,Low,Close,Adj Close,Volume\r\n\
2024-01-02,2060.1,2075.5,2055.0,2070.25,2070.25,1200\r\n\
2024-01-03,2070.25,2071.0,2035.5,2040.0,2040.0,\r\n\
\r\n\
2024-01-04,2040.0,2050.75,2038.0,2049.5,2049.5,900\r\n";

#[test]
fn import_then_export_round_trips_a_yahoo_file() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("gold.csv", YAHOO);
    let import = sandbox.run(&["import", file.to_str().unwrap(), "--symbol", "gold"]);
    assert_ok(&import);
    assert!(
        stdout(&import).contains("3 new, 0 updated, 0 unchanged, 0 skipped"),
        "{}",
        stdout(&import)
    );
    let export = sandbox.run(&["export", "--source", "csv", "--symbol", "GOLD"]);
    assert_ok(&export);
    assert_eq!(
        stdout(&export),
        "date,open,high,low,close,volume\n\
         2024-01-02,2060.1,2075.5,2055,2070.25,1200\n\
         2024-01-03,2070.25,2071,2035.5,2040,\n\
         2024-01-04,2040,2050.75,2038,2049.5,900\n"
    );
    let json = sandbox.run(&[
        "export",
        "--source",
        "csv",
        "--symbol",
        "GOLD",
        "--format",
        "json",
        "--start",
        "2024-01-03",
        "--end",
        "2024-01-03",
    ]);
    assert_ok(&json);
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let rows = rows.as_array().expect("an array of bars");
    assert_eq!(rows.len(), 1);
    let bar = &rows[0];
    assert_eq!(bar["date"], "2024-01-03");
    let number = |key: &str| bar[key].as_f64();
    assert_eq!(
        [
            number("open"),
            number("high"),
            number("low"),
            number("close")
        ],
        [Some(2070.25), Some(2071.0), Some(2035.5), Some(2040.0)]
    );
    assert!(bar["volume"].is_null());
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("gold.csv", YAHOO);
    assert_ok(&sandbox.run(&["import", file.to_str().unwrap(), "--symbol", "GOLD"]));
    let again = sandbox.run(&["import", file.to_str().unwrap(), "--symbol", "GOLD"]);
    assert_ok(&again);
    assert!(
        stdout(&again).contains("0 new, 0 updated, 3 unchanged"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn import_rejects_file_with_bad_row_atomically() {
    let sandbox = Sandbox::new();
    let good = sandbox.write("WTI.csv", "date,close\n2024-01-01,70.5\n2024-01-02,71\n");
    assert_ok(&sandbox.run(&["import", good.to_str().unwrap()]));
    let bad = sandbox.write(
        "WTI_more.csv",
        "date,close\n2024-01-01,99\n2024-01-03,72\n2024-01-04,7x2\n2024-01-05,73\n",
    );
    let failed = sandbox.run(&["import", bad.to_str().unwrap(), "--symbol", "WTI"]);
    assert!(!failed.status.success());
    let message = stderr(&failed);
    assert!(message.contains("WTI_more.csv"), "{message}");
    assert!(message.contains("line 4"), "{message}");
    assert!(message.contains("\"close\""), "{message}");
    assert!(
        message.contains("nothing from this file was stored"),
        "{message}"
    );
    let export = sandbox.run(&["export", "--source", "csv", "--symbol", "WTI"]);
    assert_eq!(
        stdout(&export),
        "date,open,high,low,close,volume\n2024-01-01,,,,70.5,\n2024-01-02,,,,71,\n",
        "the earlier rows are untouched and none of the bad file's rows are stored"
    );
}

#[test]
fn import_names_both_lines_of_a_conflicting_repeated_date() {
    let sandbox = Sandbox::new();
    let file = sandbox.write(
        "SILVER.csv",
        "DATE,VALUE\n2024-01-01,23.1\n2024-01-02,23.2\n2024-01-01,24.0\n",
    );
    let failed = sandbox.run(&["import", file.to_str().unwrap()]);
    assert!(!failed.status.success());
    let message = stderr(&failed);
    assert!(
        message.contains("line 2") && message.contains("line 4"),
        "{message}"
    );
}

#[test]
fn import_wide_gzip_table_stores_one_series_per_column_and_skips_missing() {
    let sandbox = Sandbox::new();
    let path = sandbox.path("prices.csv.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), Default::default());
    encoder
        .write_all(b"date,GOLD,WTI\n1/2/2024,2070,70.4\n1/3/2024,.,71.2\n1/4/2024,2049,\n")
        .unwrap();
    encoder.finish().unwrap();
    let import = sandbox.run(&["import", path.to_str().unwrap()]);
    assert_ok(&import);
    assert!(stdout(&import).contains("4 new"), "{}", stdout(&import));
    assert!(stdout(&import).contains("2 skipped"), "{}", stdout(&import));
    let wti = sandbox.run(&["export", "--source", "csv", "--symbol", "WTI"]);
    assert_eq!(
        stdout(&wti),
        "date,open,high,low,close,volume\n2024-01-02,,,,70.4,\n2024-01-03,,,,71.2,\n"
    );
    let symbol_on_wide = sandbox.run(&["import", path.to_str().unwrap(), "--symbol", "X"]);
    assert!(!symbol_on_wide.status.success());
    assert!(stderr(&symbol_on_wide).contains("wide table"));
}

#[test]
fn export_writes_to_a_file_and_explains_an_unknown_series() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("gold.csv", YAHOO);
    assert_ok(&sandbox.run(&["import", file.to_str().unwrap(), "--symbol", "GOLD"]));
    let out = sandbox.path("out.csv");
    assert_ok(&sandbox.run(&[
        "export",
        "--source",
        "csv",
        "--symbol",
        "GOLD",
        "--output",
        out.to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 4);
    let unknown = sandbox.run(&["export", "--source", "csv", "--symbol", "NOPE"]);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("nothing is stored for csv/NOPE"));
    let bad_date = sandbox.run(&[
        "export",
        "--source",
        "csv",
        "--symbol",
        "GOLD",
        "--start",
        "2024-13-01",
    ]);
    // A usage error (clap's exit code 2) naming the flag, the value and what was expected.
    assert_eq!(bad_date.status.code(), Some(2));
    let message = stderr(&bad_date);
    assert!(
        message.contains("'2024-13-01' for '--start <D>'")
            && message.contains("not a date: expected YYYY-MM-DD"),
        "{message}"
    );
    let bad_interval = sandbox.run(&[
        "export",
        "--source",
        "csv",
        "--symbol",
        "GOLD",
        "--interval",
        "hourly",
    ]);
    assert_eq!(bad_interval.status.code(), Some(2));
    assert!(
        stderr(&bad_interval).contains("unknown interval 'hourly': expected one of"),
        "{}",
        stderr(&bad_interval)
    );
}

#[test]
fn export_of_the_demo_source_works_offline() {
    let sandbox = Sandbox::new();
    let export = sandbox.run(&[
        "export",
        "--source",
        "demo",
        "--symbol",
        "WTI",
        "--start",
        "2024-03-04",
        "--end",
        "2024-03-08",
    ]);
    assert_ok(&export);
    let text = stdout(&export);
    assert_eq!(
        text.lines().count(),
        6,
        "a header and five business days:\n{text}"
    );
}

#[test]
fn config_prints_effective_settings_with_secrets_redacted() {
    let sandbox = Sandbox::new()
        .with_env("COMMODEX_SOURCES__FMP__API_KEY", "fmp-key-very-secret")
        .with_env("COMMODEX_API_TOKEN", "token-very-secret")
        .with_env(
            "COMMODEX_DATABASE_URL",
            "postgres://app:password-very-secret@db.example/commodex",
        )
        .with_env("COMMODEX_LIVE__POLL_INTERVAL_SECS", "7");
    let output = sandbox.run(&["config"]);
    assert_ok(&output);
    let text = stdout(&output);
    assert!(!text.contains("very-secret"), "{text}");
    assert!(text.contains("poll_interval_secs = 7"), "{text}");
    assert!(
        text.contains("postgres://app:***@db.example/commodex"),
        "{text}"
    );
    assert!(text.contains("api_key = \"***\""), "{text}");
}

#[test]
fn secrets_of_digits_start_and_are_never_echoed() {
    let output = Sandbox::new()
        .with_env("COMMODEX_API_TOKEN", "123456")
        .with_env("COMMODEX_SOURCES__FMP__API_KEY", "0987654321")
        .run(&["config"]);
    assert_ok(&output);
    let text = stdout(&output);
    assert!(
        !text.contains("123456") && !text.contains("987654321"),
        "{text}"
    );
    assert!(text.contains("api_token = \"***\""), "{text}");
    // The same digits given where a section belongs stop start-up without being repeated.
    let output = Sandbox::new()
        .with_env("COMMODEX_SOURCES__FMP", "0987654321")
        .run(&["config"]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("sources.fmp"), "{message}");
    assert!(!message.contains("987654321"), "{message}");
}

#[test]
fn config_reads_api_keys_yaml_and_files_in_order() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("config")).unwrap();
    sandbox.write("config/default.toml", "[live]\npoll_interval_secs = 11\n");
    sandbox.write("config/testing.toml", "[live]\npoll_interval_secs = 12\n");
    sandbox.write(
        "config/api_keys.yaml",
        "alpha_vantage: av-secret\nfmp:\n  api_key: fmp-secret\n",
    );
    let output = sandbox.run(&["config"]);
    assert_ok(&output);
    let text = stdout(&output);
    assert!(text.contains("poll_interval_secs = 12"), "{text}");
    assert!(!text.contains("secret"), "{text}");
    assert_eq!(text.matches("api_key = \"***\"").count(), 2, "{text}");
}

#[test]
fn bad_configuration_names_the_key_and_what_was_expected() {
    let cases = [
        (
            "COMMODEX_LIVE__POLL_INTERVAL_SECS",
            "soon",
            "live.poll_interval_secs",
        ),
        (
            "COMMODEX_SOURCES__FMP__RATE_LIMIT",
            "5/fortnight",
            "sources.fmp.rate_limit",
        ),
        ("COMMODEX_BIND", "not-an-address", "server.bind"),
        ("COMMODEX_DATABASE_URL", "mysql://x", "database.url"),
        ("COMMODEX_SOURCES__NOPE__ENABLED", "true", "sources.nope"),
    ];
    for (key, value, named) in cases {
        let output = Sandbox::new().with_env(key, value).run(&["config"]);
        assert!(!output.status.success(), "{key}={value} was accepted");
        assert!(
            stderr(&output).contains(named),
            "{key}: {}",
            stderr(&output)
        );
    }
    let production = Sandbox::new()
        .with_env("COMMODEX_PROFILE", "production")
        .run(&["serve"]);
    assert!(!production.status.success());
    let message = stderr(&production);
    assert!(
        message.contains("COMMODEX_DATABASE_URL")
            && message.contains("COMMODEX_REDIS_URL")
            && message.contains("COMMODEX_API_TOKEN"),
        "{message}"
    );
}

fn write_wide_file(path: &Path, days: usize, symbols: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(out, "date").unwrap();
    for s in 0..symbols {
        write!(out, ",S{s}").unwrap();
    }
    writeln!(out).unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
    for d in 0..days {
        write!(out, "{}", start + chrono::Days::new(d as u64)).unwrap();
        for s in 0..symbols {
            write!(out, ",{}.{}", 100 + s + d % 50, d % 97).unwrap();
        }
        writeln!(out).unwrap();
    }
}

fn stored_rows(sandbox: &Sandbox, symbol: &str) -> usize {
    let export = sandbox.run(&["export", "--source", "csv", "--symbol", symbol]);
    if export.status.success() {
        stdout(&export).lines().count() - 1
    } else {
        0
    }
}

#[test]
fn import_killed_in_the_middle_leaves_all_or_nothing() {
    let sandbox = Sandbox::new();
    let file = sandbox.path("big.csv");
    // 200,000 rows: the write-ahead log passes 256 KiB early in the import, and a debug build
    // still takes a while over the rest (the test imports it twice).
    let days = 20_000;
    write_wide_file(&file, days, 10);
    let mut child = sandbox
        .command(&["import", file.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the transaction is visibly under way (the write-ahead log grows), then kill.
    let wal = sandbox.path("data/commodex.db-wal");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if std::fs::metadata(&wal)
            .map(|m| m.len() > 256 * 1024)
            .unwrap_or(false)
        {
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().ok();
    let status = child.wait().unwrap();
    let rows: Vec<usize> = (0..10)
        .map(|s| stored_rows(&sandbox, &format!("S{s}")))
        .collect();
    if status.success() {
        assert!(rows.iter().all(|&n| n == days), "{rows:?}");
    } else {
        assert!(
            rows.iter().all(|&n| n == 0),
            "a killed import left a partial file: {rows:?}"
        );
    }
    // And a clean run afterwards stores everything.
    assert_ok(&sandbox.run(&["import", file.to_str().unwrap()]));
    assert_eq!(stored_rows(&sandbox, "S9"), days);
}

#[test]
#[ignore = "needs PostgreSQL"]
fn import_and_export_work_on_postgresql() {
    let admin = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let name = format!("commodex_cli_{}", std::process::id());
    let psql = |sql: &str| {
        let status = Command::new("psql")
            .args([admin.as_str(), "-q", "-c", sql])
            .status()
            .expect("psql");
        assert!(status.success(), "{sql}");
    };
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    psql(&format!("CREATE DATABASE {name}"));
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin);
    let sandbox = Sandbox::new().with_env("COMMODEX_DATABASE_URL", &format!("{base}/{name}"));
    let file = sandbox.write("gold.csv", YAHOO);
    let import = sandbox.run(&["import", file.to_str().unwrap(), "--symbol", "GOLD"]);
    let again = sandbox.run(&["import", file.to_str().unwrap(), "--symbol", "GOLD"]);
    let export = sandbox.run(&["export", "--source", "csv", "--symbol", "GOLD"]);
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    assert_ok(&import);
    assert!(stdout(&again).contains("0 new, 0 updated, 3 unchanged"));
    assert_eq!(stdout(&export).lines().count(), 4);
}

#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    use std::io::{BufRead, BufReader};
    // Without the demo source, `serve` does not first store its history (seconds in a debug
    // build): the start-up lines are all this test reads.
    let sandbox = Sandbox::new()
        .with_env("COMMODEX_LOGGING__LEVEL", "info")
        .with_env("COMMODEX_LOGGING__FORMAT", "pretty")
        .with_env("COMMODEX_LOGGING__FILES", "false")
        .with_env("COMMODEX_SOURCES__DEMO__ENABLED", "false");
    let mut child = sandbox
        .command(&["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start commodex serve");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut said = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        let listening = line.starts_with("commodex listening on");
        said.push(line);
        if listening {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = said.join("\n");
    assert!(text.contains("commodex is serving"), "{text}");
    assert!(!text.contains('\u{1b}'), "ANSI escape codes in:\n{text}");
}

#[test]
fn a_missing_file_names_the_os_error_once() {
    let sandbox = Sandbox::new();
    let commands: [&[&str]; 4] = [
        &["import", "absent.csv"],
        &["indicators", "absent.csv", "--indicator", "rsi"],
        &["metrics", "absent.csv"],
        &["simulate", "absent.csv", "--weights", "A=1"],
    ];
    for args in commands {
        let run = sandbox.run(args);
        assert!(!run.status.success(), "{args:?}");
        let message = stderr(&run);
        assert!(message.contains("absent.csv"), "{args:?}: {message}");
        assert_eq!(
            message.matches("No such file or directory").count(),
            1,
            "{args:?}: {message}"
        );
    }
}
