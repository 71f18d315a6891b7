//! `/api/docs`: Swagger UI over our OpenAPI document, served from the binary.
//!
//! The files of `docs-assets/` are embedded at build time (see `docs-assets/README.md` for
//! where the vendored ones come from), so the page works with no internet at build or run
//! time, and they are served like the dashboard's ([`crate::assets::embedded`]): gzipped once,
//! with an ETag. The initializer is a file of its own because the Content-Security-Policy
//! forbids inline scripts.

use crate::assets::embedded::{Asset, prepare_soon, prepared};
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The page's files (read from disk in debug builds, embedded in release builds).
#[derive(RustEmbed)]
#[folder = "docs-assets/"]
struct DocFiles;

/// The files change only with the binary; an hour spares reloading 1.7 MB, and the ETag makes
/// a reload after that a 304.
const CACHE_CONTROL: &str = "public, max-age=3600";

/// The docs page and its files, on any state.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    prepare_soon(files);
    Router::new()
        .route("/api/docs", get(index))
        .route("/api/docs/", get(index))
        .route("/api/docs/{file}", get(file))
}

/// Every file by the name the page asks for it under `/api/docs/`.
fn files() -> &'static HashMap<String, Asset> {
    static FILES: OnceLock<HashMap<String, Asset>> = OnceLock::new();
    FILES.get_or_init(|| {
        DocFiles::iter()
            // The README is for maintainers, not served.
            .filter(|path| path != "README.md")
            .filter_map(|path| {
                let file = DocFiles::get(&path)?;
                // The page names Swagger's files flat, as swagger-ui-dist ships them; they sit
                // in a folder of their own here only to keep the vendored files apart.
                let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                Some((name, Asset::new(&path, file.data.into_owned())))
            })
            .collect()
    })
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers).await
}

async fn file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    serve(&name, &headers).await
}

async fn serve(name: &str, headers: &HeaderMap) -> Response {
    match prepared(files).await.get(name) {
        Some(asset) => asset.serve(headers, CACHE_CONTROL),
        // The error envelope turns the bare 404 into the API's error body.
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
