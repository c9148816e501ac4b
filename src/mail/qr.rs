//! QR codes for mail, drawn as an HTML table: mail clients block data-URI
//! images and strip SVG, but every one of them renders a table.
use qrcode::{Color, EcLevel, QrCode};

/// Width and height of one module in pixels.
const MODULE: usize = 4;
/// Light modules around the code, so scanners find its edges.
const QUIET_ZONE: usize = 4;

/// A scannable table for `data`, or `None` if it does not fit a QR code.
pub fn html_table(data: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(data, EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let dark = |x: usize, y: usize| {
        x >= QUIET_ZONE
            && y >= QUIET_ZONE
            && x < QUIET_ZONE + width
            && y < QUIET_ZONE + width
            && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == Color::Dark
    };
    let mut html = format!(
        "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"border-collapse:collapse;line-height:0;font-size:0\" width=\"{0}\">",
        size * MODULE
    );
    for y in 0..size {
        html.push_str("<tr>");
        // Runs of one colour become one cell, which keeps the mail small.
        let mut x = 0;
        while x < size {
            let colour = dark(x, y);
            let run = (x..size).take_while(|&i| dark(i, y) == colour).count();
            html.push_str(&format!(
                "<td colspan=\"{run}\" width=\"{}\" height=\"{MODULE}\" bgcolor=\"{}\"></td>",
                run * MODULE,
                if colour { "#000000" } else { "#ffffff" }
            ));
            x += run;
        }
        html.push_str("</tr>");
    }
    html.push_str("</table>");
    Some(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_in_link_fits_in_a_compact_table() {
        let url = format!(
            "https://aanmeldpunt.example.nl/admin/checkin/{}",
            "A".repeat(43)
        );
        let table = html_table(&url).unwrap();
        assert!(table.starts_with("<table"));
        assert!(table.contains("#000000"));
        assert!(table.len() < 40_000, "{} bytes", table.len());
    }
}
