//! Defences every response and every state-changing endpoint share:
//! security headers and per-IP rate limits (429 with Retry-After).
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rocket::fairing::AdHoc;
use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::shield::{Frame, Referrer, Shield};
use rocket::Request;

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

/// One limiter per kind of action, keyed on the client's address.
pub struct RateLimits {
    sign_ups: DefaultKeyedRateLimiter<IpAddr>,
    logins: DefaultKeyedRateLimiter<IpAddr>,
}

impl RateLimits {
    pub fn new(sign_ups_per_minute: u32, logins_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        RateLimits {
            sign_ups: RateLimiter::keyed(quota(sign_ups_per_minute)),
            logins: RateLimiter::keyed(quota(logins_per_minute)),
        }
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

/// Guards sign-ups and pilot applications.
pub struct SignUpAllowed;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignUpAllowed {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        check(req, |l| &l.sign_ups).map(|_| SignUpAllowed)
    }
}

/// Guards the staff log-in, beside the per-account lock-out.
pub struct LoginAllowed;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for LoginAllowed {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        check(req, |l| &l.logins).map(|_| LoginAllowed)
    }
}
