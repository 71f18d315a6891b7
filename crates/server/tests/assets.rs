//! The dashboard's files as the server gives them: the page at `/`, everything else under a
//! versioned URL, cached for good, gzipped once, revalidated by ETag.

use crate::common;

use common::{assert_error, spawn_app};

/// The `src`/`href` URLs under `/assets/` in the page.
fn asset_urls(page: &str) -> Vec<String> {
    page.split(['"', '\''])
        .filter(|part| part.starts_with("/assets/"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_page_is_revalidated_and_names_versioned_assets() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(headers["cache-control"], "no-cache");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let page = response.text().await.unwrap();
    assert!(!page.contains("%ASSETS%"));
    let urls = asset_urls(&page);
    assert!(urls.iter().any(|url| url.ends_with("/app.js")), "{urls:?}");
    assert!(
        urls.iter().any(|url| url.ends_with("plotly-strict.min.js")),
        "{urls:?}"
    );
    // No script in the page itself: every <script> has a src.
    for tag in page.split("<script").skip(1) {
        let open = &tag[..tag.find('>').unwrap()];
        assert!(
            open.contains("src=\"/assets/"),
            "inline script: <script{open}>"
        );
    }

    let etag = headers["etag"].to_str().unwrap().to_string();
    let again = app
        .client
        .get(app.url("/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn assets_are_immutable_and_served_gzipped_once_compressed() {
    let app = spawn_app().await;
    let page = app.get("/").await.text().await.unwrap();
    let urls = asset_urls(&page);
    let library = urls
        .iter()
        .find(|url| url.ends_with("plotly-strict.min.js"))
        .unwrap();

    let raw = app.get(library).await;
    assert_eq!(raw.status(), 200);
    assert_eq!(
        raw.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(raw.headers().get("content-encoding").is_none());
    let raw_bytes = raw.bytes().await.unwrap().len();

    let gzipped = app
        .client
        .get(app.url(library))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert!(
        gzipped.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let gzip_bytes = gzipped.bytes().await.unwrap().len();
    assert!(
        gzip_bytes * 2 < raw_bytes,
        "{gzip_bytes} gzipped of {raw_bytes}"
    );

    let module = urls.iter().find(|url| url.ends_with("/app.js")).unwrap();
    let views = module.replace("/app.js", "/views/prices.js");
    let response = app.get(&views).await;
    assert_eq!(
        response.status(),
        200,
        "modules import each other under the same version"
    );
}

#[tokio::test]
async fn another_version_or_an_unknown_file_is_a_json_not_found() {
    let app = spawn_app().await;
    let response = app.get("/assets/0000000000000000/app.js").await;
    assert_error(
        response,
        404,
        "not_found",
        "/assets/0000000000000000/app.js",
    )
    .await;
    let page = app.get("/").await.text().await.unwrap();
    let module = asset_urls(&page)
        .into_iter()
        .find(|url| url.ends_with("/app.js"))
        .unwrap();
    let missing = module.replace("/app.js", "/nope.js");
    assert_error(app.get(&missing).await, 404, "not_found", &missing).await;
}
