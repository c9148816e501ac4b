//! The check-in QR code of a mail, as a small black-and-white PNG that the
//! mail carries as an inline part (`Content-ID`, shown with `<img
//! src="cid:...">`). Mail clients block remote images and `data:` URIs and
//! strip SVG, but show inline related images, as they do for logos. The
//! check-in link is in the text beside it, for a client that shows no
//! images. It replaced a table of cells, 48 kB of a 60 kB mail.
use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code, so scanners find its edges.
const QUIET_ZONE: usize = 4;
/// Pixels per module in the PNG. The mail shows it at half that
/// ([`QrPng::display_width`]), so high-density screens get sharp edges.
const PNG_MODULE: usize = 8;
/// CSS pixels per module as the mail shows it (the old table's 4).
const DISPLAY_MODULE: usize = 4;

/// A QR code drawn as a PNG.
pub struct QrPng {
    pub png: Vec<u8>,
    /// Width and height in the mail, in CSS pixels.
    pub display_width: usize,
}

/// The QR code of `data` as a PNG, or `None` if it does not fit a QR code
/// (or, which does not happen for a valid image, encoding failed).
pub fn png(data: &str) -> Option<QrPng> {
    // Level L: a code on a screen is not damaged, and higher levels take
    // markedly longer to encode (BENCHMARKS.md, mail size and render time).
    let code = QrCode::with_error_correction_level(data, EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let modules = width + 2 * QUIET_ZONE;
    let dark = |x: usize, y: usize| {
        (QUIET_ZONE..QUIET_ZONE + width).contains(&x)
            && (QUIET_ZONE..QUIET_ZONE + width).contains(&y)
            && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == Color::Dark
    };
    let pixels = modules * PNG_MODULE;
    // One bit a pixel, most significant first; 1 is white in a 1-bit
    // greyscale PNG. Each row of modules is drawn once and repeated.
    // Compression::Fast (fdeflate): High saves little and renders slower
    // (BENCHMARKS.md).
    let row_bytes = pixels.div_ceil(8);
    let mut image = Vec::with_capacity(row_bytes * pixels);
    let mut row = vec![0u8; row_bytes];
    for y in 0..modules {
        row.fill(0);
        for x in 0..pixels {
            if !dark(x / PNG_MODULE, y) {
                row[x / 8] |= 0x80 >> (x % 8);
            }
        }
        for _ in 0..PNG_MODULE {
            image.extend_from_slice(&row);
        }
    }
    let side = u32::try_from(pixels).ok()?;
    let mut png = Vec::with_capacity(2048);
    let mut encoder = png::Encoder::new(&mut png, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&image).ok()?;
    writer.finish().ok()?;
    Some(QrPng {
        png,
        display_width: modules * DISPLAY_MODULE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_in_link_is_a_small_png_of_whole_modules() {
        let url = format!(
            "https://aanmeldpunt.example.nl/admin/checkin/{}",
            "A".repeat(43)
        );
        let qr = png(&url).unwrap();
        assert!(qr.png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(qr.png.len() < 4_000, "{} bytes", qr.png.len());
        // The image is twice the size it is shown at: whole pixels per module.
        let side = u32::from_be_bytes(qr.png[16..20].try_into().unwrap()) as usize;
        assert_eq!(side, qr.display_width * PNG_MODULE / DISPLAY_MODULE);
        assert_eq!(side % PNG_MODULE, 0);
    }
}
