//! Every column of the schema is either listed in `PERSONAL_DATA` (what
//! erasure and the purge take care of) or below, reviewed as holding no
//! one's personal data. A new column fails this test until someone decides
//! which it is.
use std::collections::BTreeSet;

use aanmeldpunt::services::privacy::PERSONAL_DATA;

use crate::dump;
use crate::helpers::spawn_app;

/// Columns that hold no personal data, per table, and why not.
const NOT_PERSONAL: &[(&str, &[&str], &str)] = &[
    (
        "access_tokens",
        &["token_hash", "purpose", "created_at", "expires_at"],
        "a hash of a link token: the link cannot be rebuilt from it",
    ),
    (
        "application_transitions",
        &[
            "id",
            "application_id",
            "from_status",
            "to_status",
            "created_at",
        ],
        "the steps of a decision",
    ),
    (
        "audit_log",
        &["id", "action", "created_at"],
        "what happened when",
    ),
    (
        "event_messages",
        &[
            "id",
            "event_id",
            "audience",
            "subject",
            "body",
            "recipients",
            "created_at",
        ],
        "what organisers told a meeting's people, and to how many; no names",
    ),
    (
        "event_seats",
        &["event_id", "confirmed", "waitlisted", "last_queue_number"],
        "counts",
    ),
    (
        "events",
        &[
            "id",
            "slug",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "location",
            "starts_at",
            "ends_at",
            "capacity",
            "waitlist_enabled",
            "eligibility",
            "status",
            "registration_opens_at",
            "registration_closes_at",
            "created_at",
            "updated_at",
            "reminder_days_before",
            "reminder_sent_at",
            "call_off_message",
            "confirmation_note_nl",
            "confirmation_note_en",
        ],
        "the meeting, as published",
    ),
    (
        "organisation_corrections",
        &[
            "id",
            "organisation_id",
            "action",
            "value",
            "reason",
            "created_at",
        ],
        "a correction to the public register and its source",
    ),
    (
        "organisation_domains",
        &["domain", "organisation_id", "source"],
        "organisations' own domains, from the public register",
    ),
    (
        "organisation_names",
        &["name_key", "organisation_id"],
        "organisations' names, folded for matching",
    ),
    (
        "register_imports",
        &[
            "id",
            "file_name",
            "format",
            "dataset",
            "full",
            "register_date",
            "added",
            "updated",
            "unchanged",
            "renamed",
            "skipped",
            "rejected",
            "deactivated",
            "deactivated_by_kind",
            "created_at",
        ],
        "which register file was read, and its counts",
    ),
    (
        "organisations",
        &[
            "id",
            "name",
            "abbreviation",
            "kind",
            "sector",
            "oin",
            "kvk",
            "organisation_code",
            "register_id",
            "website_domain",
            "source",
            "active",
            "cao",
            "dataset",
            "public_employer",
            "sector_basis",
            "successor_id",
            "created_at",
            "updated_at",
        ],
        "the public register of organisations",
    ),
    (
        "outbox",
        &[
            "id",
            "kind",
            "event_id",
            "registration_id",
            "application_id",
            "status",
            "attempts",
            "next_attempt_at",
            "locked_until",
            "claimed_by",
            "created_at",
            "sent_at",
        ],
        "a mail's kind, state and times",
    ),
    (
        "partnership_stage_changes",
        &[
            "id",
            "partnership_id",
            "from_stage",
            "to_stage",
            "changed_at",
        ],
        "a partnership's history",
    ),
    (
        "partnership_targets",
        &["year", "started_target", "jobs_target", "updated_at"],
        "the programme's targets",
    ),
    (
        "partnerships",
        &[
            "id",
            "buyer_organisation_id",
            "buyer_name",
            "sector",
            "supplier_name",
            "supplier_kvk",
            "category",
            "application_id",
            "stage",
            "planned_hours_per_week",
            "realised_hours_per_week",
            "started_at",
            "created_at",
            "updated_at",
            "search_key",
        ],
        "two organisations and their contract; no contact person",
    ),
    (
        "pilot_applications",
        &[
            "id",
            "pilot_id",
            "organisation_id",
            "organisation_name",
            "organisation_key",
            "sector",
            "current_suppliers",
            "market_partner",
            "expected_jobs",
            "lang",
            "status",
            "eligibility_decision",
            "eligibility_reason",
            "created_at",
            "verified_at",
            "updated_at",
            "duplicate_of",
            "holds_place",
            "vouched_at",
        ],
        "the organisation and its application; the contact is personal",
    ),
    (
        "pilots",
        &[
            "id",
            "slug",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "category",
            "opens_at",
            "closes_at",
            "max_participants",
            "status",
            "sectors",
            "created_at",
            "updated_at",
        ],
        "the pilot, as published, and which sectors may apply",
    ),
    (
        "rate_limits",
        &["key", "window_index", "hits", "expires_at"],
        "keyed hashes of addresses and IPs, gone when the window ends",
    ),
    (
        "registrations",
        &[
            "id",
            "event_id",
            "organisation",
            "sector",
            "lang",
            "status",
            "queue_number",
            "ics_sequence",
            "calendar_uid",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "updated_at",
        ],
        "a seat and its state; which employers came is the programme's record",
    ),
    (
        "staff_sessions",
        &[
            "id_hash",
            "staff_id",
            "created_at",
            "last_seen_at",
            "expires_at",
        ],
        "a hash of the session cookie and its times",
    ),
    (
        "staff_users",
        &[
            "id",
            "role",
            "password_hash",
            "failed_logins",
            "locked_until",
            "active",
            "created_at",
            "totp_secret",
            "totp_enabled_at",
            "totp_last_step",
        ],
        "an account's role and state; the TOTP secret is a credential, encrypted",
    ),
    (
        "app_settings",
        &["key", "value", "updated_at"],
        "the app's own settings",
    ),
];

#[rocket::async_test]
async fn every_column_is_either_personal_data_or_reviewed_as_not() {
    let app = spawn_app().await;
    let schema: BTreeSet<(String, String)> = dump::columns(&app.db).await.into_iter().collect();
    let mut classified = BTreeSet::new();
    for entry in PERSONAL_DATA {
        for column in entry.columns {
            classified.insert((entry.table.to_owned(), (*column).to_owned()));
        }
    }
    for (table, columns, _why) in NOT_PERSONAL {
        for column in *columns {
            let key = (table.to_string(), column.to_string());
            assert!(
                classified.insert(key),
                "{table}.{column} is both personal and not"
            );
        }
    }
    let unclassified: Vec<_> = schema.difference(&classified).collect();
    assert!(
        unclassified.is_empty(),
        "columns nobody classified; add each to PERSONAL_DATA \
         (src/services/privacy/mod.rs) or to NOT_PERSONAL here: {unclassified:?}"
    );
    let gone: Vec<_> = classified.difference(&schema).collect();
    assert!(
        gone.is_empty(),
        "classified columns the schema no longer has: {gone:?}"
    );
}
