//! Relay configuration: built-in defaults, then a TOML file, then environment variables
//! (`ALLMENDE_RELAY_<FIELD>` in upper case), then command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything the relay can be told.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where to listen (default 127.0.0.1:3030).
    pub listen: SocketAddr,
    /// Also accept devices over iroh (QUIC) on this UDP address (default: off).
    pub iroh: Option<SocketAddr>,
    /// Data directory holding `relay.db`.
    pub data: PathBuf,
    /// Largest WebSocket message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Largest document the relay stores, in bytes; changes beyond it are refused.
    pub max_document_bytes: usize,
    /// Most bytes the changes of one sync message may inflate to (checked before anything
    /// is decompressed); a message beyond it closes the connection.
    pub max_inflated_bytes: usize,
    /// Most operations a document may hold (its changes' columns can claim a million in 60
    /// bytes); a message that would take it past is refused. At most what devices take in
    /// one message (`allmende_sync_wire::runs::LIMITS`), else a fresh device could never
    /// receive the document whole.
    pub max_document_operations: u64,
    /// Most bytes of changes the relay stores for one device key, over all documents and
    /// all time (changes it already had cost nothing); beyond it the device's new changes
    /// are refused. Counted in the store, so a restart does not reset it.
    pub max_bytes_per_key: u64,
    /// Most bytes waiting to be sent to one connection; a connection that does not read
    /// them is closed.
    pub max_queued_bytes: usize,
    /// Most simultaneous connections; more are refused with 503.
    pub max_connections: usize,
    /// Messages per second one connection is read at (burst: twice this). A connection
    /// that sends faster is slowed down (read later), never closed for it.
    pub max_messages_per_second: u32,
    /// Most sockets at once that have not finished the WebSocket handshake.
    pub max_pending_handshakes: usize,
    /// Of those, most from one IP address (an IPv6 /64 counts as one).
    pub max_pending_handshakes_per_ip: usize,
    /// Seconds a client has for its request head, and a WebSocket for its `join`.
    pub handshake_timeout_secs: u64,
    /// Most connections (pending and open) from one IP address (an IPv6 /64 counts as one).
    pub max_connections_per_ip: usize,
    /// Most open connections of one device key.
    pub max_connections_per_key: usize,
    /// The names devices reach this relay at (`relay.example.org`, `relay.example.org:8443`):
    /// a login must be signed for one of them or for an address of this machine on the port
    /// the relay listens on, so a login a device signed for another relay cannot be passed
    /// on here. Needed for a relay reached by a DNS name, a public address it does not hold
    /// (port forwarding) or a reverse proxy (then required).
    pub names: Vec<String>,
    /// Addresses of reverse proxies in front of the relay: for their connections the
    /// client's address is the last one in `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Client addresses that may read `/metrics` (default: this machine only, 127.0.0.1 and
    /// ::1); others get 403. Its counters answer whether a stranger's probe hit a document
    /// (refused requests rise only for ids the relay holds), so they are for operators.
    pub metrics_from: Vec<std::net::IpAddr>,
    /// Seconds a WebSocket may stay silent (no message, no answer to the relay's pings)
    /// before it is closed; the relay pings a connection silent for a quarter of this.
    /// 0 turns it off.
    pub idle_timeout_secs: u64,
    /// Most documents one connection may work on; one more closes it.
    pub max_documents_per_connection: usize,
    /// Largest ephemeral message (presence, cursors) passed on; a larger one closes the
    /// connection.
    pub max_ephemeral_bytes: usize,
    /// Accept documents that are not Allmende documents (for example made by other
    /// automerge-repo apps). Off by default: the relay is for communities.
    pub allow_foreign_documents: bool,
    /// Store items made before ids were derived from their creator (no creator's proof in
    /// their header) when a device on the roster of their community uploads them first. Off
    /// by default: such a header proves nothing, so a member could take an id another
    /// member made before its creator uploads it. Turn it on for a community moving to this
    /// relay with items made by an earlier release (no nonce in their header), until they
    /// are uploaded.
    pub accept_unproven_items: bool,
    /// Device keys (hex) that may found communities here, and bring in items of a community
    /// the relay does not hold yet. Empty (the default): anyone may. A town's relay on the
    /// internet lists the devices of those who run its communities, so strangers cannot
    /// fill its disk with communities of their own under ever new keys; members of the
    /// communities here sync as always.
    pub founders: Vec<String>,
    /// Threads that serve connections and documents (storage writes have a thread of their
    /// own). One serves thousands of connections with the least CPU per message, since
    /// threads that hand work to each other wake each other up; more pay off once one core
    /// is busy (see BENCHMARKS.md).
    pub workers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 3030)),
            iroh: None,
            data: PathBuf::from("relay-data"),
            max_message_bytes: 16 * 1024 * 1024,
            max_document_bytes: 256 * 1024 * 1024,
            max_inflated_bytes: 64 * 1024 * 1024,
            max_document_operations: allmende_sync_wire::runs::LIMITS.per_message,
            max_bytes_per_key: 1024 * 1024 * 1024,
            max_queued_bytes: 64 * 1024 * 1024,
            max_connections: 4096,
            max_messages_per_second: 500,
            max_pending_handshakes: 256,
            max_pending_handshakes_per_ip: 16,
            handshake_timeout_secs: 10,
            max_connections_per_ip: 64,
            max_connections_per_key: 8,
            names: Vec::new(),
            trusted_proxies: Vec::new(),
            metrics_from: vec![
                std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::Ipv6Addr::LOCALHOST.into(),
            ],
            idle_timeout_secs: 120,
            max_documents_per_connection: 100_000,
            max_ephemeral_bytes: 64 * 1024,
            allow_foreign_documents: false,
            accept_unproven_items: false,
            founders: Vec::new(),
            workers: 1,
        }
    }
}

