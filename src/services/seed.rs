//! Demonstration data for a fresh database, so `cargo run` shows something
//! real: the 14 December partnership meeting and one past event.
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use sea_orm::{ActiveValue::Set, DbErr, EntityTrait, PaginatorTrait};
use uuid::Uuid;

use crate::db::WriteTxn;
use crate::domain::{Eligibility, EventStatus};
use crate::entities::event;
use crate::entities::pilot;

/// Inserts the seed events and pilot where there are none yet.
pub async fn seed_if_empty(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let seeded = seed_in(&txn, now).await?;
    txn.commit().await?;
    Ok(seeded)
}

async fn seed_in(db: &WriteTxn, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let pilot_seeded = seed_pilot_if_none(db, now).await?;
    if event::Entity::find().count(db).await? > 0 {
        return Ok(pilot_seeded);
    }
    let meeting_day = next_fourteenth_of_december(now);
    let meeting = event_row(
        "partnerships-voor-meer-banen",
        ("Partnerships voor meer banen", "Partnerships for more jobs"),
        (
            "Overheid en onderwijs zoeken samen met marktpartijen ruimte in hun inkoopcontracten \
             (schoonmaak, catering, facilitaire dienstverlening) om banen te creëren voor mensen \
             met een arbeidsbeperking. In deze bijeenkomst leert u hoe u een partnership opzet \
             en hoort u over de proeftuinen. Het doel: dit jaar 15 partnerships van start.",
            "Public employers and market suppliers look for room in procurement contracts \
             (cleaning, catering, facility services) to create jobs for people with a work \
             disability. Learn how to set up a partnership and hear about the pilots. The goal: \
             15 partnerships starting this year.",
        ),
        "Den Haag",
        amsterdam_time(meeting_day, 13),
        amsterdam_time(meeting_day, 17),
        80,
    );
    let past_day = (now - Duration::days(90))
        .with_timezone(&Amsterdam)
        .date_naive();
    let past = event_row(
        "kennismaking-banenafspraak",
        (
            "Kennismaking banenafspraak",
            "Introduction to the jobs agreement",
        ),
        (
            "Een eerdere bijeenkomst over de banenafspraak in de publieke sector.",
            "An earlier meeting about the jobs agreement in the public sector.",
        ),
        "Utrecht",
        amsterdam_time(past_day, 10),
        amsterdam_time(past_day, 12),
        40,
    );
    event::Entity::insert_many([meeting, past])
        .exec_without_returning(db)
        .await?;
    Ok(true)
}

async fn seed_pilot_if_none(db: &WriteTxn, now: DateTime<Utc>) -> Result<bool, DbErr> {
    if pilot::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    pilot::Entity::insert(pilot::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set("proeftuin-partnerships-voor-meer-banen".into()),
        title_nl: Set("Proeftuin partnerships voor meer banen".into()),
        title_en: Set("Pilot: partnerships for more jobs".into()),
        description_nl: Set(
            "Werkgevers uit de sectoren Overheid en Onderwijs gaan samen met hun leveranciers \
             (schoonmaak, catering, groenonderhoud, facilitaire dienstverlening) aan de slag om via \
             hun inkoopcontracten banen te creëren voor mensen met een arbeidsbeperking. \
             Deelname staat alleen open voor werkgevers uit Overheid en Onderwijs."
                .into(),
        ),
        description_en: Set(
            "Employers in the Government and Education sectors work with their suppliers \
             (cleaning, catering, green maintenance, facility services) to create jobs for people \
             with a work disability through their procurement contracts. Only employers in \
             Government and Education can take part."
                .into(),
        ),
        category: Set(crate::domain::Category::FacilityServices),
        opens_at: Set(now),
        closes_at: Set(now + Duration::days(120)),
        max_participants: Set(15),
        status: Set(pilot::PilotStatus::Open),
        sectors: Set(pilot::PilotSectors::all_public()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(true)
}

/// The next 14 December that is still ahead of `now`.
pub fn next_fourteenth_of_december(now: DateTime<Utc>) -> NaiveDate {
    let today = now.with_timezone(&Amsterdam).date_naive();
    let this_year = NaiveDate::from_ymd_opt(today.year(), 12, 14).unwrap_or(today);
    if this_year > today {
        this_year
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, 12, 14).unwrap_or(today)
    }
}

fn amsterdam_time(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    let local = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    Amsterdam
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

fn event_row(
    slug: &str,
    (title_nl, title_en): (&str, &str),
    (description_nl, description_en): (&str, &str),
    location: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: i32,
) -> event::ActiveModel {
    let now = Utc::now();
    event::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set(slug.into()),
        title_nl: Set(title_nl.into()),
        title_en: Set(title_en.into()),
        description_nl: Set(description_nl.into()),
        description_en: Set(description_en.into()),
        location: Set(location.into()),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        capacity: Set(capacity),
        waitlist_enabled: Set(true),
        eligibility: Set(Eligibility::Open),
        status: Set(EventStatus::Published),
        registration_opens_at: Set(None),
        registration_closes_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        reminder_days_before: Set(2),
        reminder_sent_at: Set(None),
        call_off_message: Set(None),
        confirmation_note_nl: Set(None),
        confirmation_note_en: Set(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meeting_is_the_coming_fourteenth_of_december() {
        let nov = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        assert_eq!(
            next_fourteenth_of_december(nov),
            NaiveDate::from_ymd_opt(2026, 12, 14).unwrap()
        );
        let after = Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap();
        assert_eq!(
            next_fourteenth_of_december(after),
            NaiveDate::from_ymd_opt(2027, 12, 14).unwrap()
        );
    }

    #[test]
    fn the_meeting_starts_at_one_in_amsterdam() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
        assert_eq!(
            amsterdam_time(day, 13),
            Utc.with_ymd_and_hms(2026, 12, 14, 12, 0, 0).unwrap()
        );
    }
}
