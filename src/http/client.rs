//! Who a request comes from, for the rate limits. By default the socket's
//! peer: a header any client can send proves nothing. Behind a reverse
//! proxy, `trusted_proxy_header` names the header the proxy sets and
//! `trusted_proxies` the addresses it connects from; only a request from one
//! of those has its header believed.
use std::net::IpAddr;

use ipnet::IpNet;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use crate::config::AppConfig;

/// The client's address, when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

/// The proxy settings, parsed once at start.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    header: Option<String>,
    networks: Vec<IpNet>,
}

impl TrustedProxies {
    pub fn from_config(config: &AppConfig) -> Result<Self, String> {
        let networks = config
            .trusted_proxies
            .iter()
            .map(|raw| {
                raw.parse::<IpNet>()
                    .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("trusted_proxies: {raw:?} is no address or network"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let header = config
            .trusted_proxy_header
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_owned);
        if header.is_some() && networks.is_empty() {
            return Err("trusted_proxy_header needs trusted_proxies: which proxy sets it?".into());
        }
        Ok(TrustedProxies { header, networks })
    }

    fn trusts(&self, peer: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(&peer))
    }

    /// The client behind `peer`, given the headers a request carries.
    pub fn client(&self, peer: Option<IpAddr>, header_values: &[&str]) -> Option<IpAddr> {
        let peer = peer?;
        let Some(_) = &self.header else {
            return Some(peer);
        };
        if !self.trusts(peer) {
            return Some(peer);
        }
        // X-Forwarded-For lists every hop; the client is the last address
        // that is not one of our own proxies.
        let hops: Vec<IpAddr> = header_values
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(|hop| hop.trim().parse().ok())
            .collect();
        hops.into_iter()
            .rev()
            .find(|hop| !self.trusts(*hop))
            .or(Some(peer))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddr {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let peer = req.remote().map(|addr| addr.ip());
        let client = match req.rocket().state::<TrustedProxies>() {
            Some(proxies) => {
                let values: Vec<&str> = match &proxies.header {
                    Some(name) => req.headers().get(name).collect(),
                    None => Vec::new(),
                };
                proxies.client(peer, &values)
            }
            None => peer,
        };
        Outcome::Success(ClientAddr(client))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    fn behind(header: Option<&str>, networks: &[&str]) -> TrustedProxies {
        TrustedProxies {
            header: header.map(str::to_owned),
            networks: networks.iter().map(|n| n.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn without_a_trusted_proxy_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(Some(ip("203.0.113.9")), &["198.51.100.1"]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy_and_our_own_hops_are_skipped() {
        let proxies = behind(Some("X-Forwarded-For"), &["10.0.0.0/8"]);
        assert_eq!(
            proxies.client(Some(ip("10.0.0.2")), &["198.51.100.7, 10.0.0.5"]),
            Some(ip("198.51.100.7"))
        );
        // A forged first entry does not help: the last foreign hop counts.
        assert_eq!(
            proxies.client(Some(ip("10.0.0.2")), &["1.2.3.4, 198.51.100.7"]),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            proxies.client(Some(ip("203.0.113.9")), &["198.51.100.7"]),
            Some(ip("203.0.113.9")),
            "a client that connects directly cannot name itself"
        );
        assert_eq!(
            proxies.client(Some(ip("10.0.0.2")), &["rubbish"]),
            Some(ip("10.0.0.2"))
        );
    }
}
