//! One plain-HTTP GET to a `ws://` relay's side doors (`/auth/challenge`, `/changes`): this
//! build speaks plain HTTP only, as its WebSockets do.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What a GET of `path_and_query` on the relay at `url` answered.
pub(crate) struct Answer {
    /// The status code (`200`), 0 when the status line cannot be read.
    pub status: u16,
    pub body: String,
}

/// Asks the relay at `url` (a `ws://` URL) for `path_and_query`, reading at most `max`
/// bytes of answer. `None` when the URL cannot be asked this way (another scheme, no host).
pub(crate) async fn get(
    url: &samod::Url,
    path_and_query: &str,
    max: u64,
) -> std::io::Result<Option<Answer>> {
    let (Some(host), "ws") = (url.host_str(), url.scheme()) else {
        return Ok(None);
    };
    let port = url.port().unwrap_or(80);
    let authority = allmende_core::wire::relay_authority(host, url.port());
    // An IPv6 literal comes in brackets (`[::1]`), which a socket address does not take.
    let ip_or_name = host.trim_start_matches('[').trim_end_matches(']');
    let mut stream = tokio::net::TcpStream::connect((ip_or_name, port)).await?;
    let request = format!(
        "GET {path_and_query} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nUser-Agent: allmende\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    (&mut stream).take(max).read_to_end(&mut answer).await?;
    let text = String::from_utf8_lossy(&answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return Err(std::io::Error::other("the answer ended early"));
    };
    let status = head
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    Ok(Some(Answer {
        status,
        body: body.to_string(),
    }))
}
