//! The relay's HTTP side on plain TCP: the WebSocket handshake at `/`, and `/healthz`,
//! `/metrics`, `/ticket`, `/auth/challenge` (login challenges, see `auth`), `/changes` (the change feed, see `feed`). Every request is a GET answered with `Connection: close`; the
//! request head is read into a buffer that is gone once the connection is a WebSocket.

use std::sync::Arc;
use std::time::Duration;

use allmende_sync_wire::head;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::admission::{Permit, Refusal};
use crate::app::App;
use crate::metrics::Metrics;
use crate::ws::WsConn;

/// How long an answer may take to go out.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until `shutdown` fires.
pub async fn serve(listener: TcpListener, app: Arc<App>, mut shutdown: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, from)) => match admit(&app, from.ip()) {
                    Ok(permits) => {
                        let app = app.clone();
                        tokio::spawn(async move { handle(stream, &app, permits, from.ip()).await });
                    }
                    Err(refusal) => {
                        tracing::debug!(%from, %refusal, "socket refused");
                        refuse_now(&stream, &refusal);
                    }
                },
                Err(e) => {
                    // Out of file descriptors, for example: wait a moment, do not spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut shutdown => break,
        }
    }
}

/// Places at the door for a new socket: one of the pending handshakes, and one of its
/// address's (unless it is a trusted proxy: its clients are counted by their own address).
fn admit(app: &App, ip: std::net::IpAddr) -> Result<Places, Refusal> {
    let admission = app.hub.admission();
    let proxy = admission.is_trusted_proxy(ip);
    let pending = admission.pending((!proxy).then_some(ip))?;
    let ip = if proxy { None } else { Some(admission.ip(ip)?) };
    Ok(Places {
        pending: Some(pending),
        held: ip.into_iter().collect(),
    })
}

/// What a socket holds at the door: its pending place until the handshake is over, and the
/// places it keeps while it is open.
struct Places {
    pending: Option<Permit>,
    held: Vec<Permit>,
}

/// Answers a refused socket without waiting for it (one write that fits the socket's
/// buffer, or nothing), then drops it.
fn refuse_now(stream: &TcpStream, refusal: &Refusal) {
    let body = format!("{refusal}\n");
    let text = format!(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(text.as_bytes());
}

/// A parsed request head.
type Request = head::RequestHead;

/// Serves one request from `client` (the socket's address, or behind a trusted proxy the
/// address it forwards for).
async fn handle(stream: TcpStream, app: &App, mut places: Places, mut client: std::net::IpAddr) {
    let _ = stream.set_nodelay(true);
    let head_timeout = Duration::from_secs(app.config.handshake_timeout_secs);
    let request = match tokio::time::timeout(head_timeout, read_request(&stream)).await {
        Ok(Ok(r)) => r,
        Ok(Err((status, reason))) => {
            respond(&stream, status, &format!("{reason}\n")).await;
            return;
        }
        Err(_) => {
            Metrics::add(&app.metrics.closed_idle, 1);
            return;
        }
    };
    if places.held.is_empty() {
        // Through a trusted proxy: the client is the last address no trusted proxy added.
        // Without one, the proxy is not telling who it forwards: refused, not uncapped.
        let forwarded = request
            .headers
            .get("x-forwarded-for")
            .and_then(|v| app.hub.admission().forwarded_client(v));
        let Some(forwarded) = forwarded else {
            respond(
                &stream,
                "400 Bad Request",
                "a trusted proxy must send X-Forwarded-For with the client's address\n",
            )
            .await;
            return;
        };
        client = forwarded;
        match app.hub.admission().ip(client) {
            Ok(p) => places.held.push(p),
            Err(refusal) => {
                respond(&stream, "429 Too Many Requests", &format!("{refusal}\n")).await;
                return;
            }
        }
    }
    match request.path.as_str() {
        "/" => upgrade(stream, request, app, places, client).await,
        "/healthz" => respond(&stream, "200 OK", crate::HEALTH).await,
        allmende_core::wire::CHALLENGE_PATH => {
            Metrics::add(&app.metrics.challenges, 1);
            respond(&stream, "200 OK", &app.logins.challenge(app.logins.now())).await;
        }
        "/changes" => {
            let (status, body) = crate::feed::answer(app, &request.query, client).await;
            respond(&stream, status, &body).await;
        }
        "/metrics" if !metrics_allowed(&app.config.metrics_from, client) => {
            respond(
                &stream,
                "403 Forbidden",
                "metrics are for the relay's operator (metrics_from in the configuration)\n",
            )
            .await;
        }
        "/metrics" => {
            let storage = app.storage.clone();
            let docs = tokio::task::spawn_blocking(move || storage.document_count())
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0);
            respond_typed(
                &stream,
                "200 OK",
                "text/plain; version=0.0.4",
                &app.metrics.render(docs),
            )
            .await;
        }
        "/ticket" => match &app.ticket {
            Some(t) => respond(&stream, "200 OK", &format!("{t}\n")).await,
            None => {
                respond(
                    &stream,
                    "404 Not Found",
                    "iroh is off (start with --iroh ADDR)\n",
                )
                .await;
            }
        },
        _ => respond(&stream, "404 Not Found", "not found\n").await,
    }
}

