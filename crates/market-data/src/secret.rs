//! Strings that must never be shown: API keys and tokens, and a provider key together with
//! where the provider wants it sent.

use crate::provider::Request;
use crate::redact::MASK;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What a secret prints as, everywhere: the one mask of [`crate::redact`].
pub const REDACTED: &str = MASK;

/// An API key or token. Its `Debug`, `Display` and `Serialize` all print [`REDACTED`], so a
/// secret cannot reach a log line, an error message or `commodex config` by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether there is no secret at all: empty or only blanks (an empty
    /// `COMMODEX_..._API_KEY=` is no key).
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A key that looks like a number arrives from the environment as one; take it as text
        // rather than fail with an error that would quote it.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            Text(String),
            Unsigned(u64),
            Signed(i64),
            Float(f64),
        }
        Ok(Secret(match Given::deserialize(deserializer)? {
            Given::Text(text) => text,
            Given::Unsigned(number) => number.to_string(),
            Given::Signed(number) => number.to_string(),
            Given::Float(number) => number.to_string(),
        }))
    }
}

/// Where a provider wants its key: a query parameter or a header, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlacement {
    /// `?name=KEY`.
    Query(&'static str),
    /// `name: KEY`.
    Header(&'static str),
}

/// A provider's key and where it goes: it signs requests and scrubs itself out of texts, and
/// its `Debug` shows only the placement.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    secret: Secret,
    placement: KeyPlacement,
}

impl ApiKey {
    /// `value` sent as `placement` says.
    pub fn new(value: impl Into<String>, placement: KeyPlacement) -> Self {
        Self {
            secret: Secret::new(value),
            placement,
        }
    }

    /// The key itself, for fingerprints of the rate limiter.
    pub fn expose(&self) -> &str {
        self.secret.expose()
    }

    /// `request` with the key added where the provider wants it.
    pub fn sign(&self, request: Request) -> Request {
        match self.placement {
            KeyPlacement::Query(name) => request.with_query(name, self.secret.expose()),
            KeyPlacement::Header(name) => request.with_header(name, self.secret.expose()),
        }
    }

    /// A provider's text made safe to keep: the key and echoed keys masked, one line, short.
    pub fn scrub(&self, text: &str) -> String {
        crate::classify::sanitize_message(text, self.secret.expose())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("key", &self.secret)
            .field("placement", &self.placement)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_its_value() {
        let secret = Secret::new("sk-12345");
        assert_eq!(format!("{secret}"), REDACTED);
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(
            serde_json::to_string(&secret).unwrap(),
            format!("\"{REDACTED}\"")
        );
        assert_eq!(secret.expose(), "sk-12345");
    }

    #[test]
    fn numeric_secrets_are_taken_as_text() {
        let secret: Secret = serde_json::from_str("1234567890123").unwrap();
        assert_eq!(secret.expose(), "1234567890123");
        assert!(Secret::new("  ").is_blank());
    }

    #[test]
    fn api_keys_sign_where_the_provider_wants_them_and_never_print() {
        let query = ApiKey::new("K-1", KeyPlacement::Query("apikey"));
        let signed = query.sign(Request::get("/q"));
        assert_eq!(signed.query_value("apikey"), Some("K-1"));
        let header = ApiKey::new("K-2", KeyPlacement::Header("X-Api-Key"));
        assert_eq!(
            header.sign(Request::get("/q")).header_value("x-api-key"),
            Some("K-2")
        );
        assert!(!format!("{query:?}{header:?}").contains("K-"));
        assert_eq!(query.scrub("bad key K-1"), "bad key ***");
    }
}
