//! Finding register entries: by the contact's e-mail domain, by a typed
//! name (folded, kind word off), and as-you-type search.
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::domain::mail_domain::with_parents;
use crate::domain::org_name::fold;
use crate::domain::NameKey;
use crate::entities::{organisation, organisation_domain, organisation_name};

/// The active organisations that own `domain` or, failing that, its
/// nearest parent that has owners (`dgo.minbzk.nl` -> `minbzk.nl`).
pub async fn owners_of(
    db: &impl ConnectionTrait,
    domain: &str,
) -> Result<Vec<organisation::Model>, DbErr> {
    let levels: Vec<&str> = with_parents(domain).collect();
    let rows = organisation_domain::Entity::find()
        .filter(organisation_domain::Column::Domain.is_in(levels.iter().copied()))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let active: HashMap<Uuid, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(rows.iter().map(|r| r.organisation_id)))
        .filter(organisation::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    for level in levels {
        let mut owners: Vec<organisation::Model> = rows
            .iter()
            .filter(|r| r.domain == level)
            .filter_map(|r| active.get(&r.organisation_id).cloned())
            .collect();
        if !owners.is_empty() {
            owners.sort_by(|a, b| a.name.cmp(&b.name));
            owners.dedup_by_key(|o| o.id);
            return Ok(owners);
        }
    }
    Ok(Vec::new())
}

/// Of `among`, the one the typed name names: its folded name, abbreviation
/// or alias equals the typed name's, and, when the typed name began with a
/// kind word, preferably one of that kind.
pub async fn choose_by_name(
    db: &impl ConnectionTrait,
    among: &[organisation::Model],
    typed: &NameKey,
) -> Result<Option<organisation::Model>, DbErr> {
    if typed.key.is_empty() || among.is_empty() {
        return Ok(None);
    }
    let named: Vec<Uuid> = organisation_name::Entity::find()
        .filter(organisation_name::Column::NameKey.eq(typed.key.as_str()))
        .filter(organisation_name::Column::OrganisationId.is_in(among.iter().map(|o| o.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|n| n.organisation_id)
        .collect();
    let matches: Vec<&organisation::Model> =
        among.iter().filter(|o| named.contains(&o.id)).collect();
    Ok(single_preferring_kind(matches, typed).cloned())
}

/// The single active organisation the typed name names in the whole
/// register; none when there is no such or it could be more than one.
pub async fn find_by_key(
    db: &impl ConnectionTrait,
    typed: &NameKey,
) -> Result<Option<organisation::Model>, DbErr> {
    if typed.key.is_empty() {
        return Ok(None);
    }
    let mut matches = organisation::Entity::find()
        .inner_join(organisation_name::Entity)
        .filter(organisation_name::Column::NameKey.eq(typed.key.as_str()))
        .filter(organisation::Column::Active.eq(true))
        .limit(50)
        .all(db)
        .await?;
    matches.sort_by_key(|o| o.id);
    matches.dedup_by_key(|o| o.id);
    Ok(single_preferring_kind(matches.iter().collect(), typed).cloned())
}

fn single_preferring_kind<'a>(
    matches: Vec<&'a organisation::Model>,
    typed: &NameKey,
) -> Option<&'a organisation::Model> {
    if let Some(hint) = typed.kind {
        let of_kind: Vec<&organisation::Model> = matches
            .iter()
            .copied()
            .filter(|o| o.kind == hint.register_kind())
            .collect();
        match of_kind.as_slice() {
            [one] => return Some(one),
            [] => {}
            _ => return None,
        }
    }
    match matches.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

fn lower(column: organisation::Column) -> Expr {
    Func::lower(Expr::col((organisation::Entity, column))).into()
}

/// Active organisations whose name or abbreviation contains `query`, or one
/// of whose folded names contains the folded query ("sudwest fryslan"
/// finds "Gemeente Súdwest-Fryslân"), shortest name first.
pub async fn search(
    db: &impl ConnectionTrait,
    query: &str,
    limit: u64,
) -> Result<Vec<organisation::Model>, DbErr> {
    let query = query.trim().to_lowercase();
    // PostgreSQL refuses a NUL in text, and no name holds one.
    if query.chars().count() < 2 || query.contains('\0') {
        return Ok(Vec::new());
    }
    let pattern = format!("%{}%", query.replace(['%', '_'], ""));
    let folded = NameKey::of(&query).key;
    let folded = if folded.is_empty() {
        fold(&query)
    } else {
        folded
    };
    let mut any = Condition::any()
        .add(lower(organisation::Column::Name).like(pattern.clone()))
        .add(lower(organisation::Column::Abbreviation).like(pattern));
    if folded.chars().count() >= 2 {
        any = any.add(
            organisation::Column::Id.in_subquery(
                Query::select()
                    .column(organisation_name::Column::OrganisationId)
                    .from(organisation_name::Entity)
                    .and_where(
                        Expr::col(organisation_name::Column::NameKey).like(format!("%{folded}%")),
                    )
                    .to_owned(),
            ),
        );
    }
    organisation::Entity::find()
        .filter(organisation::Column::Active.eq(true))
        .filter(any)
        .order_by_asc(Func::char_length(Expr::col((
            organisation::Entity,
            organisation::Column::Name,
        ))))
        .order_by_asc(organisation::Column::Name)
        .limit(limit)
        .all(db)
        .await
}
