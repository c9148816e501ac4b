//! Log lines as they leave the process: no link token (a manage link in a
//! log is a way into someone's sign-up) and no e-mail address (only a short
//! hash, enough to follow one person through the log). Every line passes
//! [`redact`], Rocket's own too.
use std::io::{self, Write};
use std::sync::OnceLock;

use regex::{Captures, Regex};
use sha2::{Digest, Sha256};
use tracing_subscriber::fmt::MakeWriter;

/// The link-token paths and the e-mail addresses to take out.
fn patterns() -> Option<&'static (Regex, Regex)> {
    static PATTERNS: OnceLock<Option<(Regex, Regex)>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            let tokens = Regex::new(
                r"(/(?:manage|applications/verify|applications|admin/checkin))/[A-Za-z0-9_%-]{20,}",
            );
            // Domains with accents too (`zëist.nl`): sign-ups accept them.
            let addresses = Regex::new(r"[A-Za-z0-9._%+'-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}");
            Some((tokens.ok()?, addresses.ok()?))
        })
        .as_ref()
}

/// `line` without link tokens and with addresses as `mail:<hash>`; withheld
/// whole if the patterns were not there to clean it (they are literals,
/// compiled in the test below).
pub fn redact(line: &str) -> String {
    let Some((tokens, addresses)) = patterns() else {
        return "(log line withheld)\n".to_owned();
    };
    let line = tokens.replace_all(line, "$1/…");
    addresses
        .replace_all(&line, |found: &Captures<'_>| {
            let digest = Sha256::digest(found[0].to_lowercase().as_bytes());
            let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
            format!("mail:{short}")
        })
        .into_owned()
}

/// Standard error, through [`redact`].
pub struct Redacted;

impl<'a> MakeWriter<'a> for Redacted {
    type Writer = RedactingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter
    }
}

pub struct RedactingWriter;

impl Write for RedactingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let clean = redact(&String::from_utf8_lossy(buf));
        io::stderr().write_all(clean.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_addresses_leave_the_line() {
        let token = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg";
        let line = format!(
            "No matching routes for GET /manage/{token}/cancel; /applications/verify/{token}; \
             sending to Anna.de.Vries@Utrecht.nl failed"
        );
        let clean = redact(&line);
        assert!(!clean.contains(token), "{clean}");
        assert!(!clean.to_lowercase().contains("anna.de.vries"), "{clean}");
        assert!(clean.contains("/manage/…/cancel"), "{clean}");
        assert!(clean.contains("mail:"), "{clean}");
        assert_eq!(
            redact("GET /events/partnerships"),
            "GET /events/partnerships"
        );
        assert_eq!(
            redact("a@b.nl and A@B.NL"),
            redact("A@B.NL and a@b.nl"),
            "one person, one hash"
        );
        let accented = redact("sending to dup@zëist.nl failed");
        assert!(
            !accented.contains("dup@") && !accented.contains("zëist"),
            "{accented}"
        );
    }
}
