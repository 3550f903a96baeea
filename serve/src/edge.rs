//! The front door's own checks, before any handler runs: a browser on this machine is not
//! trusted because it is on this machine (any web page the user visits runs there too).
//!
//! Every `/api/` request must
//! - name this server in `Host` (its own addresses and names only: a page that rebinds its
//!   DNS name to 127.0.0.1 sends its own name and is refused);
//! - come from this server's own origin when the browser says where it comes from (`Origin`
//!   equal to `http://` + `Host`; `Sec-Fetch-Site: cross-site` is refused too);
//! - and, when it changes something (`POST`), be JSON with the `X-Allmende-Request` header:
//!   a page elsewhere cannot send either without a CORS preflight, which this server never
//!   grants.
//!
//! What fails gets 403 with `{code, message}` and never reaches the service.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::AppState;

/// The header every state-changing call carries (the value does not matter).
pub const REQUEST_HEADER: &str = "x-allmende-request";

/// Which `Host` values name this server.
#[derive(Debug, Clone)]
pub struct Edge {
    names: Vec<String>,
    port: u16,
}

impl Edge {
    /// The names of a server listening on `addr`: its address, and for loopback or all
    /// addresses `localhost`, the loopback addresses and `lan` (this machine's address on the
    /// local network), plus any `extra` names (a name people type, behind a proxy).
    #[must_use]
    pub fn for_listener(addr: SocketAddr, lan: Option<IpAddr>, extra: &[String]) -> Edge {
        let mut names = vec![host_of(addr.ip())];
        let ip = addr.ip();
        if ip.is_loopback() || ip.is_unspecified() {
            names.extend(["localhost".into(), "127.0.0.1".into(), "[::1]".into()]);
        }
        if ip.is_unspecified() {
            names.extend(lan.map(host_of));
        }
        names.extend(extra.iter().map(|n| n.trim().to_ascii_lowercase()));
        names.sort();
        names.dedup();
        Edge {
            names,
            port: addr.port(),
        }
    }

    /// Whether `host` (a `Host` header's value) names this server.
    #[must_use]
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            Some((n, p)) if !n.ends_with(':') && (n.starts_with('[') == n.ends_with(']')) => {
                (n.to_string(), p.parse::<u16>().ok())
            }
            _ => (host.clone(), Some(80)),
        };
        port == Some(self.port) && self.names.contains(&name)
    }
}

fn host_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// Why a request was refused at the door, or `None` to let it in.
#[must_use]
pub fn refusal(edge: &Edge, method: &Method, headers: &HeaderMap) -> Option<&'static str> {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(host) = text(header::HOST) else {
        return Some("the request names no host");
    };
    if !edge.allows_host(host) {
        return Some("the request is addressed to another host");
    }
    if let Some(origin) = text(header::ORIGIN) {
        if !origin.eq_ignore_ascii_case(&format!("http://{host}")) {
            return Some("the request comes from another web page");
        }
    }
    if text(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return Some("the request comes from another web page");
    }
    if method == Method::POST {
        let json = text(header::CONTENT_TYPE).is_some_and(|t| {
            t.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
        if !json || !headers.contains_key(REQUEST_HEADER) {
            return Some("a change must be sent as JSON by the app");
        }
    }
    None
}

/// The middleware in front of `/api/`.
pub(super) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") {
        if let Some(reason) = refusal(&state.edge, request.method(), request.headers()) {
            tracing::warn!(path = %request.uri().path(), reason, "refused at the door");
            let body = serde_json::json!({
                "code": "refused_origin",
                "message": format!("Abgelehnt / refused: {reason}"),
            });
            return (StatusCode::FORBIDDEN, Json(body)).into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge() -> Edge {
        Edge::for_listener("127.0.0.1:8080".parse().expect("test"), None, &[])
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("test"));
        }
        h
    }

    const APP: [(&str, &str); 3] = [
        ("host", "127.0.0.1:8080"),
        ("content-type", "application/json"),
        (REQUEST_HEADER, "1"),
    ];

    #[test]
    fn the_app_itself_is_let_in() {
        assert_eq!(refusal(&edge(), &Method::POST, &headers(&APP)), None);
        let mut same = APP.to_vec();
        same.push(("origin", "http://127.0.0.1:8080"));
        assert_eq!(refusal(&edge(), &Method::POST, &headers(&same)), None);
        let local = headers(&[("host", "localhost:8080")]);
        assert_eq!(refusal(&edge(), &Method::GET, &local), None);
    }

    #[test]
    fn a_rebound_name_a_foreign_origin_and_a_plain_form_are_refused() {
        let e = edge();
        let rebound = headers(&[("host", "evil.example:8080")]);
        assert!(refusal(&e, &Method::GET, &rebound).is_some());
        assert!(refusal(&e, &Method::GET, &headers(&[("host", "127.0.0.1:9999")])).is_some());
        assert!(refusal(&e, &Method::GET, &HeaderMap::new()).is_some());
        let mut foreign = APP.to_vec();
        foreign.push(("origin", "http://evil.example"));
        assert!(refusal(&e, &Method::POST, &headers(&foreign)).is_some());
        let mut null = APP.to_vec();
        null.push(("origin", "null"));
        assert!(refusal(&e, &Method::POST, &headers(&null)).is_some());
        let plain = headers(&[("host", "127.0.0.1:8080"), ("content-type", "text/plain")]);
        assert!(refusal(&e, &Method::POST, &plain).is_some());
        let no_header = headers(&[
            ("host", "127.0.0.1:8080"),
            ("content-type", "application/json"),
        ]);
        assert!(refusal(&e, &Method::POST, &no_header).is_some());
        let mut cross = APP.to_vec();
        cross.push(("sec-fetch-site", "cross-site"));
        assert!(refusal(&e, &Method::POST, &headers(&cross)).is_some());
    }

    #[test]
    fn all_addresses_allow_the_lan_address_and_extra_names() {
        let e = Edge::for_listener(
            "0.0.0.0:8080".parse().expect("test"),
            Some("192.168.1.20".parse().expect("test")),
            &["Schule.local".into()],
        );
        for ok in [
            "192.168.1.20:8080",
            "localhost:8080",
            "schule.local:8080",
            "[::1]:8080",
        ] {
            assert!(e.allows_host(ok), "{ok}");
        }
        assert!(!e.allows_host("192.168.1.21:8080"));
        assert!(!e.allows_host("schule.local"));
    }
}
