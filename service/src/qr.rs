//! QR codes for invites and the address of `allmende serve`: SVG for screens, Unicode blocks
//! for the terminal.

use qrcode::render::{svg, unicode};
use qrcode::QrCode;

use allmende_store::error::{PeerError, Result};

fn code(text: &str) -> Result<QrCode> {
    QrCode::new(text.as_bytes())
        .map_err(|e| PeerError::BadInput(format!("cannot make a QR code: {e}")))
}

/// An SVG image of the QR code.
///
/// # Errors
/// Text too long for a QR code.
pub fn svg(text: &str) -> Result<String> {
    Ok(code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build())
}

/// The QR code drawn with Unicode half blocks, for a terminal.
///
/// # Errors
/// Text too long for a QR code.
pub fn terminal(text: &str) -> Result<String> {
    Ok(code(text)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_render_and_refuse_too_much() {
        assert!(super::svg("http://192.168.1.5:8080")
            .expect("svg")
            .contains("<svg"));
        assert!(!super::terminal("allmende").expect("text").is_empty());
        assert!(super::svg(&"x".repeat(10_000)).is_err());
    }
}
