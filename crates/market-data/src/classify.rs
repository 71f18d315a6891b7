//! Helpers shared by the providers' `classify` methods: reading `Retry-After`, telling JSON from
//! HTML, mapping HTTP statuses, and making a provider's message safe to show and log.

use crate::provider::Outcome;
use serde_json::Value;
use std::time::Duration;

/// Longest provider message kept in an [`Outcome`], in characters: enough to tell errors apart,
/// short enough for one log line.
pub const MAX_MESSAGE_CHARS: usize = 200;

/// The value of the first header called `name` (case-insensitive).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// The wait a `Retry-After` header asks for, when given in seconds. The HTTP-date form is not
/// read: it needs a clock, and none of our providers is known to send it.
pub fn retry_after(headers: &[(String, String)]) -> Option<Duration> {
    header(headers, "retry-after")?
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Makes a provider's text safe to keep: replaces every occurrence of the configured key, and
/// the token after "API key as" (Alpha Vantage's daily-cap text echoes the key there), with
/// `***`; folds it onto one line and cuts it to [`MAX_MESSAGE_CHARS`].
pub fn sanitize_message(text: &str, api_key: &str) -> String {
    let cleaned = redact_echoed_key(&crate::redact::scrub(text, &[api_key]));
    let one_line: String = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > MAX_MESSAGE_CHARS {
        let cut: String = one_line.chars().take(MAX_MESSAGE_CHARS).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

/// Replaces the word after "api key as " (any case) with `***`, whatever the key is: a body may
/// echo a key other than the configured one (a rotated key, a proxy's key).
fn redact_echoed_key(text: &str) -> String {
    const MARKER: &str = "api key as ";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest_start = 0;
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find(MARKER) {
        let key_start = search_from + found + MARKER.len();
        let key_len = text[key_start..]
            .find(|c: char| c.is_whitespace() || c == ',' || c == '"')
            .unwrap_or(text.len() - key_start);
        out.push_str(&text[rest_start..key_start]);
        out.push_str(crate::redact::MASK);
        rest_start = key_start + key_len;
        search_from = rest_start;
    }
    out.push_str(&text[rest_start..]);
    out
}

/// Whether `text` contains any of `needles`, ignoring ASCII case.
pub fn mentions_any(text: &str, needles: &[&str]) -> bool {
    let lower = text.to_ascii_lowercase();
    needles.iter().any(|n| lower.contains(n))
}

/// Reads the body as JSON, or says in a short, key-free sentence what it is instead (never
/// quoting it: an HTML error page could carry the request URL with the key).
pub fn read_json(body: &[u8]) -> Result<Value, Outcome> {
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return Err(Outcome::Malformed {
            description: "empty body".to_string(),
        });
    }
    match serde_json::from_slice::<Value>(trimmed) {
        Ok(value) => Ok(value),
        Err(_) => Err(Outcome::Malformed {
            description: describe_non_json(trimmed),
        }),
    }
}

/// A short description of a body that is not JSON.
pub fn describe_non_json(body: &[u8]) -> String {
    let head: Vec<u8> = body
        .iter()
        .take(64)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let head = String::from_utf8_lossy(&head);
    if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head") {
        format!("an HTML page ({} bytes) instead of JSON", body.len())
    } else if head.starts_with('<') {
        format!(
            "an XML or HTML document ({} bytes) instead of JSON",
            body.len()
        )
    } else {
        format!("{} bytes of text that is not JSON", body.len())
    }
}

/// The outcome an HTTP status alone decides, if any: 429 (throttled), 5xx (upstream). Other
/// statuses need the body to be read first.
pub fn outcome_from_status(
    status: u16,
    headers: &[(String, String)],
    message: &str,
) -> Option<Outcome> {
    match status {
        429 => Some(Outcome::Throttled {
            retry_after: retry_after(headers),
            quota_exhausted: false,
            message: message.to_string(),
        }),
        500..=599 => Some(Outcome::Upstream {
            status,
            message: message.to_string(),
        }),
        _ => None,
    }
}

/// The outcome of a 4xx status whose body said nothing more precise: 401 and 403 mean the key,
/// 402 the plan, 404 an unknown symbol, the rest a bad request.
pub fn outcome_from_client_error(status: u16, message: String) -> Outcome {
    match status {
        401 | 403 => Outcome::BadKey { message },
        402 => Outcome::Entitlement { message },
        404 => Outcome::UnknownSymbol { message },
        _ => Outcome::BadRequest { message },
    }
}

/// The first string field among `keys` in a JSON object.
pub fn string_field<'a>(value: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
}

/// A best-effort readable text of a body for messages: its UTF-8, lossy.
pub fn body_text(body: &[u8]) -> String {
    String::from_utf8_lossy(body.trim_ascii()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_redacts_configured_key_and_echoed_key() {
        let text = "We have detected your API key as ZZZ999 and key SECRET1 again SECRET1";
        let out = sanitize_message(text, "SECRET1");
        assert!(!out.contains("ZZZ999"));
        assert!(!out.contains("SECRET1"));
        assert!(out.contains("API key as *** and"));
    }

    #[test]
    fn sanitize_cuts_long_messages_to_one_line() {
        let text = format!("a\nb {}", "x".repeat(500));
        let out = sanitize_message(&text, "");
        assert!(!out.contains('\n'));
        assert!(out.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn retry_after_reads_seconds_in_any_header_case() {
        let headers = vec![("Retry-After".to_string(), " 17 ".to_string())];
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(17)));
        let date = vec![(
            "retry-after".to_string(),
            "Wed, 21 Oct 2015 07:28:00 GMT".to_string(),
        )];
        assert_eq!(retry_after(&date), None);
    }

    #[test]
    fn read_json_describes_html_without_quoting_it() {
        let html = b"<!DOCTYPE html><html><body>https://x/?apikey=SECRET</body></html>";
        let Err(Outcome::Malformed { description }) = read_json(html) else {
            panic!("expected Malformed");
        };
        assert!(description.contains("HTML"));
        assert!(!description.contains("SECRET"));
    }
}
