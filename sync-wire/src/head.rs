//! An HTTP request head as the relay reads it from a stranger: a `GET` with a path, a query
//! and headers, nothing after it, at most [`MAX_HEAD`] bytes. Pure: the relay reads the
//! socket until [`head_end`] finds the end, then [`parse_head`] says what it is.

use std::collections::HashMap;

/// Longest request head read.
pub const MAX_HEAD: usize = 16 * 1024;
/// Most headers read.
const MAX_HEADERS: usize = 32;

/// A request head that can be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// The path, without the query.
    pub path: String,
    /// The query's fields, decoded (a repeated name keeps its last value).
    pub query: HashMap<String, String>,
    /// Header names in lower case, values trimmed.
    pub headers: HashMap<String, String>,
}

/// Why a head is not served, with the HTTP status to answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct HeadError {
    /// Status line text, such as `400 Bad Request`.
    pub status: &'static str,
    pub reason: String,
}

fn bad(reason: impl Into<String>) -> HeadError {
    HeadError {
        status: "400 Bad Request",
        reason: reason.into(),
    }
}

/// Where the head ends in what arrived so far (the index after its blank line).
///
/// # Errors
/// More than [`MAX_HEAD`] bytes without an end (431).
pub fn head_end(buf: &[u8]) -> Result<Option<usize>, HeadError> {
    if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
        return Ok(Some(at + 4));
    }
    if buf.len() > MAX_HEAD {
        return Err(HeadError {
            status: "431 Request Header Fields Too Large",
            reason: "request head too large".into(),
        });
    }
    Ok(None)
}

/// Reads a whole request head (`buf` ends where [`head_end`] said).
///
/// # Errors
/// Data after the head, a malformed or incomplete head (400), a method other than `GET`
/// (405), a head over [`MAX_HEAD`] (431).
pub fn parse_head(buf: &[u8]) -> Result<RequestHead, HeadError> {
    match head_end(buf)? {
        Some(end) if end == buf.len() => {}
        // A client sends nothing after its request until it has the answer.
        Some(_) => return Err(bad("data after the request head")),
        None => return Err(bad("incomplete request")),
    }
    let mut raw = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut raw);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(bad("incomplete request")),
        Err(e) => return Err(bad(format!("malformed request: {e}"))),
    }
    if req.method != Some("GET") {
        return Err(HeadError {
            status: "405 Method Not Allowed",
            reason: "only GET is served".into(),
        });
    }
    let target = req.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(RequestHead {
        path: path.to_string(),
        query: form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
        headers: req
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).trim().to_string(),
                )
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_with_query_and_headers_is_read() {
        let head = parse_head(
            b"GET /changes?since=3&device=ab%20c HTTP/1.1\r\nHost: relay\r\nX-Forwarded-For:  1.2.3.4 \r\n\r\n",
        )
        .expect("head");
        assert_eq!(head.path, "/changes");
        assert_eq!(head.query["since"], "3");
        assert_eq!(head.query["device"], "ab c");
        assert_eq!(head.headers["x-forwarded-for"], "1.2.3.4");
    }

    #[test]
    fn what_is_not_a_plain_get_head_gets_its_status() {
        let status = |b: &[u8]| parse_head(b).map(|_| ()).map_err(|e| e.status);
        assert_eq!(
            status(b"POST / HTTP/1.1\r\n\r\n"),
            Err("405 Method Not Allowed")
        );
        assert_eq!(
            status(b"GET / HTTP/1.1\r\n\r\nmore"),
            Err("400 Bad Request")
        );
        assert_eq!(status(b"GET / HTTP/1.1\r\n"), Err("400 Bad Request"));
        assert_eq!(status(b"\x00\x01\r\n\r\n"), Err("400 Bad Request"));
        assert_eq!(
            status(&[b'a'; MAX_HEAD + 1]),
            Err("431 Request Header Fields Too Large")
        );
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..40 {
            many.extend_from_slice(format!("h{i}: x\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(status(&many), Err("400 Bad Request"));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), Ok(None));
    }
}
