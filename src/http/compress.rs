//! gzip for pages, the stylesheet and JSON when the client accepts it: a
//! page of 5 KB travels as about 1.5 KB. Downloads (exports, files) and
//! small bodies are left as they are. A reverse proxy that compresses
//! itself may do it instead; the `Vary` header keeps caches honest.
use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Header};
use rocket::{Request, Response};

/// Below this a compressed body would hardly be smaller.
const SMALLEST: usize = 1024;

pub struct Gzip;

fn compressible(content_type: Option<&ContentType>) -> bool {
    content_type.is_some_and(|ct| {
        ct.is_html() || ct.is_css() || ct.is_json() || ct.is_javascript() || ct.is_svg()
    })
}

fn accepts_gzip(req: &Request<'_>) -> bool {
    req.headers()
        .get("Accept-Encoding")
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

#[rocket::async_trait]
impl Fairing for Gzip {
    fn info(&self) -> Info {
        Info {
            name: "gzip for pages, CSS and JSON",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, response: &mut Response<'r>) {
        if !compressible(response.content_type().as_ref())
            || response.headers().contains("Content-Encoding")
            || response.headers().contains("Content-Disposition")
        {
            return;
        }
        response.adjoin_header(Header::new("Vary", "Accept-Encoding"));
        if !accepts_gzip(req) {
            return;
        }
        let Ok(body) = response.body_mut().to_bytes().await else {
            return;
        };
        let gzipped = (body.len() >= SMALLEST).then(|| gzip(&body)).flatten();
        match gzipped {
            Some(gzipped) => {
                response.set_header(Header::new("Content-Encoding", "gzip"));
                response.set_sized_body(gzipped.len(), std::io::Cursor::new(gzipped));
            }
            None => response.set_sized_body(body.len(), std::io::Cursor::new(body)),
        }
    }
}

fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 3), Compression::fast());
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}
