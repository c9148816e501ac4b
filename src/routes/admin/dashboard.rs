//! The dashboard's picture of a year: a headline that says how far along
//! the year is and whether that is on pace, a cumulative line against the
//! target and an even pace, and bar charts. Server-rendered SVG in a
//! narrow view box (readable at 390 px), numbers in the reader's notation,
//! every chart followed by its numbers as a table.
use chrono::{DateTime, Datelike, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use serde::Serialize;

use crate::domain::Lang;
use crate::format::{decimal, month_short, whole};
use crate::i18n::{text, text_with};
use crate::services::partnerships::Summary;

/// The charts' view box: as wide as a phone, so text stays legible.
const WIDTH: f64 = 360.0;
/// Line chart: the plot area inside the view box.
const LEFT: f64 = 40.0;
const RIGHT: f64 = 350.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 190.0;
/// Bar charts: label above, bar below, this much room for the longest bar.
const BAR_MAX: f64 = 290.0;
const BAR_ROW: f64 = 42.0;

#[derive(Serialize)]
pub struct Bar {
    label: String,
    value: String,
    y: f64,
    width: f64,
}

#[derive(Serialize)]
pub struct Chart {
    bars: Vec<Bar>,
    height: f64,
}

#[derive(Serialize)]
pub struct Tick {
    y: f64,
    label: String,
}

#[derive(Serialize)]
pub struct Month {
    name: String,
    x: f64,
    /// Started by the end of the month, and what an even pace would have.
    started: Option<String>,
    pace: String,
}

#[derive(Serialize)]
pub struct DashboardPage {
    summary: Summary,
    headline: String,
    /// Whether the year is on pace, when that can be said.
    pace: Option<String>,
    on_pace: bool,
    progress_width: f64,
    jobs_line: Option<String>,
    jobs_planned: String,
    jobs_realised: String,
    funnel: Chart,
    sectors: Chart,
    categories: Chart,
    jobs: Chart,
    line_points: String,
    pace_points: String,
    target_y: f64,
    ticks: Vec<Tick>,
    months: Vec<Month>,
    width: f64,
    left: f64,
    right: f64,
    bottom: f64,
}

/// Bars scaled against `max`, so charts of one breakdown share a scale.
fn chart(items: Vec<(String, f64, String)>, max: f64) -> Chart {
    let max = max.max(1.0);
    let bars: Vec<Bar> = items
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, shown))| Bar {
            label,
            value: shown,
            y: i as f64 * BAR_ROW,
            width: (value / max * BAR_MAX).round(),
        })
        .collect();
    Chart {
        height: bars.len() as f64 * BAR_ROW + 4.0,
        bars,
    }
}

/// How far through `year` Amsterdam is at `now`: 0 before, 1 after.
fn elapsed(year: i32, now: DateTime<Utc>) -> f64 {
    let start = Amsterdam.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single();
    let end = Amsterdam.with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0).single();
    match (start, end) {
        (Some(start), Some(end)) => {
            let total = (end - start).num_seconds() as f64;
            ((now - start.to_utc()).num_seconds() as f64 / total).clamp(0.0, 1.0)
        }
        _ => 0.0,
    }
}

