//! Two-factor log-in with TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step
//! either side), as authenticator apps do it. The secret is stored
//! encrypted (AES-256-GCM) with a key derived from Rocket's `secret_key`,
//! bound to the account's id: a database dump alone gives no codes away,
//! and a secret copied onto another account does not decrypt.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

/// What authenticator apps show above the code.
const ISSUER: &str = "Aanmeldpunt";
const STEP_SECS: u64 = 30;
/// Prefix of the stored form, so another scheme can follow this one.
const SEALED_V1: &str = "v1:";

/// The key TOTP secrets are sealed with; managed as Rocket state.
pub struct TotpKey {
    cipher: Aes256Gcm,
    /// No `secret_key` was set: debug builds only (release refuses to start
    /// without one). The secrets are then sealed with a fixed key.
    pub development: bool,
}

impl TotpKey {
    /// From Rocket's `secret_key`. A changed `secret_key` makes the stored
    /// secrets unreadable: those staff enrol again after an admin resets
    /// their two-factor log-in.
    pub fn from_secret(secret_key: Option<&str>) -> Self {
        let development = secret_key.is_none();
        let mut hasher = Sha256::new();
        hasher.update(b"aanmeldpunt totp secret v1\0");
        hasher.update(secret_key.unwrap_or("development only").as_bytes());
        let key = hasher.finalize();
        TotpKey {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
            development,
        }
    }

    /// The secret as stored for `staff_id`.
    pub fn seal(&self, staff_id: Uuid, secret: &[u8]) -> Option<String> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: secret,
            aad: staff_id.as_bytes(),
        };
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .ok()?;
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&sealed);
        Some(format!("{SEALED_V1}{}", STANDARD_NO_PAD.encode(stored)))
    }

    /// The secret stored for `staff_id`, if this key sealed it for them.
    pub fn open(&self, staff_id: Uuid, stored: &str) -> Option<Vec<u8>> {
        let raw = STANDARD_NO_PAD
            .decode(stored.strip_prefix(SEALED_V1)?)
            .ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, sealed) = raw.split_at(12);
        let payload = Payload {
            msg: sealed,
            aad: staff_id.as_bytes(),
        };
        self.cipher.decrypt(Nonce::from_slice(nonce), payload).ok()
    }
}

/// A new random secret: 160 bits, as RFC 4226 recommends for SHA-1.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.to_vec())
        .build()
        .ok()
}

/// The time step (30 s since the epoch) whose code `code` is, from one
/// step before now to one after; `None` for a wrong code. The caller
/// refuses a step it accepted before.
pub fn matching_step(secret: &[u8], code: &str, now_unix: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = totp(secret)?.check(&code, now_unix)?;
    i64::try_from(step).ok()
}

/// The code for the step of `unix` (tests, and nobody else).
pub fn code_at(secret: &[u8], unix: u64) -> Option<String> {
    Some(totp(secret)?.generate(unix).to_string())
}

/// The secret as people type it into an app: base32, in groups of four.
pub fn secret_text(secret: &[u8]) -> String {
    let encoded = Secret::from(secret.to_vec()).to_base32();
    encoded
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` URI that the QR code holds.
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    let encoded = Secret::from(secret.to_vec()).to_base32();
    let label = utf8_percent_encode(&format!("{ISSUER}:{account}"), NON_ALPHANUMERIC).to_string();
    format!(
        "otpauth://totp/{label}?secret={encoded}&issuer={ISSUER}&algorithm=SHA1&digits=6&period={STEP_SECS}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_rfc_6238_and_one_step_either_side() {
        // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890".
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59).unwrap(), "287082");
        assert_eq!(matching_step(secret, "287082", 59), Some(1));
        assert_eq!(matching_step(secret, "287 082", 89), Some(1));
        assert_eq!(matching_step(secret, "287082", 119), None);
        assert_eq!(matching_step(secret, "28708", 59), None);
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_account_and_key() {
        let key = TotpKey::from_secret(Some("one key"));
        let id = Uuid::new_v4();
        let sealed = key.seal(id, b"secret bytes").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(key.open(id, &sealed).unwrap(), b"secret bytes");
        assert!(key.open(Uuid::new_v4(), &sealed).is_none());
        assert!(TotpKey::from_secret(Some("another"))
            .open(id, &sealed)
            .is_none());
    }
}
