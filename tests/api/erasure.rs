//! Erased means erased: people sign up through every path the app has, mail
//! goes out through the file transport, then they are erased (by
//! themselves, by staff, by the purge) and the whole database and the mail
//! folder are searched for their names, addresses, words and link tokens.
use aanmeldpunt::domain::OutboxStatus;
use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::outbox;
use aanmeldpunt::services::privacy::{self, Retention};
use aanmeldpunt::services::{register::RegisterFormat, reminders, Services};
use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

use crate::dump;
use crate::helpers::{application_body, spawn_app_with, EventSpec, TestApp, ROO_FIXTURE};

const SLUG: &str = "partnerships-voor-meer-banen";

#[derive(Clone, Copy, Debug)]
enum Eraser {
    ThePerson,
    Staff,
    ThePurge,
}

/// What is left of the people who were erased: nothing.
#[rocket::async_test]
async fn a_person_who_erases_their_sign_up_leaves_no_trace() {
    erase_everyone(Eraser::ThePerson).await;
}

#[rocket::async_test]
async fn a_person_staff_erase_on_request_leaves_no_trace() {
    erase_everyone(Eraser::Staff).await;
}

#[rocket::async_test]
async fn the_retention_purge_leaves_no_trace() {
    erase_everyone(Eraser::ThePurge).await;
}

/// Words only these people's data holds.
const ANNABEL: &str = "annabel.zwartkruis@utrecht.nl";
const DAAN: &str = "daan.vlietstra@utrecht.nl";
const PIETER: &str = "pieter.ploegmaker@utrecht.nl";
const TRACES: &[&str] = &["zwartkruis", "vlietstra", "ploegmaker", "0612345678"];

