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

/// "1.234" in Dutch, "1,234" in English.
pub fn whole(n: i64, lang: Lang) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = match lang {
        Lang::Nl => '.',
        Lang::En => ',',
    };
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    if n < 0 {
        grouped.insert(0, '-');
    }
    grouped
}

/// "1.234,5" in Dutch, "1,234.5" in English, with `decimals` places.
pub fn decimal(value: f64, decimals: usize, lang: Lang) -> String {
    let fixed = format!("{:.*}", decimals, value.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let int: i64 = int.parse().unwrap_or(0);
    let sign = if value < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let point = match lang {
        Lang::Nl => ',',
        Lang::En => '.',
    };
    if frac.is_empty() {
        format!("{sign}{}", whole(int, lang))
    } else {
        format!("{sign}{}{point}{frac}", whole(int, lang))
    }
}

/// "jan", "mrt", "okt" / "Jan", "Mar", "Oct": a month (1 to 12) as axes
/// and tables name it.
pub fn month_short(month: u32, lang: Lang) -> String {
    chrono::NaiveDate::from_ymd_opt(2026, month.clamp(1, 12), 1)
        .map(|d| d.format_localized("%b", locale(lang)).to_string())
        .unwrap_or_default()
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

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        assert_eq!(whole(1234, Lang::Nl), "1.234");
        assert_eq!(whole(1234567, Lang::En), "1,234,567");
        assert_eq!(whole(999, Lang::Nl), "999");
        assert_eq!(whole(-1234, Lang::Nl), "-1.234");
        assert_eq!(decimal(12.5, 1, Lang::Nl), "12,5");
        assert_eq!(decimal(1234.25, 1, Lang::Nl), "1.234,2");
        assert_eq!(decimal(12.5, 1, Lang::En), "12.5");
        assert_eq!(decimal(0.04, 1, Lang::Nl), "0,0");
        assert_eq!(month_short(3, Lang::Nl), "mrt");
        assert_eq!(month_short(10, Lang::En), "Oct");
    }
}
