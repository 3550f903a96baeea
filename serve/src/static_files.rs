//! The UI's static files: `index.html` for unknown paths (the app's own routes), and the
//! large ones (the wasm bundle, scripts, styles) gzipped for browsers that take it. A pupil's
//! phone on the school's Wi-Fi then loads about 0.5 MiB instead of 1.3 MiB. Each file is
//! compressed once and kept while it is unchanged on disk.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Gzipped files, by path, with the modification time they were made from.
#[derive(Default)]
pub struct Gzipped {
    files: Mutex<HashMap<PathBuf, (SystemTime, Bytes)>>,
}

impl Gzipped {
    /// The gzipped bytes of `path` (read as `raw`, last modified `modified`), compressed
    /// now unless kept from before.
    fn get(&self, path: &Path, modified: SystemTime, raw: &[u8]) -> Bytes {
        if let Some((when, bytes)) = self.files.lock().ok().and_then(|f| f.get(path).cloned()) {
            if when == modified {
                return bytes;
            }
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let bytes = match enc.write_all(raw).and_then(|()| enc.finish()) {
            Ok(v) => Bytes::from(v),
            // Compressing into memory does not fail; if it did, the raw file is still right.
            Err(_) => return Bytes::new(),
        };
        if let Ok(mut f) = self.files.lock() {
            f.insert(path.to_path_buf(), (modified, bytes.clone()));
        }
        bytes
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Whether a file of this kind is worth gzipping (text and wasm; pictures are compressed).
fn compressible(path: &str) -> bool {
    matches!(
        path.rsplit('.').next().unwrap_or_default(),
        "wasm" | "js" | "css" | "svg" | "json"
    )
}

/// Whether the request's `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
fn takes_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut bits = part.split(';').map(str::trim);
            let coding = bits.next().unwrap_or_default();
            let refused = bits.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

/// The file under `root` a request path names: `index.html` for the root, for unknown
/// paths (the app's own routes) and for anything that tries to leave the folder or reach a
/// hidden file.
fn resolve(root: &Path, path: &str) -> (PathBuf, String) {
    let path = path.trim_start_matches('/');
    let safe = !path
        .split(['/', '\\'])
        .any(|p| p == ".." || p.starts_with('.'));
    let file = if path.is_empty() || !safe {
        "index.html"
    } else {
        path
    };
    let full = root.join(file);
    if full.is_file() {
        (full, file.to_string())
    } else {
        (root.join("index.html"), "index.html".to_string())
    }
}

pub(super) async fn static_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some(root) = state.ui.clone() else {
        return (
            StatusCode::NOT_FOUND,
            "Die Oberfläche ist nicht gebaut (scripts/build-ui.sh). The UI is not built.\n",
        )
            .into_response();
    };
    let (full, file) = resolve(&root, uri.path());
    let Ok(bytes) = tokio::fs::read(&full).await else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let kind = content_type(&file);
    if !compressible(&file) {
        return ([(header::CONTENT_TYPE, kind)], bytes).into_response();
    }
    let vary = (header::VARY, "accept-encoding");
    let modified = tokio::fs::metadata(&full)
        .await
        .and_then(|m| m.modified())
        .ok();
    match modified {
        Some(modified) if takes_gzip(&headers) => {
            let gz = state.gzipped.get(&full, modified, &bytes);
            if gz.is_empty() {
                return ([(header::CONTENT_TYPE, kind), vary], bytes).into_response();
            }
            (
                [
                    (header::CONTENT_TYPE, kind),
                    (header::CONTENT_ENCODING, "gzip"),
                    vary,
                ],
                gz,
            )
                .into_response()
        }
        _ => ([(header::CONTENT_TYPE, kind), vary], bytes).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accepting(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(v).expect("value"),
        );
        h
    }

    #[test]
    fn gzip_only_where_the_browser_takes_it() {
        assert!(takes_gzip(&accepting("gzip, deflate, br, zstd")));
        assert!(takes_gzip(&accepting("br;q=1.0, GZIP;q=0.5")));
        assert!(takes_gzip(&accepting("*")));
        assert!(!takes_gzip(&accepting("br, zstd")));
        assert!(!takes_gzip(&accepting("gzip;q=0")));
        assert!(!takes_gzip(&HeaderMap::new()));
    }

    #[test]
    fn paths_stay_inside_the_folder_and_unknown_ones_open_the_app() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("index.html"), "<html>").expect("write");
        std::fs::write(dir.path().join("app.wasm"), "wasm").expect("write");
        std::fs::write(dir.path().join(".secret"), "no").expect("write");
        let name = |p: &str| resolve(dir.path(), p).1;
        assert_eq!(name("/app.wasm"), "app.wasm");
        assert_eq!(name("/"), "index.html");
        assert_eq!(name("/ideas/abc"), "index.html", "an app route");
        assert_eq!(name("/../etc/passwd"), "index.html");
        assert_eq!(name("/.secret"), "index.html");
        assert_eq!(name("/x\\..\\.secret"), "index.html");
    }

    #[test]
    fn a_file_is_gzipped_once_and_again_when_it_changed() {
        use std::io::Read;
        let cache = Gzipped::default();
        let path = Path::new("/ui/app.wasm");
        let (t1, t2) = (SystemTime::UNIX_EPOCH, SystemTime::now());
        let raw = vec![7u8; 100_000];
        let gz = cache.get(path, t1, &raw);
        assert!(gz.len() < raw.len() / 10, "compressed: {}", gz.len());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .expect("gunzip");
        assert_eq!(back, raw);
        assert_eq!(cache.get(path, t1, b"ignored, kept from before"), gz);
        let newer = cache.get(path, t2, b"a new build");
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&newer[..])
            .read_to_end(&mut back)
            .expect("gunzip");
        assert_eq!(back, b"a new build");
    }
}
