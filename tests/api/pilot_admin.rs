//! Pilots managed in the back office: programme staff make one (a draft),
//! edit, open, close, archive and bring it back; the sectors and the period
//! they set are what the public form, the API and the eligibility decision
//! then hold to.
use aanmeldpunt::domain::{PilotSectors, PilotStatus, Role};
use aanmeldpunt::entities::{audit_log, pilot, pilot_application};
use aanmeldpunt::services::register::RegisterFormat;
use chrono::{Days, Utc};
use chrono_tz::Europe::Amsterdam;
use rocket::http::Status;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{application_body, spawn_app, TestApp, ROO_FIXTURE};

const SLUG: &str = "proeftuin-scholen";

fn local(at: chrono::DateTime<Utc>) -> String {
    at.with_timezone(&Amsterdam)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A filled-in pilot form: open since yesterday for thirty days, for the
/// sectors given.
fn fields(csrf: &str, sectors: &[&str]) -> Vec<(&'static str, String)> {
    let now = Utc::now();
    let mut fields = vec![
        ("csrf", csrf.to_owned()),
        ("slug", SLUG.to_owned()),
        ("title_nl", "Proeftuin schoonmaak scholen".to_owned()),
        ("title_en", "Cleaning pilot for schools".to_owned()),
        (
            "description_nl",
            "Banen via het schoonmaakcontract van scholen.".to_owned(),
        ),
        (
            "description_en",
            "Jobs through the cleaning contracts of schools.".to_owned(),
        ),
        ("category", "cleaning".to_owned()),
        ("places", "2".to_owned()),
        ("opens", local(now - Days::new(1))),
        ("closes", local(now + Days::new(30))),
    ];
    fields.extend(sectors.iter().map(|s| ("sectors", (*s).to_owned())));
    fields
}

fn with(
    mut fields: Vec<(&'static str, String)>,
    name: &str,
    value: &str,
) -> Vec<(&'static str, String)> {
    for field in fields.iter_mut().filter(|(n, _)| *n == name) {
        field.1 = value.to_owned();
    }
    fields
}

async fn post(app: &TestApp, uri: &str, fields: &[(&'static str, String)]) -> (Status, String) {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app.post_form(uri, &fields).await;
    let status = response.status();
    (status, response.into_string().await.unwrap_or_default())
}

async fn page(app: &TestApp, uri: &str) -> (Status, String) {
    let response = app.get(uri).await;
    let status = response.status();
    (status, response.into_string().await.unwrap_or_default())
}

async fn stored(app: &TestApp) -> pilot::Model {
    pilot::Entity::find()
        .filter(pilot::Column::Slug.eq(SLUG))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the pilot is stored")
}

async fn actions(app: &TestApp) -> Vec<String> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.starts_with("pilot."))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect()
}

/// An application staff accepted, as the review page leaves it.
async fn accepted_application(app: &TestApp, pilot_id: uuid::Uuid, organisation: &str) {
    use aanmeldpunt::domain::{ApplicationStatus, EligibilityDecision, Lang, SectorCode};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let now = Utc::now();
    pilot_application::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        pilot_id: Set(pilot_id),
        organisation_id: Set(None),
        typed_organisation: Set(None),
        organisation_name: Set(organisation.into()),
        organisation_key: Set(format!("name:{organisation}")),
        sector: Set(SectorCode::parse("GEM").unwrap()),
        contact_name: Set("Anna".into()),
        email: Set(format!("{organisation}@utrecht.nl")),
        phone: Set(None),
        current_suppliers: Set("-".into()),
        market_partner: Set(None),
        motivation: Set("-".into()),
        expected_jobs: Set(1),
        lang: Set(Lang::Nl),
        status: Set(ApplicationStatus::Accepted),
        eligibility_decision: Set(EligibilityDecision::Eligible),
        eligibility_reason: Set("-".into()),
        created_at: Set(now),
        verified_at: Set(Some(now)),
        updated_at: Set(now),
        holds_place: Set(true),
        duplicate_of: Set(None),
        vouched_by: Set(None),
        vouched_at: Set(None),
        vouch_reason: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn programme_app() -> (TestApp, String) {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let csrf = app.log_in_as(Role::Programme).await;
    (app, csrf)
}

async fn apply(app: &TestApp, sector: &str) -> (Status, serde_json::Value) {
    app.post_json(
        &format!("/api/v1/pilots/{SLUG}/applications"),
        &application_body("Gemeente Utrecht", sector, "anna@utrecht.nl"),
    )
    .await
}

#[rocket::async_test]
async fn a_new_pilot_is_a_draft_until_it_is_opened_and_then_takes_applications() {
    let (app, csrf) = programme_app().await;
    let (status, _) = post(&app, "/admin/pilots/new", &fields(&csrf, &["GEM", "PROV"])).await;
    assert_eq!(status, Status::SeeOther);
    let created = stored(&app).await;
    assert_eq!(created.status, PilotStatus::Draft);
    assert_eq!(created.sectors.to_text(), "GEM,PROV");
    assert_eq!(created.max_participants, 2);

    assert_eq!(
        page(&app, &format!("/pilots/{SLUG}/apply")).await.0,
        Status::NotFound
    );
    assert_eq!(
        page(&app, &format!("/api/v1/pilots/{SLUG}")).await.0,
        Status::NotFound
    );
    assert_eq!(apply(&app, "GEM").await.0, Status::NotFound);

    let (status, _) = post(
        &app,
        &format!("/admin/pilots/{SLUG}/open"),
        &[("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    let (_, list) = page(&app, "/api/v1/pilots").await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["slug"] == SLUG)
        .expect("an open pilot is listed");
    assert_eq!(listed["applications"], "open");
    assert_eq!(listed["sectors"], serde_json::json!(["GEM", "PROV"]));
    assert_eq!(listed["max_participants"], 2);

    let (_, public) = page(&app, &format!("/pilots/{SLUG}/apply")).await;
    assert!(
        public.contains("Alleen voor werkgevers uit: Gemeenten; Provincies."),
        "{public}"
    );
    assert!(public.contains(r#"<form method="post" action="/pilots/proeftuin-scholen/apply"#));

    let (status, body) = apply(&app, "GEM").await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["eligibility"]["decision"], "eligible");
    assert_eq!(actions(&app).await, ["pilot.create", "pilot.open"]);
}

#[rocket::async_test]
async fn only_the_sectors_chosen_may_apply_and_a_refusal_names_them() {
    let (app, csrf) = programme_app().await;
    post(&app, "/admin/pilots/new", &fields(&csrf, &["PO", "VO"])).await;
    post(
        &app,
        &format!("/admin/pilots/{SLUG}/open"),
        &[("csrf", csrf.clone())],
    )
    .await;

    // A municipality says what it is: this pilot is for schools.
    let (status, body) = apply(&app, "GEM").await;
    assert_eq!(status, Status::Forbidden, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("alleen voor werkgevers uit: Primair onderwijs (incl. speciaal onderwijs); Voortgezet onderwijs"),
        "{message}"
    );
    // It claims to be a school, but its own address places it in the
    // register as a municipality.
    let (status, body) = apply(&app, "PO").await;
    assert_eq!(status, Status::Forbidden, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("Gemeente Utrecht staat in het register in een sector die niet meedoet"),
        "{message}"
    );
    assert_eq!(
        pilot_application::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0,
        "nothing of a refused applicant is kept"
    );

    // In English the sectors are named in English.
    let (_, body) = app
        .post_json(
            &format!("/api/v1/pilots/{SLUG}/applications?lang=en"),
            &application_body("Gemeente Utrecht", "GEM", "anna@utrecht.nl"),
        )
        .await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Primary education"),
        "{body}"
    );
}

#[rocket::async_test]
async fn the_form_closes_with_a_message_that_says_why() {
    let (app, csrf) = programme_app().await;
    let now = Utc::now();
    let later = fields(&csrf, &["GEM"]);
    let later = with(later, "opens", &local(now + Days::new(3)));
    post(&app, "/admin/pilots/new", &later).await;
    post(
        &app,
        &format!("/admin/pilots/{SLUG}/open"),
        &[("csrf", csrf.clone())],
    )
    .await;
    let apply_page = format!("/pilots/{SLUG}/apply");
    let (_, public) = page(&app, &apply_page).await;
    assert!(public.contains("Aanmelden kan vanaf"), "{public}");
    assert!(!public.contains(r#"<form method="post" action="/pilots/"#));
    assert_eq!(apply(&app, "GEM").await.0, Status::Conflict);

    // The period ended: the form is gone, the page says until when it was.
    pilot::Entity::update_many()
        .col_expr(
            pilot::Column::OpensAt,
            sea_orm::sea_query::Expr::value(now - Days::new(20)),
        )
        .col_expr(
            pilot::Column::ClosesAt,
            sea_orm::sea_query::Expr::value(now - Days::new(1)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    let (_, public) = page(&app, &apply_page).await;
    assert!(
        public.contains("De aanmeldperiode is voorbij: aanmelden kon tot"),
        "{public}"
    );
    assert!(!public.contains(r#"<form method="post" action="/pilots/"#));
    let (status, body) = apply(&app, "GEM").await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert_eq!(body["error"], "closed");
    let (_, api) = page(&app, &format!("/api/v1/pilots/{SLUG}")).await;
    assert!(api.contains(r#""applications":"ended""#), "{api}");

    // Opening it again needs a new period first, and the list says so.
    let (_, list) = page(&app, "/admin/pilots").await;
    assert!(list.contains("aanmeldperiode voorbij"), "{list}");
    post(
        &app,
        &format!("/admin/pilots/{SLUG}/close"),
        &[("csrf", csrf.clone())],
    )
    .await;
    let (status, refused) = post(
        &app,
        &format!("/admin/pilots/{SLUG}/open"),
        &[("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(
        refused.contains("Kies eerst een nieuwe einddatum"),
        "{refused}"
    );
    assert!(
        refused.contains("<h1>Proeftuinen</h1>"),
        "the back-office list again: {refused}"
    );
    assert_eq!(stored(&app).await.status, PilotStatus::Closed);
}

#[rocket::async_test]
async fn closing_and_archiving_take_the_pilot_off_the_lists_and_restoring_brings_it_back_closed() {
    let (app, csrf) = programme_app().await;
    post(&app, "/admin/pilots/new", &fields(&csrf, &["GEM"])).await;
    post(
        &app,
        &format!("/admin/pilots/{SLUG}/open"),
        &[("csrf", csrf.clone())],
    )
    .await;
    post(
        &app,
        &format!("/admin/pilots/{SLUG}/close"),
        &[("csrf", csrf.clone())],
    )
    .await;
    let (_, public) = page(&app, &format!("/pilots/{SLUG}/apply")).await;
    assert!(
        public.contains("Aanmelden voor deze proeftuin is gesloten."),
        "{public}"
    );
    assert_eq!(apply(&app, "GEM").await.0, Status::Conflict);

    post(
        &app,
        &format!("/admin/pilots/{SLUG}/archive"),
        &[("csrf", csrf.clone())],
    )
    .await;
    let (_, list) = page(&app, "/pilots").await;
    assert!(!list.contains(SLUG), "{list}");
    let (_, api) = page(&app, "/api/v1/pilots").await;
    assert!(!api.contains(SLUG), "{api}");
    let (_, public) = page(&app, &format!("/pilots/{SLUG}/apply")).await;
    assert!(
        public.contains("Deze proeftuin is afgerond"),
        "an old link still explains: {public}"
    );

    // An archived pilot cannot be opened straight away.
    let (status, _) = post(
        &app,
        &format!("/admin/pilots/{SLUG}/open"),
        &[("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(status, Status::Conflict);
    post(
        &app,
        &format!("/admin/pilots/{SLUG}/restore"),
        &[("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(stored(&app).await.status, PilotStatus::Closed);
    assert_eq!(
        actions(&app).await,
        [
            "pilot.create",
            "pilot.open",
            "pilot.close",
            "pilot.archive",
            "pilot.restore"
        ]
    );
}

#[rocket::async_test]
async fn a_wrong_form_is_shown_again_filled_in_and_nothing_is_saved() {
    let (app, csrf) = programme_app().await;
    let wrong = with(fields(&csrf, &[]), "places", "0");
    let wrong = with(wrong, "closes", &local(Utc::now() - Days::new(5)));
    let (status, html) = post(&app, "/admin/pilots/new", &wrong).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("Kies ten minste één sector."), "{html}");
    assert!(
        html.contains("Vul een aantal van 1 tot en met 1000 in."),
        "{html}"
    );
    assert!(
        html.contains("Aanmelden moet sluiten na het moment dat het opengaat."),
        "{html}"
    );
    assert!(
        html.contains(r#"value="Proeftuin schoonmaak scholen""#),
        "filled in: {html}"
    );
    assert!(
        html.contains(r##"<a href="#sectors">"##),
        "the summary links to the field"
    );
    // The market is never a choice, even when sent by hand.
    let (status, html) = post(
        &app,
        "/admin/pilots/new",
        &fields(&csrf, &["GEM", "OVERIG"]),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        html.contains("Alleen sectoren van Overheid en Onderwijs"),
        "{html}"
    );
    assert_eq!(
        pilot::Entity::find()
            .filter(pilot::Column::Slug.eq(SLUG))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );

    // A web address in use is refused at the field, the form kept.
    app.create_pilot("bestaat-al", 5, true).await;
    let taken = with(fields(&csrf, &["GEM"]), "slug", "bestaat-al");
    let (status, html) = post(&app, "/admin/pilots/new", &taken).await;
    assert_eq!(status, Status::Conflict);
    assert!(
        html.contains("al in gebruik bij een andere proeftuin"),
        "{html}"
    );
    assert!(html.contains(r#"id="slug-error""#), "{html}");
}

#[rocket::async_test]
async fn an_edit_keeps_at_least_as_many_places_as_are_accepted_and_is_audited() {
    let (app, csrf) = programme_app().await;
    post(&app, "/admin/pilots/new", &fields(&csrf, &["GEM"])).await;
    let edit = format!("/admin/pilots/{SLUG}/edit");
    let (status, form) = page(&app, &edit).await;
    assert_eq!(status, Status::Ok);
    assert!(
        form.contains(r#"id="sector-GEM" name="sectors" value="GEM" checked"#),
        "{form}"
    );
    assert!(!form.contains(r#"value="PROV" checked"#));

    let stored_pilot = stored(&app).await;
    for organisation in ["a", "b"] {
        accepted_application(&app, stored_pilot.id, organisation).await;
    }
    let fewer = with(fields(&csrf, &["GEM", "PROV"]), "places", "1");
    let (status, html) = post(&app, &edit, &fewer).await;
    assert_eq!(status, Status::Conflict);
    assert!(
        html.contains("Er zijn al meer organisaties toegelaten dan dit aantal."),
        "{html}"
    );
    assert!(
        html.contains(r#"value="PROV" checked"#),
        "the form as sent: {html}"
    );
    assert_eq!(stored(&app).await.max_participants, 2);

    let more = with(fields(&csrf, &["GEM", "PROV"]), "places", "3");
    let (status, _) = post(&app, &edit, &more).await;
    assert_eq!(status, Status::SeeOther);
    let edited = stored(&app).await;
    assert_eq!(edited.max_participants, 3);
    assert_eq!(
        edited.sectors,
        PilotSectors::parse(["PROV", "GEM"]).unwrap()
    );
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("pilot.update"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the edit is audited");
    assert!(audit.before.unwrap().contains(r#""places":"2""#));
    assert!(audit.after.unwrap().contains(r#""sectors":["GEM","PROV"]"#));
}

#[rocket::async_test]
async fn organisers_and_viewers_cannot_manage_pilots() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let (status, _) = post(&app, "/admin/pilots/new", &fields(&csrf, &["GEM"])).await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(pilot::Entity::find().count(&app.db).await.unwrap(), 0);
    let (_, overview) = page(&app, "/admin").await;
    assert!(
        !overview.contains(r#"href="/admin/pilots""#),
        "no link to what one may not do"
    );
}

#[rocket::async_test]
async fn a_pilot_from_before_sectors_were_chosen_is_open_to_all_fourteen() {
    let app = spawn_app().await;
    let now = Utc::now();
    // As a pilot row was written before migration 24: no sectors column.
    let insert = Query::insert()
        .into_table(pilot::Entity)
        .columns([
            pilot::Column::Id,
            pilot::Column::Slug,
            pilot::Column::TitleNl,
            pilot::Column::TitleEn,
            pilot::Column::DescriptionNl,
            pilot::Column::DescriptionEn,
            pilot::Column::Category,
            pilot::Column::OpensAt,
            pilot::Column::ClosesAt,
            pilot::Column::MaxParticipants,
            pilot::Column::Status,
            pilot::Column::CreatedAt,
            pilot::Column::UpdatedAt,
        ])
        .values_panic([
            uuid::Uuid::new_v4().into(),
            "oud".into(),
            "Oud".into(),
            "Old".into(),
            "-".into(),
            "-".into(),
            "cleaning".into(),
            now.into(),
            now.into(),
            15.into(),
            "open".into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    app.db.execute(&insert).await.unwrap();
    let old = pilot::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(old.sectors.is_all_public());
}
