//! `event_created`, `event_postponed`, `event_cancelled` (ticketing): an event's publication,
//! dates and status.

use uuid::Uuid;

use super::support::{not_published, park, secs, user_of, Change, Outcome};
use crate::decode::{TicketTerms, Tier};

// The statements that change a row return its user or id and, from the snapshot in `old`,
// the values they replaced (`audit_logs.old_values`).

const LOCK_EVENT: &str = "
SELECT organizer_user_id, smart_contract_id, onchain_status
  FROM events WHERE event_id = $1 FOR NO KEY UPDATE";

const PUBLISH_EVENT: &str = "
UPDATE events
   SET smart_contract_id = $2, organizer_address = $3, payment_token_address = $4, tiers = $5,
       capacity = $6, sales_start_at = to_timestamp($7::float8),
       sales_end_at = to_timestamp($8::float8), start_datetime = to_timestamp($9::float8),
       end_datetime = to_timestamp($10::float8),
       min_ticket_price = $11::numeric / 10000000, max_ticket_price = $12::numeric / 10000000,
       onchain_status = 'published', onchain_ledger = $13, status = 'published',
       published_at = COALESCE(published_at, $14::timestamptz),
       tickets_transferable = $15, tickets_resaleable = $16, tickets_refundable = $17,
       resale_cap_bps = $18, royalty_bps = $19, metadata_uri = COALESCE($20, metadata_uri)
  FROM (SELECT event_id, status, onchain_status, smart_contract_id, start_datetime,
               end_datetime, capacity
          FROM events WHERE event_id = $1) old
 WHERE events.event_id = old.event_id
RETURNING to_jsonb(old) - 'event_id'";

const POSTPONE_EVENT: &str = "
WITH old AS (
    SELECT event_id, start_datetime, end_datetime, onchain_status, status FROM events
     WHERE event_id = $1 AND smart_contract_id = $2 AND onchain_status IS NOT NULL
       FOR NO KEY UPDATE
)
UPDATE events e
   SET start_datetime = to_timestamp($3::float8), end_datetime = to_timestamp($4::float8),
       onchain_status = 'postponed', status = 'postponed'
  FROM old
 WHERE e.event_id = old.event_id
RETURNING e.organizer_user_id, to_jsonb(old) - 'event_id'";

const CANCEL_EVENT: &str = "
WITH old AS (
    SELECT event_id, onchain_status, status, cancelled_at, refund_deadline FROM events
     WHERE event_id = $1 AND smart_contract_id = $2 AND onchain_status IS NOT NULL
       FOR NO KEY UPDATE
)
UPDATE events e
   SET onchain_status = 'cancelled', status = 'cancelled', cancelled_at = $3::timestamptz,
       refund_deadline = to_timestamp($4::float8)
  FROM old
 WHERE e.event_id = old.event_id
RETURNING e.organizer_user_id, to_jsonb(old) - 'event_id'";

/// What `event_created` publishes.
pub(super) struct Publication<'d> {
    pub event: &'d Uuid,
    pub organizer: &'d str,
    pub payment_token: &'d str,
    pub tiers: &'d [Tier],
    pub capacity: u32,
    /// Sales start and end, ledger seconds.
    pub sales: (u64, u64),
    /// The event's start and end, ledger seconds.
    pub dates: (u64, u64),
    pub terms: Option<&'d TicketTerms>,
}

/// Publishes a draft event with what the chain says of it, once the mirror agrees on who
/// its organizer is.
pub(super) async fn created(
    c: &mut Change<'_, '_>,
    p: &Publication<'_>,
) -> Result<Outcome, sqlx::Error> {
    let event = p.event;
    let row: Option<(Uuid, Option<Uuid>, Option<String>)> = sqlx::query_as(LOCK_EVENT)
        .bind(event)
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((organizer_user, registered_contract, onchain)) = row else {
        return park(
            "unknown_event",
            format!("no event {event} in the database (create it as a draft first)"),
        );
    };
    if onchain.is_some() && registered_contract != Some(c.origin.contract_id) {
        return park(
            "mismatch",
            format!("event {event} is already published by another contract"),
        );
    }
    if let Some(refusal) = organizer_mismatch(c, p, organizer_user).await? {
        return Ok(refusal);
    }
    let old = publish(c, p).await?;
    c.audited(
        Some(organizer_user),
        "event_created",
        ("event", event.to_string()),
        Some(&old),
    )
    .await
}

