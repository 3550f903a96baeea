//! The device key: an ed25519 key pair made on first start. Its public key is the Automerge
//! actor id of every change this device writes, so every change is attributable to a device.

use automerge::ActorId;
use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;

/// This device's identity.
#[derive(Clone)]
pub struct DeviceKey {
    key: SigningKey,
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
        }
    }

    /// The key from its 32 secret bytes.
    #[must_use]
    pub fn from_secret(bytes: &[u8; 32]) -> Self {
        DeviceKey {
            key: SigningKey::from_bytes(bytes),
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
        ActorId::from(self.public_bytes())
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
