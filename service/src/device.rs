//! The device key: an ed25519 key pair made on first start. Its public key is the Automerge
//! actor id of every change this device writes, so every change is attributable to a device.
//! A data directory restored from a backup writes under a new actor id derived from the key
//! and a salt made at the restore (`with_actor_salt`): the changes it made after the backup
//! may already be with other devices, and Automerge must never see two different changes with
//! the same actor and sequence number (restoring the same backup twice gives two salts).

use automerge::ActorId;
use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;

/// This device's identity.
#[derive(Clone)]
pub struct DeviceKey {
    key: SigningKey,
    /// Made when this data directory was restored from a backup (empty: never restored).
    salt: String,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKey")
            .field("public", &self.public_hex())
            .finish_non_exhaustive()
    }
}

impl DeviceKey {
    /// A fresh random key.
    #[must_use]
    pub fn generate() -> Self {
        DeviceKey {
            key: SigningKey::generate(&mut OsRng),
            salt: String::new(),
        }
    }

    /// The key from its 32 secret bytes.
    #[must_use]
    pub fn from_secret(bytes: &[u8; 32]) -> Self {
        DeviceKey {
            key: SigningKey::from_bytes(bytes),
            salt: String::new(),
        }
    }

    #[must_use]
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    #[must_use]
    pub fn public_bytes(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The public key as lowercase hex: how the roster names devices.
    #[must_use]
    pub fn public_hex(&self) -> String {
        self.public_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The Automerge actor id of this device: its public key.
    #[must_use]
    pub fn actor(&self) -> ActorId {
        if self.salt.is_empty() {
            return ActorId::from(self.public_bytes());
        }
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"allmende actor after restore\0");
        h.update(self.public_bytes());
        h.update(self.salt.as_bytes());
        ActorId::from(h.finalize().to_vec())
    }

    /// The same key in a restored data directory: it signs as before, and writes under an
    /// actor id of its own.
    #[must_use]
    pub fn with_actor_salt(mut self, salt: String) -> Self {
        self.salt = salt;
        self
    }
}

impl allmende_core::governance::Signer for DeviceKey {
    fn public_hex(&self) -> String {
        DeviceKey::public_hex(self)
    }

    fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.key.sign(message).to_bytes()
    }
}
