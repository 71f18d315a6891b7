//! What a service can fail with, in the domain's words: the HTTP answer for each is decided
//! once, in `crate::error`.

use serde::Serialize;
use std::sync::Arc;

/// One problem with a portfolio a client sent: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// The field, as `assets[2].weight`.
    pub field: String,
    /// What is wrong, as a phrase (`must be a positive number`).
    pub problem: String,
}

/// Why a service could not answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is wrong: the sentence says how; `details` carries the known values.
    #[error("{message}")]
    Invalid {
        /// The sentence for the user.
        message: String,
        /// Structured help (known sources, known indicators), when useful.
        details: Option<serde_json::Value>,
    },
    /// A portfolio breaks one or more rules; every problem is reported at once.
    #[error("{}", portfolio_sentence(.0))]
    InvalidPortfolio(Vec<Problem>),
    /// The analytics refused the input (too few returns, bad weights, a bound passed).
    #[error(transparent)]
    Analytics(#[from] analytics::AnalyticsError),
    /// What was asked for does not exist, and nothing could fetch it.
    #[error("{message}")]
    NotFound {
        /// The sentence for the user.
        message: String,
        /// What was tried, when anything was.
        details: Option<serde_json::Value>,
    },
    /// Providers failed and nothing stored could stand in.
    #[error("{message}")]
    Upstream {
        /// The sentence for the user, key-free.
        message: String,
        /// What happened at each source.
        details: Option<serde_json::Value>,
    },
    /// A named source refused for now (throttle, spent quota).
    #[error("{0}")]
    RateLimited(String),
    /// A source is misconfigured (missing or rejected key).
    #[error("{0}")]
    Config(String),
    /// The database failed: a missing row, or an unavailable database.
    #[error(transparent)]
    Database(Arc<store::StoreError>),
    /// A computation panicked or was cancelled.
    #[error("the computation failed")]
    Computation,
}

impl Error {
    /// A wrong request, said in one sentence.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            details: None,
        }
    }

    /// A wrong request with structured help.
    pub fn invalid_with(message: impl Into<String>, details: serde_json::Value) -> Self {
        Error::Invalid {
            message: message.into(),
            details: Some(details),
        }
    }

    /// Whether the request itself was wrong (as opposed to something failing behind it).
    pub fn is_invalid(&self) -> bool {
        matches!(
            self,
            Error::Invalid { .. } | Error::InvalidPortfolio(_) | Error::Analytics(_)
        )
    }
}

impl From<store::StoreError> for Error {
    fn from(error: store::StoreError) -> Self {
        Error::Database(Arc::new(error))
    }
}

fn portfolio_sentence(problems: &[Problem]) -> String {
    match problems {
        [one] => format!("the portfolio is not valid: {} {}", one.field, one.problem),
        many => format!(
            "the portfolio is not valid: {} problems, see details",
            many.len()
        ),
    }
}

/// Runs CPU-bound work on the blocking pool, so that the async threads keep serving.
pub async fn blocking<T, F>(work: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(%error, "a computation panicked or was cancelled");
        Error::Computation
    })?
}
