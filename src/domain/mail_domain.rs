//! What an e-mail domain can prove. A domain proves employment only when it
//! is an organisation's own: free-mail and platform domains anyone can get
//! an address or a subdomain at never do, nor do domains that only look
//! like a Dutch one (non-ASCII look-alikes, punycode, reserved names).

/// Free-mail providers, internet providers' mailboxes and platforms, each
/// with its subdomains. Names ending in `.*` stand for the brand under any
/// country ending (`hotmail.com`, `hotmail.nl`, `hotmail.co.uk`).
#[rustfmt::skip]
const NEVER_PROOF: &[&str] = &[
    // Worldwide free mail.
    "outlook.*", "hotmail.*", "live.*", "msn.com", "passport.com", "windowslive.com",
    "gmail.com", "googlemail.com", "google.com", "icloud.com", "me.com", "mac.com",
    "yahoo.*", "ymail.com", "rocketmail.com", "aol.*", "aim.com", "gmx.*", "web.de",
    "mail.com", "email.com", "zoho.com", "zohomail.eu", "yandex.*", "mail.ru", "qq.com",
    "163.com", "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com",
    "tutanota.de", "tuta.io", "tuta.com", "fastmail.com", "fastmail.fm", "hey.com",
    "mailbox.org", "posteo.de", "posteo.net", "hushmail.com", "gmx.net", "duck.com",
    // Dutch and Belgian internet providers' mailboxes.
    "ziggo.nl", "upcmail.nl", "chello.nl", "casema.nl", "home.nl", "quicknet.nl",
    "kpnmail.nl", "kpnplanet.nl", "planet.nl", "hetnet.nl", "xs4all.nl", "wxs.nl",
    "zonnet.nl", "freeler.nl", "12move.nl", "tiscali.nl", "telfort.nl", "tele2.nl",
    "online.nl", "versatel.nl", "zeelandnet.nl", "delta.nl", "caiway.nl", "kabelfoon.nl",
    "solcon.nl", "hccnet.nl", "onsbrabantnet.nl", "telenet.be", "skynet.be", "proximus.be",
    "scarlet.be",
    // Platforms: social networks, hosting, mail-sending services.
    "linkedin.com", "facebook.com", "twitter.com", "x.com", "instagram.com",
    "youtube.com", "github.com", "github.io", "gitlab.io", "wordpress.com", "wix.com",
    "wixsite.com", "blogspot.com", "onmicrosoft.com", "office365.com", "sharepoint.com",
    "mailchimp.com", "sendgrid.net", "mailgun.org", "amazonses.com", "herokuapp.com",
    "netlify.app", "vercel.app", "azurewebsites.net", "cloudfront.net",
    // Government publication platforms many bodies list as their website;
    // nobody works there for the body that lists them.
    "organisaties.overheid.nl", "wetten.overheid.nl", "identifier.overheid.nl",
    "officielebekendmakingen.nl",
];

/// Endings reserved for examples and tests (RFC 2606, RFC 6761).
const RESERVED_ENDINGS: [&str; 5] = ["example", "test", "invalid", "localhost", "local"];

/// Why a domain cannot prove that someone works for an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoProof {
    /// A free-mail, provider or platform domain.
    FreeMail,
    /// Non-ASCII, punycode or a reserved ending: only looks like a domain
    /// an organisation would use.
    LookAlike,
    /// A students' subdomain (`student.hva.nl`): students are not the
    /// institution's employees.
    Student,
    /// Not a domain at all.
    Malformed,
}

/// Labels under an institution's domain that mark students' mailboxes.
const STUDENT_LABELS: [&str; 4] = ["student", "students", "stud", "leerling"];