/// Why the chain's organizer of `p` is not the mirror's `organizer_user`, if it is not.
async fn organizer_mismatch(
    c: &mut Change<'_, '_>,
    p: &Publication<'_>,
    organizer_user: Uuid,
) -> Result<Option<Outcome>, sqlx::Error> {
    let (event, organizer) = (p.event, p.organizer);
    Ok(match user_of(c.db, organizer).await? {
        Some(user) if user == organizer_user => None,
        Some(user) => Some(Outcome::Parked(
            "mismatch",
            format!(
                "event {event} belongs to organizer {organizer_user}, but the chain \
                 publishes it for {organizer}, a wallet of user {user}"
            ),
        )),
        None => Some(Outcome::Parked(
            "unknown_organizer",
            format!(
                "{organizer}, who published event {event}, is not a wallet of its \
                 organizer {organizer_user}"
            ),
        )),
    })
}

/// Writes the publication; returns the values it replaced.
async fn publish(
    c: &mut Change<'_, '_>,
    p: &Publication<'_>,
) -> Result<serde_json::Value, sqlx::Error> {
    let min = p.tiers.iter().map(|t| t.price).min().unwrap_or(0);
    let max = p.tiers.iter().map(|t| t.price).max().unwrap_or(0);
    let bps = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    sqlx::query_scalar(PUBLISH_EVENT)
        .bind(p.event)
        .bind(c.origin.contract_id)
        .bind(p.organizer)
        .bind(p.payment_token)
        .bind(tiers_json(p.tiers))
        .bind(i32::try_from(p.capacity).unwrap_or(i32::MAX))
        .bind(secs(p.sales.0))
        .bind(secs(p.sales.1))
        .bind(secs(p.dates.0))
        .bind(secs(p.dates.1))
        .bind(min.to_string())
        .bind(max.to_string())
        .bind(c.ledger())
        .bind(c.origin.closed_at)
        .bind(p.terms.map(|t| t.transferable))
        .bind(p.terms.map(|t| t.resaleable))
        .bind(p.terms.map(|t| t.refundable))
        .bind(p.terms.map(|t| bps(t.resale_cap_bps)))
        .bind(p.terms.map(|t| bps(t.royalty_bps)))
        .bind(p.terms.map(|t| t.metadata_uri.as_str()))
        .fetch_one(&mut *c.db)
        .await
}

/// The tiers as `events.tiers` holds them.
fn tiers_json(tiers: &[Tier]) -> serde_json::Value {
    serde_json::Value::Array(
        tiers
            .iter()
            .map(|t| {
                serde_json::json!({
                    "code": t.code,
                    "price_raw": t.price.to_string(),
                    "supply": t.supply,
                    "max_per_wallet": t.max_per_wallet,
                })
            })
            .collect(),
    )
}

/// Moves a published event to new dates.
pub(super) async fn postponed(
    c: &mut Change<'_, '_>,
    event: &Uuid,
    start: u64,
    end: u64,
) -> Result<Outcome, sqlx::Error> {
    let user: Option<(Uuid, serde_json::Value)> = sqlx::query_as(POSTPONE_EVENT)
        .bind(event)
        .bind(c.origin.contract_id)
        .bind(secs(start))
        .bind(secs(end))
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((user, old)) = user else {
        return park("unknown_event", not_published(event));
    };
    c.audited(
        Some(user),
        "event_postponed",
        ("event", event.to_string()),
        Some(&old),
    )
    .await
}

/// Cancels a published event, with the deadline its holders have for refunds.
pub(super) async fn cancelled(
    c: &mut Change<'_, '_>,
    event: &Uuid,
    refund_deadline: u64,
) -> Result<Outcome, sqlx::Error> {
    let user: Option<(Uuid, serde_json::Value)> = sqlx::query_as(CANCEL_EVENT)
        .bind(event)
        .bind(c.origin.contract_id)
        .bind(c.origin.closed_at)
        .bind(secs(refund_deadline))
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((user, old)) = user else {
        return park("unknown_event", not_published(event));
    };
    c.audited(
        Some(user),
        "event_cancelled",
        ("event", event.to_string()),
        Some(&old),
    )
    .await
}
