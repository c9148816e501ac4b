//! Long lists in the back office: a page at a time by key, every row on
//! exactly one page, searches that ignore case and accents and take `%`
//! and `_` literally, and filters that refuse what they do not know.
use std::collections::BTreeSet;

use aanmeldpunt::domain::{
    sign_up_search_key, ApplicationStatus, Lang, MailKind, OutboxStatus, RegistrationStatus, Role,
    SectorCode,
};
use aanmeldpunt::domain::{PageAt, Search};
use aanmeldpunt::entities::{
    audit_log, event, event_seats, outbox, pilot_application, registration,
};
use aanmeldpunt::services::mail_log::{self, MailFilter};
use aanmeldpunt::services::{applications, attendees, audit, door, partnerships};
use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbBackend, EntityTrait, QueryTrait,
    Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::helpers::{spawn_app, spawn_app_with, urlencode, EventSpec, TestApp};
use crate::programme_lists::application;

const SLUG: &str = "partnerships-voor-meer-banen";

/// Puts `people` (name, address, organisation) on the confirmed list
/// straight in the database: a list's paging is about reading, and 230
/// sign-ups through HTTP would test the rate limit instead.
pub(crate) async fn fill(
    app: &TestApp,
    meeting: &event::Model,
    people: &[(String, String, String)],
) {
    let now = Utc::now();
    let mut rows = people.iter().enumerate().map(|(i, (name, email, org))| {
        let id = Uuid::new_v4();
        registration::ActiveModel {
            id: Set(id),
            event_id: Set(meeting.id),
            name: Set(name.clone()),
            email: Set(email.clone()),
            organisation: Set(org.clone()),
            sector: Set(SectorCode::parse("GEM").unwrap()),
            job_title: Set(None),
            remarks: Set(None),
            lang: Set(Lang::Nl),
            status: Set(RegistrationStatus::Confirmed),
            queue_number: Set(i as i64 + 1),
            ics_sequence: Set(0),
            created_at: Set(now + Duration::milliseconds(i as i64)),
            confirmed_at: Set(Some(now)),
            cancelled_at: Set(None),
            updated_at: Set(now),
            checked_in_at: Set(None),
            submission_key: Set(None),
            calendar_uid: Set(None),
            search_key: Set(sign_up_search_key(name, email, org)),
            changed_by_attendee_at: Set(None),
        }
    });
    // A few hundred rows a statement: SQLite allows so many parameters.
    loop {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        if chunk.is_empty() {
            break;
        }
        registration::Entity::insert_many(chunk)
            .exec(&app.db)
            .await
            .unwrap();
    }
    // The seat counters, as the locked event keeps them.
    event_seats::Entity::delete_by_id(meeting.id)
        .exec(&app.db)
        .await
        .unwrap();
    event_seats::ActiveModel {
        event_id: Set(meeting.id),
        confirmed: Set(people.len() as i64),
        waitlisted: Set(0),
        last_queue_number: Set(people.len() as i64),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

pub(crate) async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), Status::Ok, "{path}");
    response.into_string().await.unwrap()
}

/// The addresses on a page that end in `domain`, in the order shown.
fn addresses(html: &str, domain: &str) -> Vec<String> {
    html.split(|c: char| c == '<' || c == '>' || c.is_whitespace())
        .filter(|word| word.ends_with(domain) && word.contains('@'))
        .map(str::to_owned)
        .collect()
}