/// A round step for about five gridlines up to `top`.
fn step(top: f64) -> f64 {
    let raw = (top / 5.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(raw)
}

pub fn page(summary: Summary, lang: Lang, now: DateTime<Utc>) -> DashboardPage {
    let target = f64::from(summary.target.max(1));
    let started = f64::from(summary.started);
    let remaining = (i64::from(summary.target) - i64::from(summary.started)).max(0);
    let headline = text_with(
        lang,
        if remaining == 0 {
            "dashboard-headline-reached"
        } else {
            "dashboard-headline"
        },
        &[
            ("started", whole(summary.started.into(), lang)),
            ("target", whole(summary.target.into(), lang)),
            ("remaining", whole(remaining, lang)),
        ],
    );
    let part = elapsed(summary.year, now);
    let expected = (target * part).floor();
    let on_pace = started >= expected;
    let pace = (part > 0.0 && part < 1.0).then(|| {
        let key = if on_pace {
            "dashboard-pace-on"
        } else {
            "dashboard-pace-behind"
        };
        text_with(lang, key, &[("expected", whole(expected as i64, lang))])
    });

    let t = |key: String| text(lang, &key);
    let funnel_max = summary
        .funnel
        .iter()
        .map(|(_, n)| f64::from(*n))
        .fold(0.0, f64::max);
    let funnel = chart(
        summary
            .funnel
            .iter()
            .map(|(s, n)| {
                let label = t(format!("stage-{}", s.as_str().replace('_', "-")));
                (label, f64::from(*n), whole((*n).into(), lang))
            })
            .collect(),
        funnel_max,
    );
    let sector_name = |code: &str| {
        crate::domain::SectorCode::parse(code)
            .map(|s| s.name(lang).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    };
    // Sectors and categories break down the same started partnerships.
    let breakdown_max = summary
        .by_sector
        .iter()
        .chain(&summary.by_category)
        .map(|c| f64::from(c.started))
        .fold(0.0, f64::max);
    let count = |c: &crate::services::partnerships::Count, label: String| {
        (label, f64::from(c.started), whole(c.started.into(), lang))
    };
    let sectors = chart(
        summary
            .by_sector
            .iter()
            .map(|c| count(c, sector_name(&c.key)))
            .collect(),
        breakdown_max,
    );
    let categories = chart(
        summary
            .by_category
            .iter()
            .map(|c| count(c, t(format!("category-{}", c.key.replace('_', "-")))))
            .collect(),
        breakdown_max,
    );
    let (planned, realised) = (summary.jobs_planned, summary.jobs_realised);
    let jobs_planned = decimal(planned, 1, lang);
    let jobs_realised = decimal(realised, 1, lang);
    let jobs = chart(
        vec![
            (
                t("dashboard-jobs-planned".into()),
                planned,
                jobs_planned.clone(),
            ),
            (
                t("dashboard-jobs-realised".into()),
                realised,
                jobs_realised.clone(),
            ),
        ],
        planned.max(realised),
    );
    let jobs_line = summary.jobs_target.map(|jobs_target| {
        text_with(
            lang,
            "dashboard-jobs-progress",
            &[
                ("realised", jobs_realised.clone()),
                ("target", decimal(jobs_target, 1, lang)),
            ],
        )
    });

    // The line chart: months along x, started (cumulative) up y.
    let top_value = target.max(started).max(1.0);
    let step = step(top_value);
    let top = (top_value / step).ceil() * step;
    let y = |v: f64| ((BOTTOM - v / top * (BOTTOM - TOP)) * 10.0).round() / 10.0;
    let x =
        |m: usize| ((LEFT + 8.0 + m as f64 * (RIGHT - LEFT - 16.0) / 11.0) * 10.0).round() / 10.0;
    let ticks = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|v| *v <= top)
        .map(|v| Tick {
            y: y(v),
            label: whole(v as i64, lang),
        })
        .collect();
    // Months still to come have no figure yet.
    let now_local = now.with_timezone(&Amsterdam);
    let shown_months = match now_local.year().cmp(&summary.year) {
        std::cmp::Ordering::Greater => 12,
        std::cmp::Ordering::Equal => now_local.month() as usize,
        std::cmp::Ordering::Less => 0,
    };
    let pace_at = |m: usize| target * (m as f64 + 1.0) / 12.0;
    let months: Vec<Month> = (0..12)
        .map(|m| Month {
            name: month_short(m as u32 + 1, lang),
            x: x(m),
            started: (m < shown_months).then(|| whole(summary.cumulative_by_month[m].into(), lang)),
            pace: decimal(pace_at(m), 1, lang),
        })
        .collect();
    let line_points = (0..shown_months)
        .map(|m| format!("{},{}", x(m), y(f64::from(summary.cumulative_by_month[m]))))
        .collect::<Vec<_>>()
        .join(" ");
    let pace_points = format!("{},{} ", LEFT, BOTTOM)
        + &(0..12)
            .map(|m| format!("{},{}", x(m), y(pace_at(m))))
            .collect::<Vec<_>>()
            .join(" ");
    DashboardPage {
        headline,
        pace,
        on_pace,
        progress_width: ((started / target).min(1.0) * BAR_MAX).round(),
        jobs_line,
        jobs_planned,
        jobs_realised,
        target_y: y(f64::from(summary.target)),
        funnel,
        sectors,
        categories,
        jobs,
        line_points,
        pace_points,
        ticks,
        months,
        width: WIDTH,
        left: LEFT,
        right: RIGHT,
        bottom: BOTTOM,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::partnerships::summarise;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn the_headline_says_how_many_to_go_and_whether_that_is_on_pace() {
        let mut summary = summarise(&[], &[], 2026, chrono::Utc::now(), 15, None);
        summary.started = 4;
        let page = page(summary, Lang::Nl, at(2026, 12, 2));
        assert_eq!(
            page.headline,
            "4 van 15 partnerships gestart — nog 11 te gaan"
        );
        assert!(!page.on_pace);
        assert_eq!(
            page.pace.as_deref(),
            Some("Achter op schema: bij een gelijk tempo waren er nu 13 gestart.")
        );
    }

    #[test]
    fn only_months_that_have_been_get_a_point_and_the_axis_has_round_steps() {
        let summary = summarise(&[], &[], 2026, chrono::Utc::now(), 15, None);
        let page = page(summary, Lang::En, at(2026, 3, 10));
        assert_eq!(page.line_points.split(' ').count(), 3);
        assert_eq!(page.months[2].name, "Mar");
        assert!(page.months[3].started.is_none());
        let labels: Vec<&str> = page.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "5", "10", "15"]);
    }

    #[test]
    fn jobs_are_in_dutch_notation() {
        let mut summary = summarise(&[], &[], 2025, chrono::Utc::now(), 15, Some(1234.5));
        summary.jobs_planned = 12.5;
        let page = page(summary, Lang::Nl, at(2026, 1, 5));
        assert_eq!(page.jobs_planned, "12,5");
        assert_eq!(
            page.jobs_line.as_deref(),
            Some("0,0 van 1.234,5 banen gerealiseerd.")
        );
        assert!(page.pace.is_none(), "a year that is over has no pace");
    }
}