/// Whether `client` may read `/metrics` (an IPv4 client reaching an IPv6 socket counts by its
/// IPv4 address).
fn metrics_allowed(allowed: &[std::net::IpAddr], client: std::net::IpAddr) -> bool {
    let client = client.to_canonical();
    allowed.iter().any(|a| a.to_canonical() == client)
}

/// Reads the request head; an HTTP status and reason when it is not a GET we can read
/// (`allmende_sync_wire::head`).
async fn read_request(stream: &TcpStream) -> Result<Request, (&'static str, String)> {
    let io = |e: std::io::Error| ("400 Bad Request", e.to_string());
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    loop {
        stream.readable().await.map_err(io)?;
        let start = buf.len();
        buf.resize(start + 1024, 0);
        match stream.try_read(&mut buf[start..]) {
            Ok(0) => return Err(("400 Bad Request", "the request ended early".into())),
            Ok(n) => buf.truncate(start + n),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                buf.truncate(start);
                continue;
            }
            Err(e) => return Err(io(e)),
        }
        match head::head_end(&buf) {
            Ok(Some(_)) => break,
            Ok(None) => {}
            Err(e) => return Err((e.status, e.reason)),
        }
    }
    head::parse_head(&buf).map_err(|e| (e.status, e.reason))
}

/// The WebSocket handshake: checks, authentication, then the connection goes to the hub.
async fn upgrade(
    stream: TcpStream,
    request: Request,
    app: &App,
    mut places: Places,
    client: std::net::IpAddr,
) {
    let header = |name: &str| request.headers.get(name).map(String::as_str);
    let has_token = |name: &str, token: &str| {
        header(name).is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    let key = match header("sec-websocket-key") {
        Some(key) if has_token("upgrade", "websocket") && has_token("connection", "upgrade") => key,
        _ => {
            let text = "this is an Allmende sync relay: connect with a WebSocket\n";
            respond(&stream, "426 Upgrade Required", text).await;
            return;
        }
    };
    if header("sec-websocket-version") != Some("13") {
        respond(
            &stream,
            "426 Upgrade Required",
            "WebSocket version 13 only\n",
        )
        .await;
        return;
    }
    match app.hub.admission().open() {
        Ok(p) => places.held.push(p),
        Err(_) => {
            tracing::warn!("connection refused: the connection cap is reached");
            respond(&stream, "503 Service Unavailable", "too many connections\n").await;
            return;
        }
    }
    let peer = match app.login(&request.query, client) {
        Ok(peer) => peer,
        Err(e) => {
            tracing::warn!(reason = %e, "connection refused");
            respond(&stream, "401 Unauthorized", &format!("{e}\n")).await;
            return;
        }
    };
    match app.hub.admission().key(&peer) {
        Ok(p) => places.held.push(p),
        Err(refusal) => {
            tracing::warn!(%peer, %refusal, "connection refused");
            respond(&stream, "429 Too Many Requests", &format!("{refusal}\n")).await;
            return;
        }
    }
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        crate::ws::accept_key(key)
    );
    if write_all(&stream, answer.as_bytes()).await.is_err() {
        return;
    }
    let max = app.config.max_message_bytes;
    let ws = WsConn::new(stream, max);
    let peer: Arc<str> = Arc::from(peer);
    let conn = crate::limits::guard_ws(
        ws,
        peer.clone(),
        max,
        app.config.max_messages_per_second,
        app.metrics.clone(),
    );
    places.pending.take();
    app.hub.accept_holding(conn, peer, places.held, None);
}

async fn respond(stream: &TcpStream, status: &str, body: &str) {
    respond_typed(stream, status, "text/plain; charset=utf-8", body).await;
}

async fn respond_typed(stream: &TcpStream, status: &str, content_type: &str, body: &str) {
    let text = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(ANSWER_TIMEOUT, write_all(stream, text.as_bytes())).await;
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
