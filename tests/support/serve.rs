//! `allmende serve` as a real process for system tests, and requests to it.

use super::*;

/// `allmende serve` on a peer's data directory, on a free port.
pub struct ServeProc {
    pub addr: String,
    child: std::process::Child,
}

impl ServeProc {
    /// Starts the server for `peer`.
    ///
    /// # Panics
    /// When it does not start.
    #[must_use]
    pub fn start(peer: &Peer) -> Self {
        Self::start_with(peer, &[])
    }

    /// `allmende serve` with extra arguments (e.g. `--guests-only`).
    ///
    /// # Panics
    /// When the server does not start.
    #[must_use]
    pub fn start_with(peer: &Peer, extra: &[&str]) -> Self {
        use std::io::BufRead;
        let mut child = Command::new(bin())
            .arg("--data")
            .arg(peer.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            // The built UI, for the browser tests (serve answers without it otherwise).
            .env("ALLMENDE_UI", root().join("ui/dist"))
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .expect("address")
            .to_string();
        ServeProc { addr, child }
    }

    /// Sends a request; returns the status code and body.
    ///
    /// # Panics
    /// When the server does not answer.
    #[must_use]
    pub fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        self.request_as(None, method, path, body)
    }

    /// Sends raw header lines (each ending in `\r\n`) and a body; returns the status code and
    /// body. For requests the app would never send (foreign hosts and origins).
    ///
    /// # Panics
    /// When the server does not answer.
    #[must_use]
    pub fn request_raw(
        &self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.addr).expect("connect");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        let code = out
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (
            code,
            out.split_once("\r\n\r\n")
                .map(|x| x.1.to_string())
                .unwrap_or_default(),
        )
    }

    /// Sends a request as a guest with a session token (or as the host without one).
    ///
    /// # Panics
    /// When the server does not answer.
    #[must_use]
    pub fn request_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, String) {
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let headers = format!(
            "Host: {}\r\n{auth}Content-Type: application/json\r\nX-Allmende-Request: 1\r\n",
            self.addr
        );
        self.request_raw(method, path, &headers, body)
    }

    /// POSTs JSON and parses the JSON answer.
    ///
    /// # Panics
    /// When the answer is not JSON.
    #[must_use]
    pub fn post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        self.post_as(None, path, body)
    }

    /// POSTs JSON as a guest (or the host) and parses the JSON answer.
    ///
    /// # Panics
    /// When the answer is not JSON.
    #[must_use]
    pub fn post_as(
        &self,
        token: Option<&str>,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let (code, text) = self.request_as(token, "POST", path, &body.to_string());
        (
            code,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")),
        )
    }
}

impl Drop for ServeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
