//! The dashboard: the files of `web/`, embedded in the binary at build time, served at `/`
//! with every other file under `/assets/<version>/`.
//!
//! `<version>` is a hash of the content of every embedded file, so a file's URL changes
//! whenever anything of the dashboard changes and the files can be cached for a year
//! (`immutable`). The page itself (`/`) is revalidated on every load through its ETag; it is
//! where the current version is written in. Keeping one version for the whole bundle rather
//! than one per file lets the ES modules import each other by relative path, unchanged.
//!
//! Text files are gzipped once, when the bundle is first loaded, and served compressed to
//! clients that accept gzip: the chart library alone is 5 MB raw and 1.6 MB gzipped, and
//! compressing it on every request would cost a core for most of a second.

use crate::error::{ApiError, ErrorKind};
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::sync::OnceLock;

/// The files of `web/` (read from disk in debug builds, embedded in release builds).
#[derive(RustEmbed)]
#[folder = "../../web/"]
struct WebFiles;

/// The page every view lives in; `%ASSETS%` in it becomes `/assets/<version>`.
const INDEX: &str = "index.html";

/// Files at least this big are worth compressing.
const COMPRESS_MIN_BYTES: usize = 1024;

/// One year, the longest cache lifetime browsers honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The routes of the dashboard: `/` and `/assets/<version>/<path>`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    // Hash and compress in the background now, so that the first visitor does not wait.
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn_blocking(bundle);
    }
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

/// One file ready to serve.
struct Asset {
    /// Its content as built (for the page: with the version written in).
    raw: Vec<u8>,
    /// Its gzipped content, when compressing pays.
    gzip: Option<Vec<u8>>,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// Its ETag, quoted, for the raw content (the gzipped one adds `-gz`).
    etag: String,
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
            let content_type = content_type(&path);
            let gzip = (is_text(content_type) && raw.len() >= COMPRESS_MIN_BYTES)
                .then(|| gzip(&raw))
                .flatten();
            let etag = format!("\"{}\"", hex(&Sha256::digest(&raw)[..12]));
            let asset = Asset {
                raw,
                gzip,
                content_type,
                etag,
            };
            (path, asset)
        })
        .collect();
    Bundle { version, files }
}

/// `GET /`: the page, revalidated on every load so that it always names the current version.
async fn index(headers: HeaderMap) -> Response {
    match loaded().await.files.get(INDEX) {
        Some(page) => serve(page, &headers, "no-cache"),
        None => ApiError::new(ErrorKind::Internal, "the dashboard is not built in").into_response(),
    }
}

/// `GET /assets/<version>/<path>`: a file of the current version, cacheable for good.
async fn asset(Path((version, path)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let bundle = loaded().await;
    // Another version's URL would pin this content under the wrong name for a year.
    let found = (version == bundle.version)
        .then(|| bundle.files.get(&path))
        .flatten()
        .filter(|_| path != INDEX);
    match found {
        Some(asset) => serve(asset, &headers, IMMUTABLE),
        None => ApiError::new(
            ErrorKind::NotFound,
            "no such dashboard file in this version; reload the page",
        )
        .into_response(),
    }
}

/// The bundle, loading it off the async threads if it is not ready yet.
async fn loaded() -> &'static Bundle {
    tokio::task::spawn_blocking(bundle)
        .await
        .unwrap_or_else(|_| bundle())
}

fn serve(asset: &Asset, request: &HeaderMap, cache_control: &'static str) -> Response {
    let compressed = asset.gzip.as_ref().filter(|_| accepts_gzip(request));
    let etag = match compressed {
        Some(_) => format!("{}-gz\"", asset.etag.trim_end_matches('"')),
        None => asset.etag.clone(),
    };
    let mut response = if if_none_match(request, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = compressed.unwrap_or(&asset.raw).clone();
        (StatusCode::OK, Body::from(body)).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if compressed.is_some() {
        // The compression layer leaves a response that already has an encoding alone.
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// Whether `Accept-Encoding` allows gzip (`gzip` or `*`, not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let Some(accept) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let refused = parts.any(|param| {
            param
                .strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

/// Whether the client's cached copy (`If-None-Match`) is `etag`.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == etag || tag == "*")
        })
}

fn gzip(raw: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(raw.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(raw).ok()?;
    let compressed = encoder.finish().ok()?;
    (compressed.len() < raw.len()).then_some(compressed)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt" | "md") | None => "text/plain; charset=utf-8",
        Some(_) => "application/octet-stream",
    }
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type == "application/json"
        || content_type == "image/svg+xml"
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        let accepts = |value| accepts_gzip(&headers(header::ACCEPT_ENCODING, value));
        assert!(accepts("gzip, deflate, br, zstd"));
        assert!(accepts("br;q=1.0, gzip;q=0.5"));
        assert!(accepts("*"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("br, identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn if_none_match_matches_strong_weak_and_lists() {
        let matches = |value, etag| if_none_match(&headers(header::IF_NONE_MATCH, value), etag);
        assert!(matches("\"abc\"", "\"abc\""));
        assert!(matches("W/\"abc\"", "\"abc\""));
        assert!(matches("\"x\", \"abc\"", "\"abc\""));
        assert!(!matches("\"abc\"", "\"abc-gz\""));
    }

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
