//! Who may take part in pilots: one decision, with a reason a person can
//! read, used by pilot applications and `public_sector` events alike.
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::domain::{Email, Lang, SectorCode};
use crate::entities::organisation;
use crate::entities::organisation_domain;
use crate::entities::pilot_application::EligibilityDecision;
use crate::i18n::text_with;

pub struct Claim<'a> {
    /// Picked from the register, when the applicant did so.
    pub organisation_id: Option<Uuid>,
    /// As typed; looked up in the register when no id was picked.
    pub organisation_name: &'a str,
    pub sector: SectorCode,
    pub email: &'a Email,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub decision: EligibilityDecision,
    /// Translation key of the reason; `args` fill it in.
    pub reason_key: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub organisation: Option<organisation::Model>,
}

impl Decision {
    pub fn reason(&self, lang: Lang) -> String {
        text_with(lang, self.reason_key, &self.args)
    }

    fn new(decision: EligibilityDecision, reason_key: &'static str) -> Self {
        Decision {
            decision,
            reason_key,
            args: Vec::new(),
            organisation: None,
        }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

/// eligible: a register match in an Overheid/Onderwijs sector whose e-mail
/// domain is the contact's; needs_review: a public sector is claimed but the
/// register does not confirm it; ineligible: another sector, or a register
/// match of a market kind.
pub async fn decide(db: &impl ConnectionTrait, claim: Claim<'_>) -> Result<Decision, DbErr> {
    use EligibilityDecision::*;
    if !claim.sector.group().is_public() {
        return Ok(Decision::new(Ineligible, "eligibility-market-sector"));
    }
    let found = match claim.organisation_id {
        Some(id) => {
            organisation::Entity::find_by_id(id)
                .filter(organisation::Column::Active.eq(true))
                .one(db)
                .await?
        }
        None => find_by_exact_name(db, claim.organisation_name).await?,
    };
    let Some(org) = found else {
        let decision = Decision::new(NeedsReview, "eligibility-no-register-match")
            .with("organisation", claim.organisation_name);
        return Ok(match owner_of_domain(db, claim.email.domain()).await? {
            Some(owner) => Decision {
                reason_key: "eligibility-no-register-match-domain-known",
                ..decision.with("owner", owner.name)
            },
            None => decision,
        });
    };
    let decision = match org.sector {
        None => Decision::new(NeedsReview, "eligibility-register-no-sector")
            .with("organisation", &org.name),
        Some(sector) if !sector.group().is_public() => {
            Decision::new(Ineligible, "eligibility-register-market").with("organisation", &org.name)
        }
        Some(_) if domain_belongs(db, org.id, claim.email.domain()).await? => {
            Decision::new(Eligible, "eligibility-eligible").with("organisation", &org.name)
        }
        Some(_) => Decision::new(NeedsReview, "eligibility-domain-mismatch")
            .with("organisation", &org.name)
            .with("domain", claim.email.domain()),
    };
    Ok(Decision {
        organisation: Some(org),
        ..decision
    })
}

/// Whether `domain` is one of the organisation's domains or a subdomain of one.
async fn domain_belongs(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    domain: &str,
) -> Result<bool, DbErr> {
    let domains = organisation_domain::Entity::find()
        .filter(organisation_domain::Column::OrganisationId.eq(organisation_id))
        .all(db)
        .await?;
    Ok(domains
        .iter()
        .any(|d| domain == d.domain || domain.ends_with(&format!(".{}", d.domain))))
}

/// The one active organisation that owns exactly this domain, if any.
async fn owner_of_domain(
    db: &impl ConnectionTrait,
    domain: &str,
) -> Result<Option<organisation::Model>, DbErr> {
    let owners = organisation::Entity::find()
        .inner_join(organisation_domain::Entity)
        .filter(organisation_domain::Column::Domain.eq(domain))
        .filter(organisation::Column::Active.eq(true))
        .limit(2)
        .all(db)
        .await?;
    Ok(if owners.len() == 1 {
        owners.into_iter().next()
    } else {
        None
    })
}

fn lower(column: organisation::Column) -> Expr {
    Func::lower(Expr::col((organisation::Entity, column))).into()
}

/// The single active organisation whose name or abbreviation is `name`,
/// ignoring case; none when there is no such or more than one.
pub async fn find_by_exact_name(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<organisation::Model>, DbErr> {
    let wanted = name.trim().to_lowercase();
    let matches = organisation::Entity::find()
        .filter(organisation::Column::Active.eq(true))
        .filter(
            Condition::any()
                .add(lower(organisation::Column::Name).eq(wanted.clone()))
                .add(lower(organisation::Column::Abbreviation).eq(wanted)),
        )
        .limit(2)
        .all(db)
        .await?;
    Ok(if matches.len() == 1 {
        matches.into_iter().next()
    } else {
        None
    })
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

/// Register entries to offer an applicant whose typed name is not exactly
/// one entry; none when it is.
pub async fn candidates(
    db: &impl ConnectionTrait,
    name: &str,
    limit: u64,
) -> Result<Vec<OrganisationHit>, DbErr> {
    if find_by_exact_name(db, name).await?.is_some() {
        return Ok(Vec::new());
    }
    search(db, name, limit).await
}

/// Active organisations whose name or abbreviation contains `query`,
/// shortest name first; for the search-as-you-type field and its no-JS
/// fallback.
pub async fn search(
    db: &impl ConnectionTrait,
    query: &str,
    limit: u64,
) -> Result<Vec<OrganisationHit>, DbErr> {
    let query = query.trim().to_lowercase();
    // PostgreSQL refuses a NUL in text, and no name holds one.
    if query.chars().count() < 2 || query.contains('\0') {
        return Ok(Vec::new());
    }
    let pattern = format!("%{}%", query.replace(['%', '_'], ""));
    organisation::Entity::find()
        .filter(organisation::Column::Active.eq(true))
        .filter(
            Condition::any()
                .add(lower(organisation::Column::Name).like(pattern.clone()))
                .add(lower(organisation::Column::Abbreviation).like(pattern)),
        )
        .order_by_asc(Func::char_length(Expr::col((
            organisation::Entity,
            organisation::Column::Name,
        ))))
        .order_by_asc(organisation::Column::Name)
        .limit(limit)
        .all(db)
        .await
        .map(|found| found.into_iter().map(OrganisationHit::from).collect())
}
