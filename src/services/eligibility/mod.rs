//! Who may take part in pilots: one decision, with a reason a person can
//! read, used by pilot applications and `public_sector` events alike.
//!
//! The e-mail domain identifies the organisation: when the contact's
//! domain (or its nearest parent) belongs to exactly one current register
//! entry, that entry is the applicant's organisation whatever name was
//! typed; when it belongs to several (ministries share `rijksoverheid.nl`),
//! the typed name chooses among them; when it belongs to none, the typed
//! name is looked up, folded (`domain::NameKey`). Free-mail, platform and
//! look-alike domains identify nothing and prove nothing.
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

mod lookup;
mod rank;

pub use lookup::owners_of;

use crate::domain::mail_domain::{self, NoProof};
use crate::domain::{Email, Lang, NameKey, PilotSectors, SectorCode};
use crate::entities::organisation;
use crate::entities::pilot_application::EligibilityDecision;
use crate::i18n::text_with;

pub struct Claim<'a> {
    /// Picked from the register, when the applicant did so.
    pub organisation_id: Option<Uuid>,
    /// As typed; looked up in the register when the domain does not say.
    pub organisation_name: &'a str,
    pub sector: SectorCode,
    pub email: &'a Email,
    /// The public sectors that may take part: a pilot's own choice, or all
    /// fourteen for a `public_sector` meeting.
    pub sectors: PilotSectors,
}

/// How the register entry was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Domain,
    Name,
    Picked,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub decision: EligibilityDecision,
    /// Translation key of the reason; `args` fill it in.
    pub reason_key: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub organisation: Option<organisation::Model>,
    pub matched_by: Option<MatchedBy>,
    /// The owners of the contact's domain, when it has several and the
    /// typed name chose none of them.
    pub domain_owners: Vec<organisation::Model>,
    /// The sectors that may take part, when the reason names them.
    named_sectors: Option<PilotSectors>,
}

impl Decision {
    pub fn reason(&self, lang: Lang) -> String {
        match &self.named_sectors {
            None => text_with(lang, self.reason_key, &self.args),
            Some(sectors) => {
                let names: Vec<&str> = sectors.iter().map(|s| s.name(lang)).collect();
                let mut args = self.args.clone();
                args.push(("sectors", names.join("; ")));
                text_with(lang, self.reason_key, &args)
            }
        }
    }

    fn new(decision: EligibilityDecision, reason_key: &'static str) -> Self {
        Decision {
            decision,
            reason_key,
            args: Vec::new(),
            organisation: None,
            matched_by: None,
            domain_owners: Vec::new(),
            named_sectors: None,
        }
    }

