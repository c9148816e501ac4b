//! Dates and times as people in the Netherlands read them.
use chrono::{DateTime, Locale, Utc};
use chrono_tz::Europe::Amsterdam;

use crate::domain::Lang;

fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::Nl => Locale::nl_NL,
        Lang::En => Locale::en_GB,
    }
}

/// "maandag 14 december 2026" / "Monday 14 December 2026".
pub fn long_date(at: DateTime<Utc>, lang: Lang) -> String {
    at.with_timezone(&Amsterdam)
        .format_localized("%A %-d %B %Y", locale(lang))
        .to_string()
}

/// "13:00 – 17:00", in Amsterdam time.
pub fn time_range(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    format!(
        "{} – {}",
        start.with_timezone(&Amsterdam).format("%H:%M"),
        end.with_timezone(&Amsterdam).format("%H:%M")
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn winter_time_is_shown_in_amsterdam() {
        let start = Utc.with_ymd_and_hms(2026, 12, 14, 12, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 12, 14, 16, 0, 0).unwrap();
        assert_eq!(long_date(start, Lang::Nl), "maandag 14 december 2026");
        assert_eq!(long_date(start, Lang::En), "Monday 14 December 2026");
        assert_eq!(time_range(start, end), "13:00 – 17:00");
    }
}
