//! The small things a browser asks for: an icon, a stylesheet it may keep
//! for a year, and pages sent compressed.
use rocket::http::{Header, Status};

use crate::helpers::{spawn_app, EventSpec};

#[rocket::async_test]
async fn there_is_a_favicon_and_an_svg_icon_and_pages_point_to_both() {
    let app = spawn_app().await;
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status(), Status::Ok);
    assert_eq!(
        icon.content_type().map(|c| c.to_string()).as_deref(),
        Some("image/x-icon")
    );
    let bytes = icon.into_bytes().await.unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    assert_eq!(app.get("/static/icon.svg").await.status(), Status::Ok);
    let html = app.get("/").await.into_string().await.unwrap();
    assert!(html.contains(r#"<link rel="icon" href="/favicon.ico""#));
    assert!(html.contains(r#"href="/static/icon.svg" type="image/svg+xml""#));
}

#[rocket::async_test]
async fn the_stylesheet_has_a_versioned_address_that_may_be_cached_for_a_year() {
    let app = spawn_app().await;
    let html = app.get("/").await.into_string().await.unwrap();
    let href =
        regex::Regex::new(r#"<link rel="stylesheet" href="(/static/style\.css\?v=[0-9a-f]{12})">"#)
            .unwrap()
            .captures(&html)
            .map(|c| c[1].to_owned())
            .unwrap_or_else(|| panic!("a versioned stylesheet in {html}"));
    let css = app.get(&href).await;
    assert_eq!(css.status(), Status::Ok);
    assert_eq!(
        css.headers().get_one("Cache-Control"),
        Some("public, max-age=31536000, immutable")
    );
    let page = app.get("/").await;
    assert_eq!(
        page.headers().get_one("Cache-Control"),
        Some("no-store"),
        "pages are never cached"
    );
}

#[rocket::async_test]
async fn pages_and_the_stylesheet_travel_gzipped_to_clients_that_accept_it() {
    use std::io::Read;
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    for path in ["/events/partnerships-voor-meer-banen", "/static/style.css"] {
        let plain = app.get(path).await.into_bytes().await.unwrap();
        let response = app
            .client
            .get(path)
            .header(Header::new("Accept-Encoding", "br, gzip"))
            .dispatch()
            .await;
        assert_eq!(response.headers().get_one("Content-Encoding"), Some("gzip"));
        assert!(response
            .headers()
            .get("Vary")
            .any(|v| v.contains("Accept-Encoding")));
        let gzipped = response.into_bytes().await.unwrap();
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&gzipped[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        // The form carries fresh tokens each time; the sizes tell.
        assert!(
            gzipped.len() * 2 < plain.len(),
            "{path}: {} bytes gzipped of {}",
            gzipped.len(),
            plain.len()
        );
        assert!(unpacked.len().abs_diff(plain.len()) < 64, "{path}");
    }
}