    fn naming(mut self, sectors: &PilotSectors) -> Self {
        self.named_sectors = Some(sectors.clone());
        self
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

/// eligible: a register entry of an Overheid/Onderwijs sector that the
/// contact's own e-mail domain belongs to; needs_review: a public sector
/// is claimed but the register does not confirm it (no entry, an entry
/// without a sector, an address that is not the organisation's own);
/// ineligible: another sector is claimed (the market, or a public sector
/// the pilot is not for), or the entry is a market body or of such a sector.
pub async fn decide(db: &impl ConnectionTrait, claim: Claim<'_>) -> Result<Decision, DbErr> {
    use EligibilityDecision::*;
    if !claim.sector.group().is_public() {
        return Ok(Decision::new(Ineligible, "eligibility-market-sector"));
    }
    if !claim.sectors.contains(claim.sector) {
        return Ok(
            Decision::new(Ineligible, "eligibility-sector-not-in-pilot").naming(&claim.sectors)
        );
    }
    let domain = claim.email.domain();
    let proof = mail_domain::proof_check(domain);
    let owners = match proof {
        Ok(()) => lookup::owners_of(db, domain).await?,
        Err(_) => Vec::new(),
    };
    let typed = NameKey::of(claim.organisation_name);
    let picked = match claim.organisation_id {
        Some(id) => {
            organisation::Entity::find_by_id(id)
                .filter(organisation::Column::Active.eq(true))
                .one(db)
                .await?
        }
        None => None,
    };
    let by_domain = match owners.as_slice() {
        [] => None,
        [one] => Some((one.clone(), MatchedBy::Domain)),
        several => match picked
            .as_ref()
            .filter(|p| several.iter().any(|o| o.id == p.id))
        {
            Some(p) => Some((p.clone(), MatchedBy::Picked)),
            None => lookup::choose_by_name(db, several, &typed)
                .await?
                .map(|o| (o, MatchedBy::Domain)),
        },
    };
    if let Some((org, by)) = by_domain {
        return Ok(judge(org, by, None, domain, &claim.sectors));
    }
    // A domain only market bodies share (an insurer's care offices) places
    // the contact outside the public sectors, whatever name was typed.
    let market = |o: &organisation::Model| o.sector.is_some_and(|s| !s.group().is_public());
    if !owners.is_empty() && owners.iter().all(market) {
        return Ok(Decision::new(Ineligible, "eligibility-domain-market").with("domain", domain));
    }
    let named = match picked {
        Some(org) => Some((org, MatchedBy::Picked)),
        None => lookup::find_by_key(db, &typed)
            .await?
            .map(|o| (o, MatchedBy::Name)),
    };
    let mut decision = match named {
        Some((org, by)) => judge(org, by, Some(proof.err()), domain, &claim.sectors),
        None => {
            let decision = Decision::new(NeedsReview, "eligibility-no-register-match")
                .with("organisation", claim.organisation_name);
            match owners.as_slice() {
                [] => decision,
                _ => Decision {
                    reason_key: "eligibility-no-register-match-domain-shared",
                    ..decision.with("domain", domain)
                },
            }
        }
    };
    if owners.len() > 1 {
        decision.domain_owners = owners;
    }
    Ok(decision)
}

/// The decision for a register entry; `not_own` is `None` when the
/// contact's domain belongs to it, else why it does not prove anything.
fn judge(
    org: organisation::Model,
    by: MatchedBy,
    not_own: Option<Option<NoProof>>,
    domain: &str,
    sectors: &PilotSectors,
) -> Decision {
    use EligibilityDecision::*;
    let decision = match (org.sector, not_own) {
        (None, _) => Decision::new(NeedsReview, "eligibility-register-no-sector"),
        (Some(sector), _) if !sector.group().is_public() => {
            Decision::new(Ineligible, "eligibility-register-market")
        }
        (Some(sector), _) if !sectors.contains(sector) => {
            Decision::new(Ineligible, "eligibility-register-other-sector").naming(sectors)
        }
        (Some(_), None) => Decision::new(Eligible, "eligibility-eligible"),
        (Some(_), Some(Some(NoProof::FreeMail))) => {
            Decision::new(NeedsReview, "eligibility-free-mail").with("domain", domain)
        }
        (Some(_), Some(Some(NoProof::Student))) => {
            Decision::new(NeedsReview, "eligibility-student-domain").with("domain", domain)
        }
        (Some(_), Some(_)) => {
            Decision::new(NeedsReview, "eligibility-domain-mismatch").with("domain", domain)
        }
    };
    Decision {
        organisation: Some(org.clone()),
        matched_by: Some(by),
        ..decision.with("organisation", org.name)
    }
}

/// The single active organisation whose name or abbreviation is `name`,
/// ignoring case, or else whose folded name is; none when there is no such
/// or more than one.
pub async fn find_by_exact_name(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<organisation::Model>, DbErr> {
    lookup::find_by_key(db, &NameKey::of(name)).await
}

/// A register entry as the search field offers it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrganisationHit {
    pub id: Uuid,
    pub name: String,
    pub abbreviation: Option<String>,
    /// The register's kind (`gemeenten`, `rwt`, ...).
    #[serde(skip)]
    pub kind: String,
    /// A sector code, or none where the register gives no sector.
    #[schema(value_type = Option<String>)]
    pub sector: Option<&'static str>,
}

impl From<organisation::Model> for OrganisationHit {
    fn from(org: organisation::Model) -> Self {
        OrganisationHit {
            id: org.id,
            name: org.name,
            abbreviation: org.abbreviation,
            kind: org.kind,
            sector: org.sector.map(|s| s.code()),
        }
    }
}

/// How many resembling entries are ranked before the best are offered.
const CANDIDATE_POOL: u64 = 300;

/// Register entries to offer an applicant whom neither the e-mail domain
/// nor the typed name placed: the owners of a shared domain first, then
/// entries whose name resembles the typed one. None when the register
/// already knows the organisation.
pub async fn candidates(
    db: &impl ConnectionTrait,
    claim: Claim<'_>,
    limit: u64,
) -> Result<Vec<OrganisationHit>, DbErr> {
    let name = claim.organisation_name;
    let claim_sector = claim.sector;
    let decision = decide(db, claim).await?;
    if decision.organisation.is_some() {
        return Ok(Vec::new());
    }
    let mut hits: Vec<OrganisationHit> = decision
        .domain_owners
        .into_iter()
        .map(OrganisationHit::from)
        .collect();
    // A wide pool, ranked here: the database orders by length only.
    let mut similar: Vec<OrganisationHit> = search(db, name, CANDIDATE_POOL)
        .await?
        .into_iter()
        .filter(|hit| !hits.iter().any(|h| h.id == hit.id))
        .collect();
    rank::rank(&mut similar, name, claim_sector);
    hits.extend(similar);
    hits.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(hits)
}

/// Active organisations matching `query`, shortest name first; for the
/// search-as-you-type field and its no-JS fallback.
pub async fn search(
    db: &impl ConnectionTrait,
    query: &str,
    limit: u64,
) -> Result<Vec<OrganisationHit>, DbErr> {
    Ok(lookup::search(db, query, limit)
        .await?
        .into_iter()
        .map(OrganisationHit::from)
        .collect())
}