/// A configuration problem, with the place it comes from.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
}

impl Config {
    /// Defaults, overridden by `file` (if given) and then by the environment.
    ///
    /// # Errors
    /// An unreadable or invalid file, an invalid environment value.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// Applies `ALLMENDE_RELAY_*` overrides read through `get`.
    ///
    /// # Errors
    /// An invalid value.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e: T::Err| ConfigError::Env {
                name: name.to_string(),
                message: e.to_string(),
            })
        }
        if let Some(v) = get("ALLMENDE_RELAY_LISTEN") {
            self.listen = parse("ALLMENDE_RELAY_LISTEN", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_IROH") {
            self.iroh = Some(parse("ALLMENDE_RELAY_IROH", &v)?);
        }
        if let Some(v) = get("ALLMENDE_RELAY_DATA") {
            self.data = PathBuf::from(v);
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_MESSAGE_BYTES") {
            self.max_message_bytes = parse("ALLMENDE_RELAY_MAX_MESSAGE_BYTES", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_DOCUMENT_BYTES") {
            self.max_document_bytes = parse("ALLMENDE_RELAY_MAX_DOCUMENT_BYTES", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_INFLATED_BYTES") {
            self.max_inflated_bytes = parse("ALLMENDE_RELAY_MAX_INFLATED_BYTES", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_DOCUMENT_OPERATIONS") {
            self.max_document_operations = parse("ALLMENDE_RELAY_MAX_DOCUMENT_OPERATIONS", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_BYTES_PER_KEY") {
            self.max_bytes_per_key = parse("ALLMENDE_RELAY_MAX_BYTES_PER_KEY", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_QUEUED_BYTES") {
            self.max_queued_bytes = parse("ALLMENDE_RELAY_MAX_QUEUED_BYTES", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_CONNECTIONS") {
            self.max_connections = parse("ALLMENDE_RELAY_MAX_CONNECTIONS", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_MESSAGES_PER_SECOND") {
            self.max_messages_per_second = parse("ALLMENDE_RELAY_MAX_MESSAGES_PER_SECOND", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_PENDING_HANDSHAKES") {
            self.max_pending_handshakes = parse("ALLMENDE_RELAY_MAX_PENDING_HANDSHAKES", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_PENDING_HANDSHAKES_PER_IP") {
            self.max_pending_handshakes_per_ip =
                parse("ALLMENDE_RELAY_MAX_PENDING_HANDSHAKES_PER_IP", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_HANDSHAKE_TIMEOUT_SECS") {
            self.handshake_timeout_secs = parse("ALLMENDE_RELAY_HANDSHAKE_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_CONNECTIONS_PER_IP") {
            self.max_connections_per_ip = parse("ALLMENDE_RELAY_MAX_CONNECTIONS_PER_IP", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_CONNECTIONS_PER_KEY") {
            self.max_connections_per_key = parse("ALLMENDE_RELAY_MAX_CONNECTIONS_PER_KEY", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_NAMES") {
            self.names = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(v) = get("ALLMENDE_RELAY_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| parse("ALLMENDE_RELAY_TRUSTED_PROXIES", a))
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_METRICS_FROM") {
            self.metrics_from = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| parse("ALLMENDE_RELAY_METRICS_FROM", a))
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_IDLE_TIMEOUT_SECS") {
            self.idle_timeout_secs = parse("ALLMENDE_RELAY_IDLE_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_DOCUMENTS_PER_CONNECTION") {
            self.max_documents_per_connection =
                parse("ALLMENDE_RELAY_MAX_DOCUMENTS_PER_CONNECTION", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_MAX_EPHEMERAL_BYTES") {
            self.max_ephemeral_bytes = parse("ALLMENDE_RELAY_MAX_EPHEMERAL_BYTES", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_ALLOW_FOREIGN_DOCUMENTS") {
            self.allow_foreign_documents = parse("ALLMENDE_RELAY_ALLOW_FOREIGN_DOCUMENTS", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_ACCEPT_UNPROVEN_ITEMS") {
            self.accept_unproven_items = parse("ALLMENDE_RELAY_ACCEPT_UNPROVEN_ITEMS", &v)?;
        }
        if let Some(v) = get("ALLMENDE_RELAY_FOUNDERS") {
            self.founders = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(v) = get("ALLMENDE_RELAY_WORKERS") {
            self.workers = parse("ALLMENDE_RELAY_WORKERS", &v)?;
        }
        if self
            .names
            .iter()
            .any(|n| n.is_empty() || n.ends_with('.') || n.contains(['/', ' ', '?', '#', '@']))
        {
            return Err(ConfigError::Invalid {
                field: "names",
                message: "each name is a host or host:port, without scheme, path or trailing dot",
            });
        }
        if self.names.is_empty() && !self.trusted_proxies.is_empty() {
            return Err(ConfigError::Invalid {
                field: "names",
                message: "behind a reverse proxy (trusted_proxies), set the names devices reach \
                          the relay at: logins are signed for them",
            });
        }
        if self
            .founders
            .iter()
            .any(|k| k.len() != 64 || !k.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(ConfigError::Invalid {
                field: "founders",
                message: "each founder is a device key: 64 hexadecimal digits",
            });
        }
        if self.workers == 0 {
            return Err(ConfigError::Invalid {
                field: "workers",
                message: "at least one worker thread is needed",
            });
        }
        let at_least_one = [
            (
                "max_messages_per_second",
                self.max_messages_per_second as usize,
            ),
            ("max_pending_handshakes", self.max_pending_handshakes),
            (
                "max_pending_handshakes_per_ip",
                self.max_pending_handshakes_per_ip,
            ),
            (
                "handshake_timeout_secs",
                self.handshake_timeout_secs as usize,
            ),
            ("max_connections_per_ip", self.max_connections_per_ip),
            ("max_connections_per_key", self.max_connections_per_key),
            (
                "max_documents_per_connection",
                self.max_documents_per_connection,
            ),
        ];
        if let Some((field, _)) = at_least_one.iter().find(|(_, v)| *v == 0) {
            return Err(ConfigError::Invalid {
                field,
                message: "must be at least 1",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_defaults() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("relay.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:4000\"\nmax_connections = 10\n")
            .expect("write");
        let mut c = Config::load(Some(&file)).expect("load");
        assert_eq!(c.listen.port(), 4000);
        assert_eq!(c.max_connections, 10);
        c.apply_env(|n| (n == "ALLMENDE_RELAY_MAX_CONNECTIONS").then(|| "20".to_string()))
            .expect("env");
        assert_eq!(c.max_connections, 20);
        assert_eq!(c.workers, 1);
        c.apply_env(|n| (n == "ALLMENDE_RELAY_WORKERS").then(|| "4".to_string()))
            .expect("env");
        assert_eq!(c.workers, 4);
        c.apply_env(|n| {
            (n == "ALLMENDE_RELAY_NAMES").then(|| "relay.example, relay.example:8443".to_string())
        })
        .expect("env");
        assert_eq!(c.names, ["relay.example", "relay.example:8443"]);
        assert!(c
            .apply_env(|n| (n == "ALLMENDE_RELAY_NAMES").then(|| "ws://relay.example".to_string()))
            .is_err());
        // Behind a reverse proxy the names are needed: logins are signed for them.
        let mut proxied = Config {
            trusted_proxies: vec!["10.0.0.1".parse().expect("ip")],
            ..Config::default()
        };
        assert!(proxied.apply_env(|_| None).is_err());
        proxied.names = vec!["relay.example".into()];
        assert!(proxied.apply_env(|_| None).is_ok());
        let key = "aB".repeat(32);
        let mut founded = Config::default();
        founded
            .apply_env(|n| (n == "ALLMENDE_RELAY_FOUNDERS").then(|| format!("{key}, ")))
            .expect("env");
        assert_eq!(founded.founders, [key]);
        assert!(
            founded
                .apply_env(|n| (n == "ALLMENDE_RELAY_FOUNDERS").then(|| "Anna".to_string()))
                .is_err(),
            "a founder is a device key"
        );
        assert!(c
            .apply_env(|n| (n == "ALLMENDE_RELAY_WORKERS").then(|| "0".to_string()))
            .is_err());
        assert!(c
            .apply_env(|n| (n == "ALLMENDE_RELAY_LISTEN").then(|| "nowhere".to_string()))
            .is_err());
        std::fs::write(&file, "colour = \"blue\"\n").expect("write");
        assert!(matches!(
            Config::load(Some(&file)),
            Err(ConfigError::Parse { .. })
        ));
    }

    /// `relay.example.toml` (shipped for operators) lists every setting, at its default:
    /// a setting added to `Config` and not to the example fails here.
    #[test]
    fn the_example_configuration_lists_every_setting_at_its_default() {
        let example = include_str!("../relay.example.toml");
        let parsed: Config = toml::from_str(example).expect("the example parses");
        assert_eq!(parsed, Config::default(), "the example shows the defaults");
        let keys = |text: &str| -> std::collections::BTreeSet<String> {
            text.lines()
                .map(|l| l.trim_start_matches("# ").trim())
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.to_string()))
                .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .collect()
        };
        let every: std::collections::BTreeSet<String> =
            match toml::Value::try_from(Config::default()).expect("serialise") {
                toml::Value::Table(t) => t.keys().cloned().collect(),
                other => panic!("not a table: {other:?}"),
            };
        let listed = keys(example);
        let missing: Vec<&String> = every.difference(&listed).collect();
        assert!(missing.is_empty(), "not in relay.example.toml: {missing:?}");
    }
}
