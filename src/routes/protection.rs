//! Defences every response and every state-changing endpoint share:
//! security headers and rate limits per IP address and per e-mail address
//! (429 with Retry-After).
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rocket::fairing::AdHoc;
use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::shield::{Frame, Referrer, Shield};
use rocket::Request;

use crate::config::AppConfig;
use crate::error::AppError;

/// No inline scripts or styles anywhere on our pages, so the policy can
/// be strict; `frame-ancestors` keeps the forms out of other sites' frames.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Rocket's shield (nosniff, no framing, no referrer: manage links carry
/// tokens) plus a Content-Security-Policy.
pub fn headers() -> (Shield, AdHoc) {
    let shield = Shield::default()
        .enable(Frame::Deny)
        .enable(Referrer::NoReferrer);
    let csp = AdHoc::on_response("Content-Security-Policy", |_, response| {
        Box::pin(async move {
            response.set_header(Header::new(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY,
            ));
        })
    });
    (shield, csp)
}

/// One limiter per kind of action, keyed on the client's address, and
/// one keyed on the e-mail address a request is about.
/// Cheap to clone: the upkeep task shares the limiters with the routes.
#[derive(Clone)]
pub struct RateLimits {
    sign_ups: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    logins: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Keyed on a 64-bit hash of action and address, not the address
    /// itself: every address seen is kept until its allowance is whole
    /// again (up to an hour), and a flood of new addresses then costs a
    /// few bytes each instead of a string allocation each (about 250
    /// bytes an address, measured). The hash key is random per process,
    /// so nobody can pick addresses that collide.
    per_email: Arc<DefaultKeyedRateLimiter<u64>>,
    email_hasher: RandomState,
}

/// What a per-e-mail limit counts; each has its own allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailAction {
    SignUp,
    Application,
    LogIn,
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

impl RateLimits {
    pub fn new(config: &AppConfig) -> Self {
        let per_minute = |n: u32| Quota::per_minute(at_least_one(n));
        let per_hour = Quota::per_hour(at_least_one(config.rate_limit_per_email_per_hour));
        RateLimits {
            sign_ups: Arc::new(RateLimiter::keyed(per_minute(
                config.rate_limit_sign_ups_per_minute,
            ))),
            logins: Arc::new(RateLimiter::keyed(per_minute(
                config.rate_limit_logins_per_minute,
            ))),
            per_email: Arc::new(RateLimiter::keyed(per_hour)),
            email_hasher: RandomState::new(),
        }
    }

    /// Refuses the request when this e-mail address used up its allowance,
    /// however many client addresses the requests come from. This is what
    /// stops one person's inbox being flooded with resent confirmations.
    pub fn check_email(&self, action: EmailAction, email: &str) -> Result<(), AppError> {
        let key = self.email_key(action, email);
        self.per_email.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// Upper and lower case are one address here, as for the person.
    fn email_key(&self, action: EmailAction, email: &str) -> u64 {
        let mut hasher = self.email_hasher.build_hasher();
        action.hash(&mut hasher);
        for c in email.chars().flat_map(char::to_lowercase) {
            hasher.write_u32(u32::from(c));
        }
        hasher.finish()
    }

    /// Drops the state of keys that have been quiet long enough to be
    /// back at full allowance, so memory follows current traffic only.
    pub fn forget_idle(&self) {
        self.sign_ups.retain_recent();
        self.logins.retain_recent();
        self.per_email.retain_recent();
    }
}

/// Seconds the refused client should wait, for the 429 catcher's header.
#[derive(Clone, Copy, Default)]
pub struct RetryAfter(pub u64);

fn check(
    req: &Request<'_>,
    pick: fn(&RateLimits) -> &DefaultKeyedRateLimiter<IpAddr>,
) -> Outcome<(), ()> {
    // Without an address (tests, a misconfigured proxy) nobody is blamed.
    let (Some(limits), Some(ip)) = (req.rocket().state::<RateLimits>(), req.client_ip()) else {
        return Outcome::Success(());
    };
    match pick(limits).check_key(&ip) {
        Ok(()) => Outcome::Success(()),
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            req.local_cache(|| RetryAfter(wait.as_secs().max(1)));
            Outcome::Error((Status::TooManyRequests, ()))
        }
    }
}

/// Guards sign-ups and pilot applications per client address; the route
/// adds the per-e-mail check once it has read the address.
pub struct SignUpAllowed<'r>(Option<&'r RateLimits>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignUpAllowed<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        check(req, |l| &l.sign_ups).map(|_| SignUpAllowed(req.rocket().state()))
    }
}

impl SignUpAllowed<'_> {
    pub fn for_email(&self, action: EmailAction, email: &str) -> Result<(), AppError> {
        self.0.map_or(Ok(()), |l| l.check_email(action, email))
    }
}

/// Guards the staff log-in, beside the per-account lock-out.
pub struct LoginAllowed<'r>(Option<&'r RateLimits>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for LoginAllowed<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        check(req, |l| &l.logins).map(|_| LoginAllowed(req.rocket().state()))
    }
}

impl LoginAllowed<'_> {
    pub fn for_email(&self, email: &str) -> Result<(), AppError> {
        self.0
            .map_or(Ok(()), |l| l.check_email(EmailAction::LogIn, email))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_one_key_in_any_case_and_each_action_counts_apart() {
        let config: AppConfig = crate::figment().extract().expect("default configuration");
        let limits = RateLimits::new(&config);
        let key = |action, email| limits.email_key(action, email);
        let anna = key(EmailAction::SignUp, "anna@utrecht.nl");
        assert_eq!(anna, key(EmailAction::SignUp, "Anna@UTRECHT.nl"));
        assert_ne!(anna, key(EmailAction::Application, "anna@utrecht.nl"));
        assert_ne!(anna, key(EmailAction::SignUp, "bert@utrecht.nl"));
    }
}