/// The `href` of the link with `rel` (`next`, `prev`), unescaped.
pub(crate) fn link(html: &str, rel: &str) -> Option<String> {
    let tag_end = html.find(&format!(r#"rel="{rel}""#))?;
    let start = html[..tag_end].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(
        html[start..end]
            .replace("&amp;", "&")
            .replace("&#x3D;", "="),
    )
}

#[rocket::async_test]
async fn a_long_attendee_list_shows_every_sign_up_on_exactly_one_page() {
    let app = spawn_app().await;
    let meeting = app.create_event(EventSpec::default()).await;
    let people: Vec<_> = (1..=230)
        .map(|i| {
            (
                format!("Persoon {i:03}"),
                format!("p{i:03}@paging.example"),
                "Gemeente Utrecht".to_owned(),
            )
        })
        .collect();
    fill(&app, &meeting, &people).await;
    app.log_in_as(Role::Organiser).await;

    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut next = Some(format!("/admin/events/{SLUG}/attendees"));
    while let Some(path) = next {
        let html = page(&app, &path).await;
        assert!(html.contains("van 230 getoond"), "{path}");
        let shown = addresses(&html, "@paging.example");
        assert!(shown.len() <= 100, "{path}: {} rows", shown.len());
        seen.extend(shown.clone());
        pages.push((path, shown));
        next = link(&html, "next");
        assert!(pages.len() <= 3, "a fourth page after 230 rows");
    }
    let expected: Vec<String> = people.iter().map(|p| p.1.clone()).collect();
    assert_eq!(seen, expected, "every sign-up once, in order of arrival");
    assert_eq!(
        pages.iter().map(|p| p.1.len()).collect::<Vec<_>>(),
        [100, 100, 30]
    );
    assert!(!pages[1].0.contains("offset"), "{}", pages[1].0);

    let last = page(&app, &pages[2].0).await;
    let back = link(&last, "prev").expect("a way back");
    assert_eq!(
        addresses(&page(&app, &back).await, "@paging.example"),
        pages[1].1
    );
    assert!(last.contains("Eerste pagina"));

    let sectors = page(&app, &format!("/admin/events/{SLUG}/sectors")).await;
    assert!(
        sectors.contains("<td>Gemeenten</td><td>230</td>"),
        "{sectors}"
    );
}

#[rocket::async_test]
async fn the_door_list_pages_in_name_order_whatever_the_order_of_arrival() {
    let app = spawn_app().await;
    let meeting = app.create_event(EventSpec::default()).await;
    // Arrival order is not name order, and accents and case do not count.
    let people: Vec<_> = (0..150)
        .map(|i| {
            let n = (i * 37) % 150;
            let name = match n % 3 {
                0 => format!("émile {n:03}"),
                1 => format!("Emile {n:03}"),
                _ => format!("EMILE {n:03}"),
            };
            (
                name,
                format!("d{n:03}@door.example"),
                "Gemeente Zwolle".into(),
            )
        })
        .collect();
    fill(&app, &meeting, &people).await;
    let csrf = app.log_in_as(Role::Organiser).await;

    let first = page(&app, &format!("/admin/events/{SLUG}/checkin")).await;
    assert!(
        addresses(&first, "@door.example").is_empty(),
        "the door shows names, not addresses"
    );
    // The number in each row's name cell.
    let names = |html: &str| -> Vec<String> {
        html.split(r#"<tr id="attendee-"#)
            .skip(1)
            .map(|row| {
                let cell = &row[row.find("<td>").unwrap() + 4..];
                cell[..cell.find("</td>").unwrap()]
                    .rsplit(' ')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let mut order = names(&first);
    assert_eq!(order.len(), 100);
    let second = page(&app, &link(&first, "next").expect("a second page")).await;
    order.extend(names(&second));
    assert!(link(&second, "next").is_none());
    let back = page(&app, &link(&second, "prev").expect("a way back")).await;
    assert_eq!(names(&back), names(&first), "back to the same first page");

    // Letting someone in on page 2 comes back to page 2, on their row.
    crate::door::meeting_now(&app).await;
    let second_path = link(&first, "next").unwrap();
    let after = second_path.split("after=").nth(1).unwrap().to_owned();
    let row = second.split(r#"<tr id="attendee-"#).nth(1).unwrap();
    let someone = &row[..36];
    let response = app
        .post_form(
            &format!("/admin/registrations/{someone}/checkin"),
            &[
                ("csrf", &csrf),
                ("q", ""),
                ("after", &after),
                ("before", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap().to_owned();
    assert!(
        location.contains(&format!("after={after}&checked_in={someone}")),
        "{location}"
    );
    let again = page(&app, location.split('#').next().unwrap()).await;
    assert_eq!(names(&again), names(&second), "the same page");
    assert!(
        again.contains(r#"<tr class="door-notice">"#),
        "under their row"
    );
    let expected: Vec<String> = (0..150).map(|n| format!("{n:03}")).collect();
    assert_eq!(order, expected, "by name, each person once");

    let searched = page(&app, &format!("/admin/events/{SLUG}/checkin?q=EMILE%20149")).await;
    assert_eq!(
        names(&searched),
        ["149"],
        "found without its accent or case"
    );
}

#[rocket::async_test]
async fn percent_and_underscore_are_searched_for_as_typed() {
    let app = spawn_app().await;
    let meeting = app.create_event(EventSpec::default()).await;
    let people = [
        ("Jan Jansen", "j_jansen@utrecht.example", "Gemeente Utrecht"),
        ("Anna Bakker", "anna@utrecht.example", "Stichting 100% Werk"),
        (
            "Émile Dupont",
            "emile@zwolle.example",
            "Gemeente Súdwest-Fryslân",
        ),
    ]
    .map(|(n, e, o)| (n.to_owned(), e.to_owned(), o.to_owned()));
    fill(&app, &meeting, &people).await;
    app.log_in_as(Role::Organiser).await;

    let found = |query: &str| {
        let app = &app;
        let path = format!("/admin/events/{SLUG}/attendees?{query}");
        async move {
            let html = page(app, &path).await;
            let mut found: Vec<String> = [".example"]
                .iter()
                .flat_map(|d| addresses(&html, d))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            found.sort();
            found
        }
    };
    assert_eq!(found("q=_").await, ["j_jansen@utrecht.example"]);
    assert_eq!(found("q=%25").await, ["anna@utrecht.example"]);
    assert!(
        found("q=%25%25").await.is_empty(),
        "no wildcard: nobody has %%"
    );
    assert!(found(&format!("q={}", urlencode(r"\"))).await.is_empty());
    assert_eq!(found("q=EMILE").await, ["emile@zwolle.example"]);
    assert_eq!(
        found(&format!("organisation={}", urlencode("sudwest-fryslan"))).await,
        ["emile@zwolle.example"]
    );
    // The organisation filter looks at the organisation only.
    assert!(found("organisation=jansen").await.is_empty());
    assert_eq!(found("q=jansen").await, ["j_jansen@utrecht.example"]);
}

#[rocket::async_test]
async fn filters_it_does_not_know_are_refused_not_ignored() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.log_in_as(Role::Organiser).await;
    for query in [
        "status=everyone",
        "sector=XYZ",
        "after=1&before=5",
        "after=abc",
        "q=%01",
    ] {
        let path = format!("/admin/events/{SLUG}/attendees?{query}");
        let response = app.get(&path).await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{path}");
    }
    for query in ["after=1&before=5", "before=12", "q=%01"] {
        let path = format!("/admin/events/{SLUG}/checkin?{query}");
        let response = app.get(&path).await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{path}");
    }
}

#[rocket::async_test]
async fn sign_ups_from_before_the_search_key_get_theirs_at_the_next_start() {
    let app = spawn_app().await;
    let meeting = app.create_event(EventSpec::default()).await;
    let old = [("Zoë Öztürk", "zoe@old.example", "Gemeente Ede")]
        .map(|(n, e, o)| (n.to_owned(), e.to_owned(), o.to_owned()));
    fill(&app, &meeting, &old).await;
    // As migration 25 left it (and as an instance from before it writes
    // during a rolling deploy): the column there, the key still empty.
    registration::Entity::update_many()
        .col_expr(
            registration::Column::SearchKey,
            sea_orm::sea_query::Expr::value(""),
        )
        .exec(&app.db)
        .await
        .unwrap();

    let url = app.database_url().to_owned();
    let restarted = spawn_app_with(|figment| figment.merge(("database_url", url))).await;
    let keyed = restarted.registrations().await;
    assert_eq!(
        keyed[0].search_key,
        "zoe ozturk\u{1f}zoe@old.example\u{1f}gemeente ede"
    );
    restarted.log_in_as(Role::Organiser).await;
    let html = page(
        &restarted,
        &format!("/admin/events/{SLUG}/attendees?q=ozturk"),
    )
    .await;
    assert!(html.contains("zoe@old.example"));
}

async fn fill_outbox(app: &TestApp, recipients: &[(&str, OutboxStatus)]) {
    let now = Utc::now();
    let rows = recipients.iter().map(|(to, status)| outbox::ActiveModel {
        kind: Set(MailKind::RegistrationConfirmed),
        recipient: Set((*to).to_owned()),
        subject: Set("Bevestiging".into()),
        ics: Set(None),
        context: Set(None),
        event_id: Set(None),
        registration_id: Set(None),
        application_id: Set(None),
        status: Set(*status),
        attempts: Set(1),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        claimed_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    });
    outbox::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .unwrap();
}

/// Walks a list from `path` by its "next" links; the addresses ending in
/// `domain` on each page.
async fn walk(app: &TestApp, path: &str, domain: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(path) = next {
        let html = page(app, &path).await;
        pages.push(addresses(&html, domain));
        next = link(&html, "next");
        assert!(pages.len() < 10, "{path}");
    }
    pages
}

#[rocket::async_test]
async fn the_mail_log_pages_newest_first_and_finds_one_recipients_mail() {
    let app = spawn_app().await;
    let mut mails: Vec<(String, OutboxStatus)> = (0..150)
        .map(|i| {
            let status = if i % 10 == 0 {
                OutboxStatus::Failed
            } else {
                OutboxStatus::Sent
            };
            (format!("m{i:03}@mail.example"), status)
        })
        .collect();
    mails.insert(40, ("Anna@Utrecht.mail.example".into(), OutboxStatus::Sent));
    mails.insert(
        90,
        ("anna@utrecht.mail.example".into(), OutboxStatus::Failed),
    );
    let rows: Vec<(&str, OutboxStatus)> = mails.iter().map(|(a, s)| (a.as_str(), *s)).collect();
    fill_outbox(&app, &rows).await;
    app.log_in_as(Role::Organiser).await;

    let pages = walk(&app, "/admin/mail", "mail.example").await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [100, 52]);
    let newest_first: Vec<String> = mails.iter().rev().map(|m| m.0.clone()).collect();
    assert_eq!(pages.concat(), newest_first);

    let one = walk(
        &app,
        "/admin/mail?to=ANNA%40utrecht.mail.example",
        "mail.example",
    )
    .await;
    assert_eq!(
        one,
        [["anna@utrecht.mail.example", "Anna@Utrecht.mail.example"]],
        "case does not matter in an address"
    );
    let failed = walk(&app, "/admin/mail?failed=true", "mail.example").await;
    assert_eq!(failed.concat().len(), 16);
    let failed_anna = walk(
        &app,
        "/admin/mail?failed=true&to=anna%40utrecht.mail.example",
        "mail.example",
    )
    .await;
    assert_eq!(failed_anna, [["anna@utrecht.mail.example"]]);
    for path in [
        "/admin/mail?to=anna",
        "/admin/mail?after=x",
        "/admin/mail?to=%25",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            Status::UnprocessableEntity,
            "{path}"
        );
    }
}

#[rocket::async_test]
async fn the_audit_log_pages_and_shows_one_member_of_staffs_changes() {
    let app = spawn_app().await;
    let now = Utc::now();
    let entries = (0..130).map(|i| audit_log::ActiveModel {
        actor: Set(if i % 2 == 0 {
            "even@audit.example"
        } else {
            "odd@audit.example"
        }
        .into()),
        action: Set("event.update".into()),
        subject: Set(format!("event {i}")),
        before: Set(None),
        after: Set(None),
        created_at: Set(now),
        ..Default::default()
    });
    audit_log::Entity::insert_many(entries)
        .exec(&app.db)
        .await
        .unwrap();
    app.log_in_as(Role::Admin).await;

    let all = walk(&app, "/admin/audit", "@audit.example").await;
    assert_eq!(all.concat().len(), 130);
    // Two pages: the log-in's own entries are the newest on the first.
    assert_eq!(all.len(), 2);
    let even = walk(
        &app,
        "/admin/audit?actor=EVEN%40audit.example",
        "@audit.example",
    )
    .await;
    assert_eq!(even, [vec!["even@audit.example".to_owned(); 65]]);
    assert_eq!(
        app.get("/admin/audit?actor=even").await.status(),
        Status::UnprocessableEntity
    );
}

/// How the database would read `statement`: SQLite's query plan, or on
/// PostgreSQL the plan with scans and sorts priced out, which shows
/// whether an index can serve it in order (tiny test tables are cheaper
/// to scan and sort).
pub(crate) async fn plan(app: &TestApp, statement: Statement) -> String {
    let backend = app.db.get_database_backend();
    let values = statement.values.clone().map(|v| v.0).unwrap_or_default();
    let txn = app.db.begin().await.unwrap();
    let (explain, column) = match backend {
        DbBackend::Postgres => {
            for off in ["seqscan", "bitmapscan", "sort"] {
                txn.execute_unprepared(&format!("SET LOCAL enable_{off} = off"))
                    .await
                    .unwrap();
            }
            ("EXPLAIN", "QUERY PLAN")
        }
        _ => ("EXPLAIN QUERY PLAN", "detail"),
    };
    // Run it first: a pooled SQLite connection opened before the last
    // migration explains by the schema it last read, and a real read
    // makes it read the schema again.
    txn.query_all_raw(statement.clone()).await.unwrap();
    let sql = format!("{explain} {}", statement.sql);
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get::<String>("", column).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[rocket::async_test]
async fn every_page_of_a_long_list_is_read_in_index_order() {
    let app = spawn_app().await;
    let backend = app.db.get_database_backend();
    let event_id = Uuid::new_v4();
    let filter = |status: &str| attendees::Filter::parse("", status, "", "").unwrap();
    let anna = MailFilter {
        failed_only: false,
        recipient: Some("anna@utrecht.nl".into()),
    };
    let failed = MailFilter {
        failed_only: true,
        recipient: None,
    };
    let door = door::page_query(event_id, &Search::default(), &PageAt::First);
    let door_later = door::page_query(event_id, &Search::default(), &PageAt::After(Uuid::new_v4()));
    let after = PageAt::After(500);
    let lists = [
        (
            "attendees",
            attendees::page_query(event_id, &filter(""), &after, 100).build(backend),
        ),
        (
            "attendees by status",
            attendees::page_query(event_id, &filter("waitlisted"), &after, 100).build(backend),
        ),
        ("door, first page", door.build(backend)),
        ("door, a later page", door_later.build(backend)),
        (
            "mail",
            mail_log::page_query(&MailFilter::default(), &after).build(backend),
        ),
        (
            "mail to one address",
            mail_log::page_query(&anna, &after).build(backend),
        ),
        (
            "failed mail",
            mail_log::page_query(&failed, &after).build(backend),
        ),
        ("audit", audit::page_query(None, &after).build(backend)),
        (
            "applications",
            applications::page_query(
                &applications::ReviewFilter::default(),
                &PageAt::After(Uuid::new_v4()),
                100,
            )
            .build(backend),
        ),
        (
            "audit of one actor",
            audit::page_query(Some("a@dnz.nl"), &after).build(backend),
        ),
        (
            "partnerships",
            partnerships::page_query(&Search::default(), &PageAt::After(Uuid::new_v4()), 100)
                .build(backend),
        ),
    ];
    for (list, statement) in lists {
        let plan = plan(&app, statement).await;
        let (reads_an_index, sorts, bounded) = match backend {
            DbBackend::Postgres => (
                plan.contains("Index"),
                plan.contains("Sort"),
                plan.contains(" > ") || plan.contains(" < "),
            ),
            _ => (
                plan.contains("USING") && !plan.contains("SCAN registrations\n"),
                plan.contains("TEMP B-TREE"),
                plan.lines().next().is_some_and(|line| {
                    [">?", "<?", ">(?", "<(?"]
                        .iter()
                        .any(|bound| line.contains(bound))
                }),
            ),
        };
        assert!(reads_an_index && !sorts, "{list}:\n{plan}");
        // A later page starts in the index where the last one ended,
        // rather than reading past every row before it.
        let first_page = list.ends_with("first page");
        assert!(
            first_page || bounded,
            "{list} is not bounded by its key:\n{plan}"
        );
    }
}

#[rocket::async_test]
async fn applications_made_in_the_same_second_are_each_on_exactly_one_page() {
    let app = spawn_app().await;
    let pilot = app.create_pilot("proeftuin", 15, true).await;
    // One moment for all: the id alone decides their order.
    let now = Utc::now();
    let rows = (0..130).map(|i| {
        let (organisation, email) = (format!("Gemeente {i:03}"), format!("a{i:03}@apply.example"));
        application(
            pilot.id,
            &organisation,
            &email,
            ApplicationStatus::Submitted,
            now,
        )
    });
    pilot_application::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .unwrap();
    app.log_in_as(Role::Programme).await;

    let mut pages = Vec::new();
    let mut next = Some("/admin/applications".to_owned());
    while let Some(path) = next {
        let html = page(&app, &path).await;
        next = link(&html, "next");
        pages.push(html);
        assert!(pages.len() <= 2, "{path}");
    }
    for i in 0..130 {
        let address = format!("(a{i:03}@apply.example)");
        let on = pages.iter().filter(|html| html.contains(&address)).count();
        assert_eq!(on, 1, "{address} is on {on} pages");
    }
    assert_eq!(
        app.get("/admin/applications?after=nope").await.status(),
        Status::UnprocessableEntity
    );
}
