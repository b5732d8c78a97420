//! The money side (revenue): `settled` freezes an event's pool and so what each approved
//! contributor earns; `claimed` pays one of them.

use uuid::Uuid;

use super::support::{event_organizer, no_contribution, park, user_of, Change, Outcome};
use crate::decode::Decoded;
use crate::rows::record_transaction;

/// What each approved contributor earns once the pool is frozen (INTERFACES.md, settlement):
/// commission and fixed payees their amount, scaled by pool / committed (floored) when the
/// pool cannot cover them; percentage payees floor(pct_pool × bps / 10 000), nothing when
/// scaled. A referrer's commission is what its live (not refunded) tickets earned.
/// $1 event, $2 pool, $3 pct_pool, $4 committed (commissions + fixed), $5 scaled.
const SETTLE_CONTRIBUTIONS: &str = "
WITH owed AS (
    SELECT a.attribution_id, a.share_type,
           CASE a.share_type
               WHEN 'percentage' THEN floor($3::numeric * a.share_bps / 10000)
               WHEN 'fixed' THEN a.fixed_amount_raw
               ELSE (SELECT COALESCE(sum(t.commission_raw), 0) FROM tickets t
                      WHERE t.event_id = a.event_id AND t.referrer_address = a.contributor_address
                        AND t.ticket_status <> 'refunded')
           END AS amount
      FROM attribution a
     WHERE a.event_id = $1 AND a.status = 'approved' AND a.contributor_address IS NOT NULL
), earned AS (
    SELECT attribution_id,
           CASE WHEN NOT $5 THEN amount
                WHEN share_type = 'percentage' OR $4::numeric = 0 THEN 0
                ELSE floor(amount * $2::numeric / $4::numeric)
           END AS amount
      FROM owed
)
UPDATE attribution a
   SET amount_earned_raw = e.amount, amount_earned = e.amount / 10000000
  FROM earned e
 WHERE a.attribution_id = e.attribution_id";

// The statements that change a row return its id and, from the snapshot in `old`, the values
// they replaced (`audit_logs.old_values`).

const RECORD_CLAIM: &str = "
WITH old AS (
    SELECT attribution_id, status, amount_earned_raw, amount_paid_raw, last_payout_at,
           payout_transaction_id
      FROM attribution
     WHERE event_id = $1 AND contributor_address = $2 AND status IN ('approved', 'paid')
       FOR NO KEY UPDATE
)
UPDATE attribution a
   SET amount_earned = $3::numeric / 10000000, amount_earned_raw = $3::numeric,
       amount_paid = $3::numeric / 10000000, amount_paid_raw = $3::numeric, status = 'paid',
       last_payout_at = $4::timestamptz, payout_transaction_id = $5
  FROM old
 WHERE a.attribution_id = old.attribution_id
RETURNING a.attribution_id, to_jsonb(old) - 'attribution_id'";

/// The frozen pool of a settled event, as `settled` states it.
pub(super) struct Settlement<'d> {
    pub event: &'d Uuid,
    pub pool: i128,
    pub pct_pool: i128,
    pub commissions: i128,
    pub fixed_total: i128,
    pub scaled: bool,
}

/// Writes what each approved contributor of the event earns.
pub(super) async fn settled(
    c: &mut Change<'_, '_>,
    s: &Settlement<'_>,
) -> Result<Outcome, sqlx::Error> {
    let event = s.event;
    let Some(organizer) = event_organizer(c.db, event).await? else {
        return park("unknown_event", format!("no event {event} in the database"));
    };
    let Some(committed) = s.commissions.checked_add(s.fixed_total) else {
        return park(
            "malformed",
            "commissions + fixed total overflow an i128".to_owned(),
        );
    };
    sqlx::query(SETTLE_CONTRIBUTIONS)
        .bind(event)
        .bind(s.pool.to_string())
        .bind(s.pct_pool.to_string())
        .bind(committed.to_string())
        .bind(s.scaled)
        .execute(&mut *c.db)
        .await?;
    let user = match organizer {
        Some(address) => user_of(c.db, &address).await?,
        None => None,
    };
    c.audited(user, "settled", ("event", event.to_string()), None)
        .await
}

/// Records a claim: the payee's contribution paid `total_paid` so far, by this transaction.
/// The transaction is recorded first (the contribution points at it).
pub(super) async fn claimed(
    c: &mut Change<'_, '_>,
    decoded: &Decoded,
    event: &Uuid,
    payee: &str,
    total_paid: i128,
) -> Result<Outcome, sqlx::Error> {
    let Some(organizer) = event_organizer(c.db, event).await? else {
        return park("unknown_event", format!("no event {event} in the database"));
    };
    let tx = record_transaction(c.db, c.origin, decoded).await?;
    let id: Option<(Uuid, serde_json::Value)> = sqlx::query_as(RECORD_CLAIM)
        .bind(event)
        .bind(payee)
        .bind(total_paid.to_string())
        .bind(c.origin.closed_at)
        .bind(tx)
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((id, old)) = id else {
        if organizer.as_deref() == Some(payee) {
            // The organizer's remainder has no attribution row.
            return Ok(Outcome::Applied);
        }
        return park("unknown_contribution", no_contribution(event, payee));
    };
    let user = user_of(c.db, payee).await?;
    c.audited(user, "claimed", ("attribution", id.to_string()), Some(&old))
        .await
}
