//! What happens to a ticket after its purchase (ticketing): `transfer`, `listed`, `delisted`,
//! `resold`, `checked_in`, `refunded`.

use uuid::Uuid;

use super::support::{park, ticket_missing, user_of, Change, Outcome};

// The statements that change a row return its id and, from the snapshot in `old`, the values
// they replaced (`audit_logs.old_values`).

const MOVE_TICKET: &str = "
WITH old AS (
    SELECT ticket_id, owner_address, owner_user_id, transfer_count, listed_price_raw,
           listed_until_ledger
      FROM tickets
     WHERE smart_contract_id = $1 AND token_id = $2 AND owner_address = $4
       FOR NO KEY UPDATE
)
UPDATE tickets t
   SET owner_address = $3, owner_user_id = $5, transfer_count = t.transfer_count + 1,
       listed_price_raw = NULL, listed_until_ledger = NULL
  FROM old
 WHERE t.ticket_id = old.ticket_id
RETURNING t.ticket_id, to_jsonb(old) - 'ticket_id'";

const INSERT_TRANSFER: &str = "
INSERT INTO ticket_transfers (ticket_id, network, chain_event_id, from_address, to_address,
                              from_user_id, to_user_id, transaction_hash, ledger, transferred_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz)";

const LIST_TICKET: &str = "
WITH old AS (
    SELECT ticket_id, listed_price_raw, listed_until_ledger, current_price_raw FROM tickets
     WHERE smart_contract_id = $1 AND token_id = $2 AND owner_address = $3
       FOR NO KEY UPDATE
)
UPDATE tickets t
   SET listed_price_raw = $4::numeric, listed_until_ledger = $5,
       current_price = $4::numeric / 10000000, current_price_raw = $4::numeric
  FROM old
 WHERE t.ticket_id = old.ticket_id
RETURNING t.ticket_id, to_jsonb(old) - 'ticket_id'";

const DELIST_TICKET: &str = "
WITH old AS (
    SELECT ticket_id, listed_price_raw, listed_until_ledger FROM tickets
     WHERE smart_contract_id = $1 AND token_id = $2 AND owner_address = $3
       FOR NO KEY UPDATE
)
UPDATE tickets t
   SET listed_price_raw = NULL, listed_until_ledger = NULL
  FROM old
 WHERE t.ticket_id = old.ticket_id
RETURNING t.ticket_id, to_jsonb(old) - 'ticket_id'";

const RESELL_TICKET: &str = "
WITH old AS (
    SELECT ticket_id, current_price_raw FROM tickets
     WHERE smart_contract_id = $1 AND token_id = $2 AND owner_address = $3
       FOR NO KEY UPDATE
)
UPDATE tickets t
   SET current_price = $4::numeric / 10000000, current_price_raw = $4::numeric
  FROM old
 WHERE t.ticket_id = old.ticket_id
RETURNING t.ticket_id, t.event_id, to_jsonb(old) - 'ticket_id'";

const PRICE_TRANSFER: &str = "
UPDATE ticket_transfers SET price_raw = $3::numeric, royalty_raw = $4::numeric
 WHERE ticket_id = $1 AND transaction_hash = $2";

const ADD_ROYALTY: &str = "
UPDATE events SET royalties_raw = royalties_raw + $2::numeric WHERE event_id = $1";

const CHECK_IN: &str = "
WITH old AS (
    SELECT ticket_id, ticket_status, used_at, listed_price_raw, listed_until_ledger FROM tickets
     WHERE smart_contract_id = $1 AND token_id = $2 AND event_id = $3
       FOR NO KEY UPDATE
)
UPDATE tickets t
   SET ticket_status = 'used', used_at = $4::timestamptz,
       listed_price_raw = NULL, listed_until_ledger = NULL
  FROM old
 WHERE t.ticket_id = old.ticket_id
RETURNING t.ticket_id, to_jsonb(old) - 'ticket_id'";

const REFUND_TICKET: &str = "
WITH old AS (
    SELECT ticket_id, ticket_status, refunded_at, listed_price_raw, listed_until_ledger FROM tickets
     WHERE smart_contract_id = $1 AND token_id = $2 AND event_id = $3
       FOR NO KEY UPDATE
)
UPDATE tickets t
   SET ticket_status = 'refunded', refunded_at = $4::timestamptz,
       listed_price_raw = NULL, listed_until_ledger = NULL
  FROM old
 WHERE t.ticket_id = old.ticket_id
RETURNING t.ticket_id, to_jsonb(old) - 'ticket_id'";

const ADD_REFUND: &str = "
UPDATE events
   SET refunds_raw = refunds_raw + $2::numeric, commissions_raw = commissions_raw - $3::numeric
 WHERE event_id = $1";

/// A row's id and the values the statement replaced.
type Changed = Option<(Uuid, serde_json::Value)>;

/// Moves ticket `token_id` from `from` to `to`, with a `ticket_transfers` row.
pub(super) async fn transferred(
    c: &mut Change<'_, '_>,
    from: &str,
    to: &str,
    token_id: u32,
) -> Result<Outcome, sqlx::Error> {
    let contract = c.origin.contract_id;
    let from_user = user_of(c.db, from).await?;
    let to_user = user_of(c.db, to).await?;
    let ticket: Changed = sqlx::query_as(MOVE_TICKET)
        .bind(contract)
        .bind(i64::from(token_id))
        .bind(to)
        .bind(from)
        .bind(to_user)
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((ticket, old)) = ticket else {
        return ticket_missing(c.db, contract, token_id, from).await;
    };
    sqlx::query(INSERT_TRANSFER)
        .bind(ticket)
        .bind(c.origin.network)
        .bind(c.origin.event_id)
        .bind(from)
        .bind(to)
        .bind(from_user)
        .bind(to_user)
        .bind(c.origin.tx_hash)
        .bind(c.ledger())
        .bind(c.origin.closed_at)
        .execute(&mut *c.db)
        .await?;
    c.audited(
        to_user,
        "transfer",
        ("ticket", ticket.to_string()),
        Some(&old),
    )
    .await
}

