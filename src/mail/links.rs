//! Links that open something (a sign-up, a check-in, an application) are
//! issued when their mail is sent, not when it is queued. The outbox row
//! holds only what to issue; the token exists in clear in the mail alone,
//! and in the database as a hash. A dump of the database, with its pending
//! and failed mail, opens nobody's sign-up.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{DbErr, EntityTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::WriteTxn;
use crate::domain::TokenPurpose;
use crate::entities::{access_token, outbox};
use crate::services::tokens;

/// The key of a mail's context under which its links wait.
const LINKS: &str = "links_to_issue";

/// One link to issue at send time: a token for `purpose` and `subject_id`
/// after `path`, put into the context field it is named by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkToIssue {
    purpose: String,
    subject_id: Uuid,
    path: String,
    expires_at: Option<DateTime<Utc>>,
    /// Seconds the link is valid from the moment it is issued (sent),
    /// instead of a fixed `expires_at`: a mail that waited in the outbox
    /// still gives its reader the whole time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_for_secs: Option<i64>,
}

impl LinkToIssue {
    /// A link to `path` followed by a new token (`/manage/` + token).
    pub fn new(
        purpose: TokenPurpose,
        subject_id: Uuid,
        path: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            purpose: purpose.as_str().to_owned(),
            subject_id,
            path: path.to_owned(),
            expires_at,
            valid_for_secs: None,
        }
    }

    /// A link whose token is valid for `valid_for` from when it is sent.
    pub fn valid_for(
        purpose: TokenPurpose,
        subject_id: Uuid,
        path: &str,
        valid_for: chrono::Duration,
    ) -> Self {
        Self {
            valid_for_secs: Some(valid_for.num_seconds()),
            ..Self::new(purpose, subject_id, path, None)
        }
    }
}

/// The links of one mail, by the context field each fills in; serialised
/// into the context as `links_to_issue`.
pub type LinksToIssue = BTreeMap<&'static str, LinkToIssue>;

/// Issues the tokens of the claimed `rows` in the claim's transaction and
/// fills their links into the rows' contexts, in memory only: what is
/// stored keeps no token. A row whose claim runs out before it is sent is
/// claimed again and gets new tokens; the earlier ones open the same thing
/// and are gone with the person on erasure.
pub async fn issue(
    txn: &WriteTxn,
    rows: &mut [outbox::Model],
    base_url: &str,
) -> Result<(), DbErr> {
    let mut token_rows: Vec<access_token::ActiveModel> = Vec::new();
    for row in rows.iter_mut() {
        let Some(context) = row.context.as_deref() else {
            continue;
        };
        let Ok(mut context) = serde_json::from_str::<serde_json::Value>(context) else {
            continue;
        };
        let Some(fields) = context.as_object_mut() else {
            continue;
        };
        let Some(links) = fields.remove(LINKS) else {
            continue;
        };
        // A row whose links cannot be read keeps its context as stored: its
        // render fails and it ends failed in the mail log, while the rest of
        // the batch goes out. An error here would roll back every claim.
        let Ok(links) = serde_json::from_value::<BTreeMap<String, LinkToIssue>>(links) else {
            tracing::error!(outbox_id = row.id, "links of the mail cannot be read");
            continue;
        };
        let Some(issued) = links
            .into_iter()
            .map(|(field, link)| {
                let purpose = TokenPurpose::from_name(&link.purpose)?;
                let expires_at = link
                    .valid_for_secs
                    .map(|secs| Utc::now() + chrono::Duration::seconds(secs))
                    .or(link.expires_at);
                let (token, token_row) = tokens::new_token(purpose, link.subject_id, expires_at);
                Some((field, format!("{base_url}{}{token}", link.path), token_row))
            })
            .collect::<Option<Vec<_>>>()
        else {
            tracing::error!(
                outbox_id = row.id,
                "a link of the mail has an unknown purpose"
            );
            continue;
        };
        for (field, url, token_row) in issued {
            token_rows.push(token_row);
            fields.insert(field, url.into());
        }
        row.context = Some(context.to_string());
    }
    if !token_rows.is_empty() {
        access_token::Entity::insert_many(token_rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
