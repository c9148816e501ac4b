//! Link tokens: 256 random bits handed out once, only their hash stored.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::WriteTxn;
use crate::domain::TokenPurpose;
use crate::entities::access_token;

fn hash(token: &str) -> String {
    hex_encode(&Sha256::digest(token.as_bytes()))
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a token for `subject_id` and returns the only copy of it in clear.
pub async fn issue(
    txn: &WriteTxn,
    purpose: TokenPurpose,
    subject_id: Uuid,
    expires_at: Option<DateTime<Utc>>,
) -> Result<String, DbErr> {
    let (token, row) = new_token(purpose, subject_id, expires_at);
    access_token::Entity::insert(row)
        .exec_without_returning(txn)
        .await?;
    Ok(token)
}

/// A token in clear and the row that stores its hash, for callers that
/// insert many rows in one statement.
pub fn new_token(
    purpose: TokenPurpose,
    subject_id: Uuid,
    expires_at: Option<DateTime<Utc>>,
) -> (String, access_token::ActiveModel) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let row = access_token::ActiveModel {
        token_hash: Set(hash(&token)),
        purpose: Set(purpose),
        subject_id: Set(subject_id),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
    };
    (token, row)
}

/// The subject a token stands for, if it exists, has this purpose and has
/// not expired.
pub async fn resolve(
    db: &impl ConnectionTrait,
    purpose: TokenPurpose,
    token: &str,
) -> Result<Option<Uuid>, DbErr> {
    // Tokens we hand out are 43 characters; skip the lookup for junk.
    if token.len() != 43 {
        return Ok(None);
    }
    let found = access_token::Entity::find_by_id(hash(token))
        .one(db)
        .await?;
    Ok(found
        .filter(|t| t.purpose == purpose)
        .filter(|t| t.expires_at.is_none_or(|at| at > Utc::now()))
        .map(|t| t.subject_id))
}

/// Uses up a single-use token in the caller's transaction: the subject if
/// the token is live and this transaction was the one that deleted it, so
/// two requests with one link cannot both pass.
pub async fn consume(
    txn: &WriteTxn,
    purpose: TokenPurpose,
    token: &str,
) -> Result<Option<Uuid>, DbErr> {
    let Some(subject) = resolve(txn, purpose, token).await? else {
        return Ok(None);
    };
    let deleted = access_token::Entity::delete_by_id(hash(token))
        .exec(txn)
        .await?;
    Ok((deleted.rows_affected == 1).then_some(subject))
}

/// Deletes every token of `subject_id` for `purpose`: a used reset link
/// takes the older ones with it.
pub async fn revoke_all(
    txn: &WriteTxn,
    purpose: TokenPurpose,
    subject_id: Uuid,
) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(access_token::Entity::delete_many()
        .filter(access_token::Column::Purpose.eq(purpose))
        .filter(access_token::Column::SubjectId.eq(subject_id))
        .exec(txn)
        .await?
        .rows_affected)
}

/// The subject of a token that exists with this purpose but has run out:
/// so a page can offer a new link instead of only saying "expired".
pub async fn resolve_expired(
    db: &impl ConnectionTrait,
    purpose: TokenPurpose,
    token: &str,
) -> Result<Option<Uuid>, DbErr> {
    if token.len() != 43 {
        return Ok(None);
    }
    let found = access_token::Entity::find_by_id(hash(token))
        .one(db)
        .await?;
    Ok(found
        .filter(|t| t.purpose == purpose)
        .filter(|t| t.expires_at.is_some_and(|at| at <= Utc::now()))
        .map(|t| t.subject_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_sha256() {
        let h = hash("abc");
        assert_eq!(h.len(), 64);
        assert_eq!(&h[..8], "ba7816bf");
    }
}
