//! `GET /api/v1/health` (the process is alive) and `GET /api/v1/ready` (its dependencies answer).

use crate::error::ApiError;
use crate::live::redis_link::RedisLink;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// Liveness answer.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok", "version": "0.1.0"}))]
pub struct Health {
    /// Always `ok`.
    status: &'static str,
    /// The server's version.
    version: &'static str,
}

/// Always answers while the process serves requests.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "health",
    responses((status = 200, description = "The process is alive.", body = Health)),
)]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// One dependency's state.
#[derive(Serialize, ToSchema)]
pub struct Check {
    /// `database` or `redis`.
    name: &'static str,
    /// Whether it answered.
    ok: bool,
    /// What went wrong, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    error: Option<String>,
}

/// Readiness answer.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "checks": [{"name": "database", "ok": true}]}))]
pub struct Readiness {
    /// Always `ready` (a failing dependency answers 503 with the error body).
    status: &'static str,
    /// Each dependency checked.
    checks: Vec<Check>,
}

/// How long a dependency may take to answer a readiness probe.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 when the database (and Redis, when configured) answer; 503 naming what does not.
#[utoipa::path(
    get,
    path = "/api/v1/ready",
    tag = "health",
    responses((status = 200, description = "Every dependency answers.", body = Readiness)),
)]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    let mut checks = Vec::new();
    let database = match tokio::time::timeout(CHECK_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: database check failed");
            Some("the database does not answer".to_string())
        }
        Err(_) => Some("the database did not answer in time".to_string()),
    };
    checks.push(Check {
        name: "database",
        ok: database.is_none(),
        error: database,
    });
    if let Some(link) = &state.redis {
        let redis = match tokio::time::timeout(CHECK_TIMEOUT, ping_redis(link)).await {
            Ok(Ok(())) => None,
            Ok(Err(error)) => {
                tracing::warn!(%error, "readiness: redis check failed");
                Some("Redis does not answer".to_string())
            }
            Err(_) => Some("Redis did not answer in time".to_string()),
        };
        checks.push(Check {
            name: "redis",
            ok: redis.is_none(),
            error: redis,
        });
    }
    if checks.iter().all(|check| check.ok) {
        Ok(Json(Readiness {
            status: "ready",
            checks,
        }))
    } else {
        let failing: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
        Err(
            ApiError::unavailable(format!("not ready: {} unavailable", failing.join(", ")))
                .with_details(serde_json::to_value(&checks).unwrap_or_default()),
        )
    }
}

/// PING over the instance's shared connection: a probe every few seconds from each load
/// balancer must not open (and leave in TIME_WAIT) a connection of its own each time.
async fn ping_redis(link: &RedisLink) -> redis::RedisResult<()> {
    let mut connection = link.connection().await?;
    redis::cmd("PING")
        .query_async::<String>(&mut connection)
        .await?;
    Ok(())
}
