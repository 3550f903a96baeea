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
    /// The gzipped bytes kept for `path` as last modified at `modified`.
    fn kept(&self, path: &Path, modified: SystemTime) -> Option<Bytes> {
        let files = self.files.lock().ok()?;
        files
            .get(path)
            .filter(|(when, _)| *when == modified)
            .map(|(_, bytes)| bytes.clone())
    }

    fn keep(&self, path: &Path, modified: SystemTime, bytes: Bytes) {
        if let Ok(mut f) = self.files.lock() {
            f.insert(path.to_path_buf(), (modified, bytes));
        }
    }
}

/// `raw` gzipped (`None` if compressing failed: then the raw file is sent).
fn gzip(raw: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(raw)
        .and_then(|()| enc.finish())
        .ok()
        .map(Bytes::from)
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
    let kind = content_type(&file);
    if !compressible(&file) {
        return match tokio::fs::read(&full).await {
            Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
            Err(_) => (StatusCode::NOT_FOUND, "not found\n").into_response(),
        };
    }
    let vary = || (header::VARY, "accept-encoding");
    let gzipped = |gz: Bytes| {
        (
            [
                (header::CONTENT_TYPE, kind),
                (header::CONTENT_ENCODING, "gzip"),
                vary(),
            ],
            gz,
        )
            .into_response()
    };
    let modified = tokio::fs::metadata(&full)
        .await
        .and_then(|m| m.modified())
        .ok()
        .filter(|_| takes_gzip(&headers));
    // Kept from before: the file is not read again.
    if let Some(gz) = modified.and_then(|m| state.gzipped.kept(&full, m)) {
        return gzipped(gz);
    }
    let Ok(bytes) = tokio::fs::read(&full).await else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    if let Some(modified) = modified {
        // Compressing 1.3 MiB takes a while: off the threads that answer requests.
        let raw = Bytes::from(bytes);
        let compressed = {
            let raw = raw.clone();
            tokio::task::spawn_blocking(move || gzip(&raw))
                .await
                .ok()
                .flatten()
        };
        return match compressed {
            Some(gz) => {
                state.gzipped.keep(&full, modified, gz.clone());
                gzipped(gz)
            }
            None => ([(header::CONTENT_TYPE, kind), vary()], raw).into_response(),
        };
    }
    ([(header::CONTENT_TYPE, kind), vary()], bytes).into_response()
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
        let gunzip = |gz: &[u8]| {
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(gz)
                .read_to_end(&mut back)
                .expect("gunzip");
            back
        };
        let cache = Gzipped::default();
        let path = Path::new("/ui/app.wasm");
        let (t1, t2) = (SystemTime::UNIX_EPOCH, SystemTime::now());
        let raw = vec![7u8; 100_000];
        let gz = gzip(&raw).expect("gzip");
        assert!(gz.len() < raw.len() / 10, "compressed: {}", gz.len());
        assert_eq!(gunzip(&gz), raw);
        assert_eq!(cache.kept(path, t1), None, "nothing kept yet");
        cache.keep(path, t1, gz.clone());
        assert_eq!(cache.kept(path, t1), Some(gz), "kept from before");
        assert_eq!(cache.kept(path, t2), None, "changed since: made again");
        let newer = gzip(b"a new build").expect("gzip");
        cache.keep(path, t2, newer.clone());
        assert_eq!(gunzip(&cache.kept(path, t2).expect("kept")), b"a new build");
    }
}
