//! Tickets: how one device (or a relay) tells another where to reach it over iroh without any
//! directory: its key and the socket addresses it listens on, as text
//! (`allmende-peer:` + base64url JSON) a person can paste or scan.

use std::net::{IpAddr, SocketAddr};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "allmende-peer:";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A direct link to a device: its key and the addresses it listens on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub v: u8,
    /// The device's public key (hex): the iroh endpoint id.
    pub device: String,
    pub addrs: Vec<SocketAddr>,
}

/// Why a text is not a usable ticket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("not an Allmende peer ticket")]
    NotATicket,
    #[error("the peer ticket is damaged")]
    Damaged,
    #[error("peer ticket version {0} is not supported")]
    Version(u8),
}

impl Ticket {
    /// A ticket for `device` listening on `bound`: an unspecified IPv4 address stands for this
    /// machine's address on the local network (`lan`, when known) and loopback.
    #[must_use]
    pub fn for_sockets(device: &str, bound: &[SocketAddr], lan: Option<IpAddr>) -> Ticket {
        let mut addrs = Vec::new();
        for b in bound {
            if b.ip().is_unspecified() {
                if b.is_ipv4() {
                    if let Some(ip) = lan {
                        addrs.push(SocketAddr::new(ip, b.port()));
                    }
                    addrs.push(SocketAddr::new([127, 0, 0, 1].into(), b.port()));
                }
            } else {
                addrs.push(*b);
            }
        }
        addrs.dedup();
        Ticket {
            v: 1,
            device: device.to_string(),
            addrs,
        }
    }

    /// The ticket as text.
    #[must_use]
    pub fn text(&self) -> String {
        format!(
            "{PREFIX}{}",
            B64.encode(serde_json::to_vec(self).unwrap_or_default())
        )
    }

    /// Whether a text looks like a ticket (to tell it from a URL).
    #[must_use]
    pub fn is_ticket(text: &str) -> bool {
        text.trim().starts_with(PREFIX)
    }

    /// Reads a ticket; the key must be 32 bytes of hex.
    ///
    /// # Errors
    /// [`TicketError`] for anything that is not a valid ticket.
    pub fn parse(text: &str) -> Result<Ticket, TicketError> {
        let body = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(TicketError::NotATicket)?;
        let bytes = B64.decode(body).map_err(|_| TicketError::Damaged)?;
        let t: Ticket = serde_json::from_slice(&bytes).map_err(|_| TicketError::Damaged)?;
        if t.v != 1 {
            return Err(TicketError::Version(t.v));
        }
        t.key()?;
        Ok(t)
    }

    /// The device key's bytes.
    ///
    /// # Errors
    /// [`TicketError::Damaged`] when the key is not 32 bytes of hex.
    pub fn key(&self) -> Result<[u8; 32], TicketError> {
        hex::decode(&self.device)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(TicketError::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_round_trip_and_refuse_damage() {
        let key = hex::encode([3u8; 32]);
        let t = Ticket::for_sockets(
            &key,
            &[
                "0.0.0.0:4000".parse().expect("addr"),
                "[::]:4001".parse().expect("addr"),
            ],
            Some([192, 168, 1, 5].into()),
        );
        assert_eq!(
            t.addrs,
            vec![
                "192.168.1.5:4000".parse::<SocketAddr>().expect("addr"),
                "127.0.0.1:4000".parse().expect("addr")
            ]
        );
        let text = t.text();
        assert!(Ticket::is_ticket(&text));
        assert_eq!(Ticket::parse(&format!(" {text}\n")), Ok(t.clone()));
        assert_eq!(Ticket::parse("ws://x"), Err(TicketError::NotATicket));
        assert_eq!(
            Ticket::parse(&text[..text.len() - 4]),
            Err(TicketError::Damaged)
        );
        let newer = Ticket { v: 2, ..t.clone() };
        assert_eq!(Ticket::parse(&newer.text()), Err(TicketError::Version(2)));
        let bad = Ticket {
            device: "zz".into(),
            ..t
        };
        assert_eq!(Ticket::parse(&bad.text()), Err(TicketError::Damaged));
    }
}
