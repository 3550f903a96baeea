//! Reads a QR code from a picture (a photo taken with the phone's camera, a screenshot): the
//! browser decodes the image onto a canvas, `rqrr` finds and decodes the code.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, File, HtmlCanvasElement, HtmlImageElement, Url};

/// Larger pictures are scaled down to this many pixels on their longer side first.
const MAX_SIDE: u32 = 1200;

/// Why a picture gave no text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanError {
    /// The file is not a picture the browser can show.
    NotAPicture,
    /// No readable QR code in the picture.
    NoCode,
}

/// The text of the first QR code in `file`.
///
/// # Errors
/// [`ScanError`] when the picture cannot be read or holds no readable code.
pub async fn qr_text(file: &File) -> Result<String, ScanError> {
    let (width, height, luma) = pixels(file).await.ok_or(ScanError::NotAPicture)?;
    decode(width, height, &luma).ok_or(ScanError::NoCode)
}

/// The text of the first readable QR code in a grey image (one byte per pixel, row by row).
#[must_use]
pub fn decode(width: usize, height: usize, luma: &[u8]) -> Option<String> {
    if luma.len() < width * height {
        return None;
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    img.detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

async fn pixels(file: &File) -> Option<(usize, usize, Vec<u8>)> {
    let document = web_sys::window()?.document()?;
    let url = Url::create_object_url_with_blob(file).ok()?;
    let img = HtmlImageElement::new().ok()?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        img.set_onload(Some(&resolve));
        img.set_onerror(Some(&reject));
    });
    img.set_src(&url);
    let ok = wasm_bindgen_futures::JsFuture::from(loaded).await.is_ok();
    let _ = Url::revoke_object_url(&url);
    if !ok || img.natural_width() == 0 {
        return None;
    }
    let (w, h) = (img.natural_width(), img.natural_height());
    let scale = f64::from(MAX_SIDE) / f64::from(w.max(h));
    let (cw, ch) = if scale < 1.0 {
        (
            (f64::from(w) * scale).round() as u32,
            (f64::from(h) * scale).round() as u32,
        )
    } else {
        (w, h)
    };
    // A white margin: tightly cropped pictures lose the quiet zone the detector looks for.
    let pad = (cw.max(ch) / 12).max(8);
    let (fw, fh) = (cw + 2 * pad, ch + 2 * pad);
    let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(fw);
    canvas.set_height(fh);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    // White first: transparent screenshots would otherwise read as black.
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, f64::from(fw), f64::from(fh));
    ctx.draw_image_with_html_image_element_and_dw_and_dh(
        &img,
        f64::from(pad),
        f64::from(pad),
        f64::from(cw),
        f64::from(ch),
    )
    .ok()?;
    let rgba = ctx
        .get_image_data(0.0, 0.0, f64::from(fw), f64::from(fh))
        .ok()?
        .data();
    let luma = rgba
        .chunks_exact(4)
        .map(|p| {
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        })
        .collect();
    Some((fw as usize, fh as usize, luma))
}
