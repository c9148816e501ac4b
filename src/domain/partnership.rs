use super::ParseError;

/// Hours of paid work a week that make one job (*baan*) in the banenafspraak.
pub const HOURS_PER_JOB: f64 = 25.5;

super::names::named_enum! {
    /// Where a partnership between a public buyer and a supplier stands. The
    /// order is the lifecycle of shared/domain/DOMAIN.md.
    pub enum Stage {
        Interest = "interest",
        FirstConversation = "first_conversation",
        /// Declaration of intent (*intentieverklaring*) signed.
        KickOff = "kick_off",
        PilotRunning = "pilot_running",
        Started = "started",
        Ended = "ended",
    }
}

impl Stage {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Stage::from_name(raw.trim()).ok_or(ParseError("stage-unknown"))
    }

    /// Still on the way to a start.
    pub fn in_progress(self) -> bool {
        self < Stage::Started
    }
}

super::names::named_enum! {
    /// The procurement category a partnership or pilot creates jobs through.
    pub enum Category {
        Cleaning = "cleaning",
        Catering = "catering",
        GreenMaintenance = "green_maintenance",
        FacilityServices = "facility_services",
        Other = "other",
    }
}

impl Category {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.trim() {
            "" => Err(ParseError("required")),
            name => Category::from_name(name).ok_or(ParseError("category-unknown")),
        }
    }
}

/// A Chamber of Commerce (KvK) number: eight digits; blank means none.
pub fn kvk_number(raw: &str) -> Result<Option<String>, ParseError> {
    match raw.trim() {
        "" => Ok(None),
        digits if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Some(digits.to_owned()))
        }
        _ => Err(ParseError("kvk-invalid")),
    }
}

/// Paid hours a week, as entered; shown as jobs of 25.5 hours.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct HoursPerWeek(f64);

impl HoursPerWeek {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let trimmed = raw.trim().replace(',', ".");
        if trimmed.is_empty() {
            return Ok(HoursPerWeek(0.0));
        }
        match trimmed.parse::<f64>() {
            Ok(h) if h.is_finite() && (0.0..=100_000.0).contains(&h) => Ok(HoursPerWeek(h)),
            _ => Err(ParseError("hours-invalid")),
        }
    }

    pub fn new(hours: f64) -> Self {
        HoursPerWeek(hours.max(0.0))
    }

    pub fn hours(self) -> f64 {
        self.0
    }

    /// Smaller jobs count pro rata, larger ones as more than one.
    pub fn jobs(self) -> f64 {
        self.0 / HOURS_PER_JOB
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_hours_divided_by_twenty_five_and_a_half() {
        assert_eq!(HoursPerWeek::parse("25,5").unwrap().jobs(), 1.0);
        assert_eq!(HoursPerWeek::parse("12.75").unwrap().jobs(), 0.5);
        assert_eq!(HoursPerWeek::parse("51").unwrap().jobs(), 2.0);
        assert!(HoursPerWeek::parse("-3").is_err());
        assert!(HoursPerWeek::parse("veel").is_err());
    }

    #[test]
    fn stages_run_in_lifecycle_order() {
        assert!(Stage::Interest < Stage::KickOff && Stage::Started < Stage::Ended);
        assert!(Stage::PilotRunning.in_progress() && !Stage::Ended.in_progress());
        assert_eq!(Stage::parse("kick_off"), Ok(Stage::KickOff));
    }
}
