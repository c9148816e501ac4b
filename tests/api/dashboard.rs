//! The partnerships' dashboard for the year under way reads only that
//! year's starts and the partnerships on their way, and counts the rest
//! by stage in the database; its figures are those the counting rules give
//! over the whole history.
use aanmeldpunt::domain::{Category, SectorCode, Stage};
use aanmeldpunt::entities::{partnership, partnership_stage_change};
use aanmeldpunt::services::partnerships;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use sea_orm::{ActiveValue::Set, DbBackend, EntityTrait, QueryTrait};
use uuid::Uuid;

use crate::helpers::{spawn_app, TestApp};
use crate::list_paging::plan;

/// The stages a partnership went through, and when.
type Steps<'a> = &'a [(Stage, DateTime<Utc>)];

/// A partnership recorded at `steps[0]`'s moment, through each stage of
/// `steps` in turn; `started_at` is as the stage changes would leave it.
async fn partnership_through(app: &TestApp, supplier: &str, steps: Steps<'_>) {
    let id = Uuid::new_v4();
    let mut started_at = None;
    for (stage, at) in steps {
        started_at = match (stage, started_at) {
            (Stage::Started, None) => Some(*at),
            (stage, _) if stage.in_progress() => None,
            (_, kept) => kept,
        };
    }
    let (stage, last) = *steps.last().unwrap();
    partnership::Entity::insert(partnership::ActiveModel {
        id: Set(id),
        buyer_organisation_id: Set(Uuid::new_v4()),
        buyer_name: Set("Gemeente Utrecht".into()),
        sector: Set(SectorCode::parse("GEM").unwrap()),
        supplier_name: Set(supplier.into()),
        supplier_kvk: Set(None),
        category: Set(Category::Catering),
        application_id: Set(None),
        stage: Set(stage),
        planned_hours_per_week: Set(51.0),
        realised_hours_per_week: Set(25.5),
        notes: Set(String::new()),
        started_at: Set(started_at),
        created_at: Set(steps[0].1),
        updated_at: Set(last),
        search_key: Set(supplier.to_lowercase()),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    let changes = steps
        .iter()
        .map(|(stage, at)| partnership_stage_change::ActiveModel {
            partnership_id: Set(id),
            from_stage: Set(None),
            to_stage: Set(*stage),
            actor: Set("staff@dnz.nl".into()),
            changed_at: Set(*at),
            ..Default::default()
        });
    partnership_stage_change::Entity::insert_many(changes)
        .exec_without_returning(&app.db)
        .await
        .unwrap();
}

#[rocket::async_test]
async fn the_year_under_way_counts_as_the_whole_history_would() {
    let app = spawn_app().await;
    let now = Utc::now();
    let year = now.with_timezone(&Amsterdam).year();
    let this_year = Amsterdam
        .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    // Moments in the year so far, in order, whatever day it is.
    let so_far = |part: i32| this_year + (now - this_year) * part / 10;
    let years_ago = |years: i64| this_year - Duration::days(365 * years - 40);
    use Stage::*;
    let histories: &[(&str, Steps)] = &[
        (
            "started last year, ended now",
            &[
                (Interest, years_ago(2)),
                (Started, years_ago(1)),
                (Ended, so_far(3)),
            ],
        ),
        (
            "recorded last year, started now",
            &[
                (Interest, years_ago(1)),
                (KickOff, years_ago(1)),
                (Started, so_far(2)),
            ],
        ),
        (
            "recorded and started now",
            &[(Interest, so_far(1)), (Started, so_far(4))],
        ),
        (
            "started and ended now",
            &[
                (Interest, so_far(1)),
                (Started, so_far(2)),
                (Ended, so_far(5)),
            ],
        ),
        ("on its way", &[(Interest, so_far(2)), (KickOff, so_far(6))]),
        (
            "on its way for years",
            &[(Interest, years_ago(3)), (PilotRunning, years_ago(2))],
        ),
        (
            "ended unstarted",
            &[(Interest, years_ago(3)), (Ended, years_ago(2))],
        ),
        (
            "started long ago",
            &[(Interest, years_ago(5)), (Started, years_ago(4))],
        ),
        (
            "moved back on its way",
            &[
                (Interest, years_ago(2)),
                (Started, years_ago(1)),
                (PilotRunning, so_far(7)),
            ],
        ),
        (
            "started, moved back, started again",
            &[
                (Interest, years_ago(2)),
                (Started, years_ago(1)),
                (KickOff, so_far(1)),
                (Started, so_far(8)),
            ],
        ),
    ];
    for (supplier, steps) in histories {
        partnership_through(&app, supplier, steps).await;
    }

    let read = partnerships::summary(&app.db, year).await.unwrap();
    let all = partnership::Entity::find().all(&app.db).await.unwrap();
    let changes = partnership_stage_change::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let whole = partnerships::summarise(&all, &changes, year, Utc::now(), read.target, None);
    assert_eq!(read, whole);
    // Counted by hand: the four started this year (one ended since), the
    // three on their way, and every partnership in the funnel.
    assert_eq!((read.started, read.in_progress), (4, 3));
    let in_funnel: u32 = read.funnel.iter().map(|(_, n)| n).sum();
    assert_eq!(in_funnel, histories.len() as u32);
    // Last year's figures still come from the history up to its end.
    let last_year = partnerships::summary(&app.db, year - 1).await.unwrap();
    assert_eq!(
        last_year,
        partnerships::summarise(&all, &changes, year - 1, Utc::now(), last_year.target, None)
    );
    // One started then; one then on its way and one since moved back are not.
    assert_eq!((last_year.started, last_year.in_progress), (1, 2));
}

#[rocket::async_test]
async fn the_year_under_way_is_read_from_indexes() {
    let app = spawn_app().await;
    let backend = app.db.get_database_backend();
    let year = Utc::now().year();
    let reads = partnerships::year_under_way_reads(year)
        .into_iter()
        .chain([partnerships::stage_counts()]);
    for read in reads {
        let statement = read.build(backend);
        let plan = plan(&app, statement.clone()).await;
        let by_index = match backend {
            DbBackend::Postgres => plan.contains("Index"),
            _ => plan.contains("USING") && plan.contains("INDEX"),
        };
        assert!(by_index, "{}:\n{plan}", statement.sql);
        assert!(
            !plan.contains("Sort") && !plan.contains("TEMP B-TREE"),
            "{plan}"
        );
    }
}
