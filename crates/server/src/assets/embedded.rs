//! Files compiled into the binary, each prepared once for serving: its content type, its
//! gzipped form and its ETag. The dashboard and the API docs page serve their files through
//! this, so both send compressed bytes made at start rather than per request (the Swagger
//! bundle is 1.7 MB raw) and answer `If-None-Match` with 304.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::io::Write;

/// Files at least this big are worth compressing.
const COMPRESS_MIN_BYTES: usize = 1024;

/// One file ready to serve.
pub struct Asset {
    /// Its content as built.
    pub raw: Vec<u8>,
    /// Its gzipped content, when compressing pays.
    pub gzip: Option<Vec<u8>>,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its ETag, quoted, for the raw content (the gzipped one adds `-gz`).
    etag: String,
}

impl Asset {
    /// Prepares the file at `path` (whose extension gives its type) with content `raw`:
    /// compressed when it is text and compressing makes it smaller.
    pub fn new(path: &str, raw: Vec<u8>) -> Self {
        let content_type = content_type(path);
        let gzip = (is_text(content_type) && raw.len() >= COMPRESS_MIN_BYTES)
            .then(|| gzip(&raw))
            .flatten();
        let etag = format!("\"{}\"", hex(&Sha256::digest(&raw)[..12]));
        Self {
            raw,
            gzip,
            content_type,
            etag,
        }
    }

    /// The answer to a `GET` with `request`'s headers: 304 when the client's copy is current,
    /// else the gzipped bytes when the client takes gzip, else the raw ones.
    pub fn serve(&self, request: &HeaderMap, cache_control: &'static str) -> Response {
        let compressed = self.gzip.as_ref().filter(|_| accepts_gzip(request));
        let etag = match compressed {
            Some(_) => format!("{}-gz\"", self.etag.trim_end_matches('"')),
            None => self.etag.clone(),
        };
        let mut response = if if_none_match(request, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let body = compressed.unwrap_or(&self.raw).clone();
            (StatusCode::OK, Body::from(body)).into_response()
        };
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
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
}

/// `prepare`'s result, computed on a blocking thread the first time (hashing and compressing
/// megabytes would stall an async worker) and shared afterwards.
pub async fn prepared<T: Sync>(prepare: fn() -> &'static T) -> &'static T {
    tokio::task::spawn_blocking(prepare)
        .await
        .unwrap_or_else(|_| prepare())
}

/// Starts `prepare` in the background when called inside a runtime, so that the first
/// visitor does not wait for it.
pub fn prepare_soon<T: Sync + 'static>(prepare: fn() -> &'static T) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn_blocking(prepare);
    }
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
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        // LICENSE, NOTICE and the like have no extension.
        Some("txt" | "md") | None => "text/plain; charset=utf-8",
        Some(_) => "application/octet-stream",
    }
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type == "application/json"
        || content_type == "image/svg+xml"
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
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
    fn types_come_from_the_file_name_and_text_is_compressed() {
        assert_eq!(
            content_type("swagger-ui/LICENSE"),
            "text/plain; charset=utf-8"
        );
        assert!(content_type("vendor/x.min.js").starts_with("text/javascript"));
        let text = Asset::new("a.css", b"body { margin: 0 } ".repeat(200));
        assert!(text.gzip.as_ref().is_some_and(|g| g.len() < text.raw.len()));
        let image = Asset::new("a.png", vec![7; 4096]);
        assert!(image.gzip.is_none());
    }
}