/// Whether `domain` (lower case) can prove employment, and if not, why.
pub fn proof_check(domain: &str) -> Result<(), NoProof> {
    if !is_well_formed(domain) {
        return Err(NoProof::Malformed);
    }
    if !domain.is_ascii() || domain.split('.').any(|label| label.starts_with("xn--")) {
        return Err(NoProof::LookAlike);
    }
    let ending = domain.rsplit('.').next().unwrap_or_default();
    if RESERVED_ENDINGS.contains(&ending) {
        return Err(NoProof::LookAlike);
    }
    if is_free_mail(domain) {
        return Err(NoProof::FreeMail);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels[..labels.len().saturating_sub(2)]
        .iter()
        .any(|label| STUDENT_LABELS.contains(label))
    {
        return Err(NoProof::Student);
    }
    Ok(())
}

/// A free-mail, provider or platform domain, or a subdomain of one.
pub fn is_free_mail(domain: &str) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let listed = with_parents(&domain)
        .any(|candidate| NEVER_PROOF.iter().any(|entry| matches(entry, candidate)));
    listed
}

fn matches(entry: &str, domain: &str) -> bool {
    match entry.strip_suffix(".*") {
        None => entry == domain,
        // The brand and a country or generic ending of one or two short
        // labels: hotmail.com, hotmail.nl, hotmail.co.uk.
        Some(brand) => domain
            .strip_prefix(brand)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|ending| {
                let labels: Vec<&str> = ending.split('.').collect();
                labels.len() <= 2 && labels.iter().all(|l| (2..=3).contains(&l.len()))
            }),
    }
}

/// `a.b.example.nl`, `b.example.nl`, `example.nl`: the domain and each
/// parent that still has a dot (never a bare ending such as `nl`).
pub fn with_parents(domain: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(domain);
    std::iter::from_fn(move || {
        let current = next?;
        next = current
            .split_once('.')
            .map(|(_, parent)| parent)
            .filter(|parent| parent.contains('.'));
        Some(current)
    })
}

/// Letters, digits, hyphens and dots; labels neither empty nor starting or
/// ending with a hyphen; at least two labels.
pub fn is_well_formed(domain: &str) -> bool {
    domain.len() <= 200
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && domain.chars().all(|c| !c.is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_mail_and_platforms_never_prove_anything() {
        for domain in [
            "gmail.com",
            "googlemail.com",
            "outlook.com",
            "outlook.nl",
            "hotmail.com",
            "hotmail.co.uk",
            "live.nl",
            "yahoo.com",
            "yahoo.co.uk",
            "icloud.com",
            "ziggo.nl",
            "kpnmail.nl",
            "xs4all.nl",
            "planet.nl",
            "home.nl",
            "hetnet.nl",
            "linkedin.com",
            "proton.me",
            "mail.yahoo.com",
            "gemeente-utrecht.onmicrosoft.com",
        ] {
            assert_eq!(proof_check(domain), Err(NoProof::FreeMail), "{domain}");
        }
    }

    #[test]
    fn own_domains_can_prove_and_brands_inside_them_do_not_count() {
        for domain in [
            "utrecht.nl",
            "minbzk.nl",
            "rijksoverheid.nl",
            "live-events.nl",
            "hotmailer.nl",
            "tudelft.nl",
        ] {
            assert_eq!(proof_check(domain), Ok(()), "{domain}");
        }
    }

    #[test]
    fn look_alikes_never_prove_anything() {
        for domain in [
            "utrecht.nl.example",
            "utrecht-nl.example",
            "xn--utrcht-5va.nl",
            "utrеcht.nl", // Cyrillic е
            "utrécht.nl",
            "rijksoverheid.test",
        ] {
            assert_eq!(proof_check(domain), Err(NoProof::LookAlike), "{domain}");
        }
        assert_eq!(proof_check("utrecht"), Err(NoProof::Malformed));
        assert_eq!(proof_check("student.hva.nl"), Err(NoProof::Student));
        assert_eq!(proof_check("hva.student.nl"), Ok(()), "a domain of its own");
        assert_eq!(proof_check("-utrecht.nl"), Err(NoProof::Malformed));
    }

    #[test]
    fn parents_stop_before_the_bare_ending() {
        let all: Vec<&str> = with_parents("p.jansen.dgo.minbzk.nl").collect();
        assert_eq!(
            all,
            [
                "p.jansen.dgo.minbzk.nl",
                "jansen.dgo.minbzk.nl",
                "dgo.minbzk.nl",
                "minbzk.nl"
            ]
        );
        assert_eq!(
            with_parents("utrecht.nl").collect::<Vec<_>>(),
            ["utrecht.nl"]
        );
    }
}
