//! The benchmark's baseline: a bare axum handler answering every GET with a fixed body, read
//! once from a file (scripts/bench/api_prices.sh gives it the very bytes our
//! `/api/v1/prices` answers, so that both serve the same size).
//!
//! Usage: `bare_axum ADDR FILE`, e.g. `bare_axum 127.0.0.1:8101 body.json`.

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(address), Some(file)) = (args.next(), args.next()) else {
        return Err("usage: bare_axum ADDR FILE".into());
    };
    let body = Bytes::from(std::fs::read(&file)?);
    let app = Router::new().fallback(get(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body) }
    }));
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("bare_axum listening on http://{address}");
    axum::serve(listener, app).await?;
    Ok(())
}
