//! The deployment files under `deploy/` say what the application expects of them: nginx
//! retries only requests an instance could not answer, passes the client address, and the
//! instances behind it count that address in their per-client rate limit.

use figment::Figment;
use figment::providers::{Format, Yaml};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy")
        .join(name)
}

/// The nginx directives named `name` (comments removed), each as its list of arguments.
fn nginx_directives(text: &str, name: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter_map(|line| {
            let mut words = line.trim_end_matches(';').split_whitespace();
            (words.next() == Some(name)).then(|| words.map(str::to_string).collect())
        })
        .collect()
}

#[test]
fn nginx_retries_and_fails_an_instance_only_when_it_does_not_answer() {
    let text = std::fs::read_to_string(deploy_file("nginx.conf")).unwrap();
    let retries = nginx_directives(&text, "proxy_next_upstream");
    assert!(!retries.is_empty(), "no proxy_next_upstream in nginx.conf");
    for conditions in &retries {
        // A status listed here would also count towards max_fails: the app's own 502 and 503
        // (every provider failed, the database away) must neither move the request nor mark
        // a healthy instance failed.
        for condition in conditions {
            assert!(
                ["error", "timeout", "off"].contains(&condition.as_str()),
                "proxy_next_upstream lists `{condition}`: {conditions:?}"
            );
        }
    }
    let proxied = nginx_directives(&text, "proxy_pass").len();
    let forwarded: Vec<_> = nginx_directives(&text, "proxy_set_header")
        .into_iter()
        .filter(|arguments| arguments.first().is_some_and(|h| h == "X-Forwarded-For"))
        .collect();
    assert_eq!(
        forwarded.len(),
        proxied,
        "every location passes X-Forwarded-For"
    );
    for arguments in forwarded {
        // Appending the peer address makes the last entry the one nginx saw, which is the one
        // the server trusts.
        assert_eq!(arguments[1], "$proxy_add_x_forwarded_for", "{arguments:?}");
    }
}

/// `${NAME:-default}` as its default and `${NAME:?message}` as `required`, as compose would
/// with those variables unset but the required ones given.
fn interpolate(value: &str, required: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("a closed ${...}") + start;
        let inner = &rest[start + 2..end];
        if let Some((_, default)) = inner.split_once(":-") {
            out.push_str(default);
        } else {
            let name = inner.split(":?").next().unwrap_or(inner);
            out.push_str(required.get(name).expect("a value for a required variable"));
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn compose_instances_count_the_forwarded_client_in_their_rate_limit() {
    let environment: BTreeMap<String, String> =
        Figment::from(Yaml::file(deploy_file("compose.yaml")))
            .extract_inner("x-commodex.environment")
            .unwrap();
    let required = BTreeMap::from([("COMMODEX_API_TOKEN", "compose-test-token-0123456789")]);
    let sandbox = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_commodex"));
    command.arg("config").current_dir(sandbox.path());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("COMMODEX_")) {
        command.env_remove(name);
    }
    for (name, value) in &environment {
        command.env(name, interpolate(value, &required));
    }
    // The instances' own settings, loaded as they would load them: the variable's name and
    // value must reach `server.trust_forwarded_for`, or the limit counts nginx as one client.
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("trust_forwarded_for = true"), "{stdout}");
    assert!(stdout.contains("rate_limit_per_client = "), "{stdout}");
}
