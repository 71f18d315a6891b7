//! `/api/docs`: Swagger UI over our OpenAPI document, served from the binary.
//!
//! The files are compiled in with `include_bytes!` (see `docs-assets/README.md` for where the
//! vendored ones come from), so the page works with no internet at build or run time. The
//! initializer is a file of its own because the Content-Security-Policy forbids inline scripts.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file: its name under `/api/docs/`, its content type and its bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Every file the page needs; nothing else is served under `/api/docs/`.
const ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../docs-assets/index.html"),
    },
    Asset {
        name: "init.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../docs-assets/init.js"),
    },
    Asset {
        name: "docs.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../docs-assets/docs.css"),
    },
    Asset {
        name: "swagger-ui-bundle.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../docs-assets/swagger-ui/swagger-ui-bundle.js"),
    },
    Asset {
        name: "swagger-ui.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../docs-assets/swagger-ui/swagger-ui.css"),
    },
    Asset {
        name: "favicon-32x32.png",
        content_type: "image/png",
        bytes: include_bytes!("../docs-assets/swagger-ui/favicon-32x32.png"),
    },
    Asset {
        name: "LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../docs-assets/swagger-ui/LICENSE"),
    },
];

/// The docs page and its files, on any state.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/api/docs", get(index))
        .route("/api/docs/", get(index))
        .route("/api/docs/{file}", get(file))
}

async fn index() -> Response {
    serve("index.html")
}

async fn file(Path(name): Path<String>) -> Response {
    serve(&name)
}

fn serve(name: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            // The files change only with the binary; an hour spares reloading 1.7 MB.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}