/// Lists ticket `token_id` for resale at `price` until `live_until_ledger`.
pub(super) async fn listed(
    c: &mut Change<'_, '_>,
    token_id: u32,
    seller: &str,
    price: i128,
    live_until_ledger: u32,
) -> Result<Outcome, sqlx::Error> {
    let contract = c.origin.contract_id;
    let ticket: Changed = sqlx::query_as(LIST_TICKET)
        .bind(contract)
        .bind(i64::from(token_id))
        .bind(seller)
        .bind(price.to_string())
        .bind(i64::from(live_until_ledger))
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((ticket, old)) = ticket else {
        return ticket_missing(c.db, contract, token_id, seller).await;
    };
    let user = user_of(c.db, seller).await?;
    c.audited(user, "listed", ("ticket", ticket.to_string()), Some(&old))
        .await
}

/// Takes ticket `token_id`'s listing down.
pub(super) async fn delisted(
    c: &mut Change<'_, '_>,
    token_id: u32,
    seller: &str,
) -> Result<Outcome, sqlx::Error> {
    let contract = c.origin.contract_id;
    let ticket: Changed = sqlx::query_as(DELIST_TICKET)
        .bind(contract)
        .bind(i64::from(token_id))
        .bind(seller)
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((ticket, old)) = ticket else {
        return ticket_missing(c.db, contract, token_id, seller).await;
    };
    let user = user_of(c.db, seller).await?;
    c.audited(user, "delisted", ("ticket", ticket.to_string()), Some(&old))
        .await
}

/// A resale's price and royalty: on the ticket, its transfer and the event's royalties.
pub(super) async fn resold(
    c: &mut Change<'_, '_>,
    token_id: u32,
    buyer: &str,
    price: i128,
    royalty: i128,
) -> Result<Outcome, sqlx::Error> {
    let contract = c.origin.contract_id;
    // The transfer (emitted first) already moved the ticket to the buyer.
    let row: Option<(Uuid, Uuid, serde_json::Value)> = sqlx::query_as(RESELL_TICKET)
        .bind(contract)
        .bind(i64::from(token_id))
        .bind(buyer)
        .bind(price.to_string())
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((ticket, event, old)) = row else {
        return ticket_missing(c.db, contract, token_id, buyer).await;
    };
    sqlx::query(PRICE_TRANSFER)
        .bind(ticket)
        .bind(c.origin.tx_hash)
        .bind(price.to_string())
        .bind(royalty.to_string())
        .execute(&mut *c.db)
        .await?;
    sqlx::query(ADD_ROYALTY)
        .bind(event)
        .bind(royalty.to_string())
        .execute(&mut *c.db)
        .await?;
    let user = user_of(c.db, buyer).await?;
    c.audited(user, "resold", ("ticket", ticket.to_string()), Some(&old))
        .await
}

/// Marks ticket `token_id` of `event` used, by the gate `operator`.
pub(super) async fn checked_in(
    c: &mut Change<'_, '_>,
    event: &Uuid,
    token_id: u32,
    operator: &str,
) -> Result<Outcome, sqlx::Error> {
    let ticket: Changed = sqlx::query_as(CHECK_IN)
        .bind(c.origin.contract_id)
        .bind(i64::from(token_id))
        .bind(event)
        .bind(c.origin.closed_at)
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((ticket, old)) = ticket else {
        return park("unknown_ticket", no_ticket(token_id, event));
    };
    let user = user_of(c.db, operator).await?;
    c.audited(
        user,
        "checked_in",
        ("ticket", ticket.to_string()),
        Some(&old),
    )
    .await
}

/// What a refund returns: `amount` paid back to `holder`, the referrer's commission reversed.
pub(super) struct Refund<'d> {
    pub event: &'d Uuid,
    pub holder: &'d str,
    pub token_id: u32,
    pub amount: i128,
    pub commission_reversed: i128,
}

/// Marks a ticket refunded and takes its refund off the event's totals.
pub(super) async fn refunded(
    c: &mut Change<'_, '_>,
    r: &Refund<'_>,
) -> Result<Outcome, sqlx::Error> {
    let ticket: Changed = sqlx::query_as(REFUND_TICKET)
        .bind(c.origin.contract_id)
        .bind(i64::from(r.token_id))
        .bind(r.event)
        .bind(c.origin.closed_at)
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((ticket, old)) = ticket else {
        return park("unknown_ticket", no_ticket(r.token_id, r.event));
    };
    sqlx::query(ADD_REFUND)
        .bind(r.event)
        .bind(r.amount.to_string())
        .bind(r.commission_reversed.to_string())
        .execute(&mut *c.db)
        .await?;
    let user = user_of(c.db, r.holder).await?;
    c.audited(user, "refunded", ("ticket", ticket.to_string()), Some(&old))
        .await
}

fn no_ticket(token_id: u32, event: &Uuid) -> String {
    format!("no ticket {token_id} of event {event} in the mirror")
}