async fn erase_everyone(eraser: Eraser) {
    let mail_dir = tempfile::tempdir().unwrap();
    let folder = mail_dir.path().to_path_buf();
    let app = spawn_app_with(|figment| {
        figment
            .merge(("mail_transport", "files"))
            .merge(("mail_dir", folder.to_str().unwrap()))
    })
    .await;
    let services = app.client.rocket().state::<Services>().unwrap();
    app.create_event(EventSpec {
        capacity: 2,
        starts_at: Utc::now() + Duration::days(10),
        ..Default::default()
    })
    .await;
    let csrf = app.log_in_as(Role::Organiser).await;

    // Bert signs up through the API; he is not erased and must stay.
    let (status, _) = app.sign_up_api(SLUG, "bert@utrecht.nl").await;
    assert_eq!(status, Status::Created);
    // Daan is added by hand at the organiser's desk.
    let added = app
        .post_form(
            &format!("/admin/events/{SLUG}/attendees"),
            &[
                ("csrf", &csrf),
                ("name", "Daan Vlietstra"),
                ("email", DAAN),
                ("organisation", "Gemeente Utrecht"),
                ("sector", "GEM"),
            ],
        )
        .await;
    assert_eq!(added.status(), Status::SeeOther);
    // Annabel signs up on the form when it is full, then again by API.
    let form = app
        .submit_form(
            &format!("/events/{SLUG}/registrations?lang=nl"),
            &[
                ("name", "Annabel Zwartkruis"),
                ("email", ANNABEL),
                ("organisation", "Gemeente Utrecht"),
                ("sector", "GEM"),
                ("job_title", "Inkoper, team Zwartkruis"),
                ("remarks", "Mevrouw Zwartkruis komt met een rolstoel"),
            ],
        )
        .await;
    assert_eq!(form.status(), Status::SeeOther);
    let (status, _) = app.sign_up_api(SLUG, ANNABEL).await;
    assert_eq!(status, Status::Conflict, "a second sign-up");
    app.send_pending_mail().await;

    // Bert cancels: Annabel moves up. The organiser moves her back and
    // forth, changes the meeting, sends reminders, checks her in at the
    // door and sends her confirmation again; and exports the list.
    let bert = manage_link(&folder, "bert@utrecht.nl");
    assert_eq!(
        app.submit_form(&format!("{bert}/cancel"), &[])
            .await
            .status(),
        Status::SeeOther
    );
    let annabel = registration_id(&app, ANNABEL).await;
    for to in ["waitlisted", "confirmed"] {
        let moved = app
            .post_form(
                &format!("/admin/registrations/{annabel}/move"),
                &[("csrf", &csrf), ("to", to)],
            )
            .await;
        assert_eq!(moved.status(), Status::SeeOther, "move to {to}");
    }
    let edited = app
        .post_form(
            &format!("/admin/events/{SLUG}/edit"),
            &[
                ("csrf", &csrf),
                ("slug", SLUG),
                ("title_nl", "Partnerships voor meer banen"),
                ("title_en", "Partnerships for more jobs"),
                ("description_nl", "Bijeenkomst."),
                ("description_en", "Meeting."),
                ("location", "Utrecht, Stadhuis"),
                (
                    "date",
                    &(Utc::now() + Duration::days(10))
                        .format("%Y-%m-%d")
                        .to_string(),
                ),
                ("start_time", "14:00"),
                ("end_time", "17:00"),
                ("capacity", "2"),
                ("waitlist", "true"),
                ("reminder_days", "2"),
                // The mails of the move carry names too.
                ("notify", "everyone"),
            ],
        )
        .await;
    assert_eq!(edited.status(), Status::SeeOther);
    assert!(
        reminders::send_due(services, Utc::now() + Duration::days(9))
            .await
            .unwrap()
            >= 2
    );
    let daan = registration_id(&app, DAAN).await;
    for id in [annabel, daan] {
        let checked_in = app
            .post_form(
                &format!("/admin/registrations/{id}/checkin"),
                // Before the meeting's day: on purpose.
                &[("csrf", &csrf), ("outside_meeting_day", "true")],
            )
            .await;
        assert_eq!(checked_in.status(), Status::SeeOther);
    }
    app.send_pending_mail().await;
    let confirmation = app
        .outbox()
        .await
        .into_iter()
        .find(|m| m.recipient == ANNABEL)
        .unwrap();
    // Her confirmation once failed (the relay was down); staff resend it.
    let mut failed: outbox::ActiveModel = confirmation.clone().into();
    failed.status = Set(OutboxStatus::Failed);
    failed.last_error = Set(Some(format!("550 mailbox {ANNABEL} unavailable")));
    failed.update(&app.db).await.unwrap();
    let resent = app
        .post_form(
            &format!("/admin/mail/{}/resend", confirmation.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(resent.status(), Status::SeeOther);
    let export = app
        .get(&format!("/admin/events/{SLUG}/attendees/export/csv"))
        .await;
    assert!(export.into_string().await.unwrap().contains(ANNABEL));

    // Pieter applies for a pilot and confirms his address.
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_pilot("proeftuin", 15, true).await;
    let mut application = application_body("Gemeente Utrecht", "GEM", PIETER);
    application["contact_name"] = "Pieter Ploegmaker".into();
    application["phone"] = "0612345678".into();
    application["motivation"] = "Ploegmaker wil banen creëren via het contract.".into();
    let (status, body) = app
        .post_json("/api/v1/pilots/proeftuin/applications", &application)
        .await;
    assert_eq!(status, Status::Created, "{body}");
    app.send_pending_mail().await;
    let verify = link(&folder, PIETER, "/applications/verify/");
    assert_eq!(app.submit_form(&verify, &[]).await.status(), Status::Ok);
    app.send_pending_mail().await;

    let tokens = every_link_token(&folder, &[ANNABEL, DAAN, PIETER]);
    assert!(tokens.len() >= 4, "their links: {tokens:?}");
    let before = format!(
        "{}{}",
        dump::everything(&app.db).await,
        dump::folder(&folder)
    )
    .to_lowercase();
    for trace in TRACES {
        assert!(before.contains(trace), "the search finds {trace} before");
    }

    let application_link = link(&folder, PIETER, "/applications/");
    match eraser {
        Eraser::ThePerson => {
            for address in [ANNABEL, DAAN] {
                let manage = manage_link(&folder, address);
                let erased = app.submit_form(&format!("{manage}/erase"), &[]).await;
                assert_eq!(erased.status(), Status::SeeOther, "{address}");
            }
            let erased = app
                .submit_form(&format!("{application_link}/erase"), &[])
                .await;
            assert_eq!(erased.status(), Status::SeeOther);
        }
        Eraser::Staff => {
            for id in [annabel, daan] {
                let erased = app
                    .post_form(
                        &format!("/admin/registrations/{id}/erase"),
                        &[("csrf", &csrf)],
                    )
                    .await;
                assert_eq!(erased.status(), Status::SeeOther);
            }
            let erased = app
                .submit_form(&format!("{application_link}/erase"), &[])
                .await;
            assert_eq!(erased.status(), Status::SeeOther);
        }
        Eraser::ThePurge => {
            let retention = Retention {
                after_event_days: 30,
                application_days: 365,
                audit_days: 730,
            };
            let purged =
                privacy::purge(services, Utc::now() + Duration::days(400), retention, false)
                    .await
                    .unwrap();
            assert!(
                purged.registrations >= 3 && purged.applications == 1,
                "{purged:?}"
            );
        }
    }
    // Nothing about them is left to send either.
    app.send_pending_mail().await;

    let after = format!(
        "{}{}",
        dump::everything(&app.db).await,
        dump::folder(&folder)
    );
    let lowered = after.to_lowercase();
    for trace in TRACES.iter().copied().chain([ANNABEL, DAAN, PIETER]) {
        let left: Vec<_> = after
            .lines()
            .filter(|line| line.to_lowercase().contains(trace))
            .collect();
        assert!(left.is_empty(), "{eraser:?} left {trace}: {left:#?}");
    }
    for token in &tokens {
        assert!(
            !after.contains(token.as_str()),
            "{eraser:?} left a link token"
        );
    }
    links_lead_nowhere(&tokens, &app).await;
    if !matches!(eraser, Eraser::ThePurge) {
        assert!(lowered.contains("bert@utrecht.nl"), "the others stay");
    }
    assert!(
        lowered.contains("gemeente utrecht"),
        "the organisations stay"
    );
}

/// Every link they were sent leads nowhere now.
async fn links_lead_nowhere(tokens: &[String], app: &TestApp) {
    for token in tokens {
        for path in [format!("/manage/{token}"), format!("/applications/{token}")] {
            let status = app.get(&path).await.status();
            assert_eq!(status, Status::NotFound, "{path}");
        }
    }
}

async fn registration_id(app: &TestApp, address: &str) -> uuid::Uuid {
    app.registrations()
        .await
        .into_iter()
        .find(|r| r.email == address)
        .unwrap()
        .id
}

/// The texts of the mails in the folder to `address`, oldest first.
fn mails_to(folder: &std::path::Path, address: &str) -> Vec<String> {
    let mut mails: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let raw = std::fs::read(entry.path()).ok()?;
            let message = mail_parser::MessageParser::default().parse(&raw)?;
            let to = message.to()?.first()?.address()?.to_owned();
            (to == address).then(|| {
                let modified = entry.metadata().unwrap().modified().unwrap();
                (
                    modified,
                    message.body_text(0).unwrap_or_default().into_owned(),
                )
            })
        })
        .collect();
    mails.sort();
    mails.into_iter().map(|(_, text)| text).collect()
}

/// The newest link in a mail to `address` that starts with `prefix`.
fn link(folder: &std::path::Path, address: &str, prefix: &str) -> String {
    let pattern = format!(
        r"https://aanmeldpunt\.test({}[A-Za-z0-9_-]{{43}})",
        regex::escape(prefix)
    );
    let re = regex::Regex::new(&pattern).unwrap();
    mails_to(folder, address)
        .iter()
        .rev()
        .find_map(|text| re.captures(text).map(|c| c[1].to_owned()))
        .unwrap_or_else(|| panic!("no {prefix} link to {address}"))
}

fn manage_link(folder: &std::path::Path, address: &str) -> String {
    link(folder, address, "/manage/")
}

/// The link tokens in every mail to these addresses.
fn every_link_token(folder: &std::path::Path, addresses: &[&str]) -> Vec<String> {
    let re = regex::Regex::new(r"https://aanmeldpunt\.test/[a-z/]*?([A-Za-z0-9_-]{43})").unwrap();
    let mut tokens: Vec<String> = addresses
        .iter()
        .flat_map(|address| mails_to(folder, address))
        .flat_map(|text| {
            re.captures_iter(&text)
                .map(|c| c[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}
