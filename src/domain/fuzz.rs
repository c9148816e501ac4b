//! Property tests: whatever a person or a client types, the parsers answer
//! with a value or a field error, never a panic.
use proptest::prelude::*;

use super::*;

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,300}",
        "\\PC{0,40}@\\PC{0,40}",
        Just("<script>alert(1)</script>".to_owned()),
        Just("=HYPERLINK(\"x\")".to_owned()),
        Just("\u{0}\u{202e}\u{feff}".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn single_field_parsers_never_panic(raw in any_text()) {
        let _ = Email::parse(&raw);
        let _ = SectorCode::parse(&raw);
        let _ = BoundedText::<200>::parse(&raw);
        let _ = Line::<200>::parse(&raw);
        let _ = OptionalText::<2000>::parse(&raw);
        let _ = Lang::parse(&raw);
        let _ = Lang::from_accept_language(&raw);
        let _ = Slug::parse(&raw);
        let _ = Capacity::parse(&raw);
        let _ = HoursPerWeek::parse(&raw);
        let _ = Stage::parse(&raw);
    }

    #[test]
    fn accepted_emails_are_normalised_and_bounded(raw in any_text()) {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert!(email.as_str().chars().count() <= Email::MAX_LEN);
            prop_assert_eq!(email.as_str().to_lowercase(), email.as_str());
            prop_assert!(email.domain().contains('.'));
        }
    }

    #[test]
    fn whole_forms_give_values_or_field_errors(fields in proptest::collection::vec(any_text(), 13)) {
        let registration = RegistrationInput {
            name: fields[0].clone(),
            email: fields[1].clone(),
            organisation: fields[2].clone(),
            sector: fields[3].clone(),
            job_title: fields[4].clone(),
            remarks: fields[5].clone(),
        };
        if let Err(errors) = NewRegistration::parse(&registration, Lang::Nl) {
            prop_assert!(!errors.is_empty());
        }
        let application = ApplicationInput {
            organisation: fields[0].clone(),
            organisation_id: fields[6].clone(),
            sector: fields[3].clone(),
            contact_name: fields[7].clone(),
            email: fields[1].clone(),
            phone: fields[8].clone(),
            current_suppliers: fields[9].clone(),
            market_partner: fields[10].clone(),
            motivation: fields[11].clone(),
            expected_jobs: fields[12].clone(),
        };
        if let Err(errors) = NewApplication::parse(&application, Lang::En) {
            prop_assert!(!errors.is_empty());
        }
        let event = EventInput {
            slug: fields[0].clone(),
            title_nl: fields[1].clone(),
            title_en: fields[2].clone(),
            description_nl: fields[3].clone(),
            description_en: fields[4].clone(),
            location: fields[5].clone(),
            date: fields[6].clone(),
            start_time: fields[7].clone(),
            end_time: fields[8].clone(),
            capacity: fields[9].clone(),
            waitlist: true,
            public_sector_only: false,
            reminder_days: fields[10].clone(),
            registration_opens: fields[11].clone(),
            registration_closes: fields[12].clone(),
            confirmation_note_nl: fields[3].clone(),
            confirmation_note_en: fields[4].clone(),
        };
        if let Err(errors) = NewEvent::parse(&event) {
            prop_assert!(!errors.is_empty());
        }
    }
}
