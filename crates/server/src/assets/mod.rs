//! The dashboard: the files of `web/`, embedded in the binary at build time, served at `/`
//! with every other file under `/assets/<version>/`.
//!
//! `<version>` is a hash of the content of every embedded file, so a file's URL changes
//! whenever anything of the dashboard changes and the files can be cached for a year
//! (`immutable`). The page itself (`/`) is revalidated on every load through its ETag; it is
//! where the current version is written in. Keeping one version for the whole bundle rather
//! than one per file lets the ES modules import each other by relative path, unchanged.
//!
//! Text files are gzipped once, when the bundle is first loaded ([`embedded`]), and served
//! compressed to clients that accept gzip: the chart library alone is 5 MB raw and 1.6 MB
//! gzipped, and compressing it on every request would cost a core for most of a second.

pub mod embedded;

use crate::error::{ApiError, ErrorKind};
use axum::Router;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use embedded::{Asset, hex, prepare_soon, prepared};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The files of `web/` (read from disk in debug builds, embedded in release builds).
#[derive(RustEmbed)]
#[folder = "../../web/"]
struct WebFiles;

/// The page every view lives in; `%ASSETS%` in it becomes `/assets/<version>`.
const INDEX: &str = "index.html";

/// One year, the longest cache lifetime browsers honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The routes of the dashboard: `/` and `/assets/<version>/<path>`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    prepare_soon(bundle);
    Router::new()
        .route("/", get(index))
        .route("/assets/{version}/{*path}", get(asset))
}

/// The dashboard bundle, loaded, hashed and compressed once.
struct Bundle {
    /// Hex hash of every file's path and content.
    version: String,
    /// Every file by its path under `web/`.
    files: HashMap<String, Asset>,
}

fn bundle() -> &'static Bundle {
    static BUNDLE: OnceLock<Bundle> = OnceLock::new();
    BUNDLE.get_or_init(load_bundle)
}

fn load_bundle() -> Bundle {
    let mut paths: Vec<String> = WebFiles::iter().map(|path| path.into_owned()).collect();
    paths.sort();
    let mut contents = Vec::with_capacity(paths.len());
    let mut bundle_hash = Sha256::new();
    for path in paths {
        let Some(file) = WebFiles::get(&path) else {
            continue;
        };
        bundle_hash.update(path.as_bytes());
        bundle_hash.update(file.metadata.sha256_hash());
        contents.push((path, file.data.into_owned()));
    }
    let version = hex(&bundle_hash.finalize()[..8]);
    let files = contents
        .into_iter()
        .map(|(path, mut raw)| {
            if path == INDEX {
                raw = String::from_utf8_lossy(&raw)
                    .replace("%ASSETS%", &format!("/assets/{version}"))
                    .into_bytes();
            }
            let asset = Asset::new(&path, raw);
            (path, asset)
        })
        .collect();
    Bundle { version, files }
}

/// `GET /`: the page, revalidated on every load so that it always names the current version.
async fn index(headers: HeaderMap) -> Response {
    match prepared(bundle).await.files.get(INDEX) {
        Some(page) => page.serve(&headers, "no-cache"),
        None => ApiError::new(ErrorKind::Internal, "the dashboard is not built in").into_response(),
    }
}

/// `GET /assets/<version>/<path>`: a file of the current version, cacheable for good.
async fn asset(Path((version, path)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let bundle = prepared(bundle).await;
    // Another version's URL would pin this content under the wrong name for a year.
    let found = (version == bundle.version)
        .then(|| bundle.files.get(&path))
        .flatten()
        .filter(|_| path != INDEX);
    match found {
        Some(asset) => asset.serve(&headers, IMMUTABLE),
        None => ApiError::new(
            ErrorKind::NotFound,
            "no such dashboard file in this version; reload the page",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_the_bundle_version_and_text_is_compressed() {
        let bundle = load_bundle();
        let page = String::from_utf8(bundle.files[INDEX].raw.clone()).unwrap();
        assert!(!page.contains("%ASSETS%"));
        assert!(page.contains(&format!("/assets/{}/", bundle.version)));
        let script = &bundle.files["app.js"];
        assert!(script.content_type.starts_with("text/javascript"));
        let chart_library = &bundle.files["vendor/plotly/plotly-strict.min.js"];
        let gzip = chart_library
            .gzip
            .as_ref()
            .expect("the chart library is gzipped");
        assert!(gzip.len() * 2 < chart_library.raw.len());
    }
}
