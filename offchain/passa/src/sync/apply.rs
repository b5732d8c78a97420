//! Applying one decoded event to the mirror's tables (DESIGN §4.2's mapping). Every statement
//! is a constant below; the caller runs each event inside a savepoint of the page's
//! transaction and rolls the savepoint back when the event is parked (by us or by a refusing
//! constraint), so a parked event leaves no trace but its `parked_events` row.
//!
//! Amounts: raw token units in the `*_raw` columns; the human columns divide by 10^7 (Stellar
//! assets have 7 decimals, DESIGN §3).
//!
//! | event (contract) | rows | parked when |
//! |---|---|---|
//! | `organizer_verified` / `organizer_revoked` (ticketing) | `organizers.is_verified`, `verified_at`, `stellar_address` | no organizer has that stellar wallet |
//! | `event_created` | `events`: contract, status published, dates, sales window, capacity, tiers, min/max price, organizer and token addresses, ticket terms (transfers, resale cap and royalty, refunds, metadata URI) | no row with that UUID; the address is not a wallet of the row's organizer; the publication trigger refuses (organizer not verified in the mirror) |
//! | `event_postponed` / `event_cancelled` | `events` status and dates, `cancelled_at`, `refund_deadline` | the event is not published in the mirror |
//! | `purchased` | one `tickets` row per token (owner address and user through `wallets`, tier, face value, referrer, commission, purchase transaction); `events.tickets_sold` and raw sales / commission totals | the event is not published in the mirror |
//! | `transfer` | `tickets` owner, `transfer_count`, listing cleared; a `ticket_transfers` row | no such ticket; the mirror has another holder |
//! | `listed` / `delisted` / `resold` | `tickets` listing and `current_price`; the resale's price and royalty on its `ticket_transfers` row; `events.royalties_raw` | as transfer |
//! | `checked_in` / `refunded` | `tickets` status, `used_at` / `refunded_at`; `events.refunds_raw`, commission reversed | no such ticket of that event |
//! | `contribution_proposed` / `_submitted` / `_approved` / `_rejected` (attribution) | `attribution` by (event, contributor address): share (bps = share × 10 000 exactly), status, proposer, approver, rejecter | no such event; no contribution to approve or reject |
//! | `settled` (revenue) | `attribution.amount_earned` of the approved contributions | no such event |
//! | `claimed` (revenue) | `attribution` paid: amounts, `last_payout_at`, payout transaction (the organizer's claim has no row) | no contribution of that payee |
//! | mint, burn, approvals, gate operators, referral rates, locks, refund payments, admin, pause, upgrade | nothing (their facts arrive with the events above) | — |
//!
//! Every applied event also confirms its transaction in `transactions` (ledger, type, amount;
//! sender and fee from getTransaction) and appends to `audit_logs` (`chain.<event>`).

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;
use uuid::Uuid;

use super::decode::{Decoded, Share, Tier};
use super::purchases::{self, Purchase};

/// Where an event comes from: enough to write its rows.
#[derive(Debug, Clone)]
pub(crate) struct Origin<'a> {
    pub network: &'a str,
    /// The RPC event id.
    pub event_id: &'a str,
    /// `smart_contracts.contract_id` of the emitting contract.
    pub contract_id: Uuid,
    /// Its `C…` address.
    pub contract: &'a str,
    pub ledger: u32,
    /// Ledger close time, RFC 3339.
    pub closed_at: &'a str,
    pub tx_hash: &'a str,
    /// The transaction's source and fee, when getTransaction told them.
    pub tx: Option<&'a TxInfo>,
}

/// What getTransaction says about an event's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TxInfo {
    /// The source account (the inner transaction's, for a fee bump), strkey.
    pub source: String,
    /// The fee charged, stroops.
    pub fee_charged: i64,
}

/// What became of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The mirror changed.
    Applied,
    /// Nothing to mirror.
    Ignored,
    /// Not applicable yet (or ever): `parked_events.reason_code` and the reason.
    Parked(&'static str, String),
}

fn park(code: &'static str, reason: String) -> Result<Outcome, sqlx::Error> {
    Ok(Outcome::Parked(code, reason))
}

const USER_OF_ADDRESS: &str = "
SELECT user_id FROM wallets WHERE blockchain_network = 'stellar' AND wallet_address = $1";

/// The transactions of applied events, confirmed in their ledger: one row per hash (the first
/// event's values; a later event of the same transaction only fills in what is missing).
/// A row made from ignored events only (`metadata.ignored_events_only`, see
/// [`ignored_type`]) takes an applied event's contract, address, type and metadata (and its
/// event, as any row missing one does) when one comes, so the row is the same whichever page
/// each part of its transaction came in.
const UPSERT_TRANSACTIONS: &str = "
INSERT INTO transactions (transaction_hash, network, transaction_type, status, smart_contract_id,
                          event_id, to_address, block_number, block_timestamp, confirmed_at,
                          from_address, gas_fee, amount, metadata)
SELECT x.hash, $1, x.kind, 'confirmed', x.contract_id, x.event, x.contract, x.ledger,
       x.closed_at::timestamptz, x.closed_at::timestamptz, x.source, x.fee::numeric / 10000000,
       x.amount::numeric / 10000000,
       CASE WHEN x.ignored_only
            THEN jsonb_build_object('source', 'passa sync', 'ignored_events_only', true)
            ELSE jsonb_build_object('source', 'passa sync') END
  FROM unnest($2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::bigint[],
              $8::text[], $9::text[], $10::bigint[], $11::text[], $12::bool[])
       AS x(hash, kind, contract_id, event, contract, ledger, closed_at, source, fee, amount,
            ignored_only)
ON CONFLICT (transaction_hash) DO UPDATE
   SET status = 'confirmed',
       block_number = COALESCE(transactions.block_number, EXCLUDED.block_number),
       block_timestamp = COALESCE(transactions.block_timestamp, EXCLUDED.block_timestamp),
       confirmed_at = COALESCE(transactions.confirmed_at, EXCLUDED.confirmed_at),
       event_id = COALESCE(transactions.event_id, EXCLUDED.event_id),
       from_address = COALESCE(transactions.from_address, EXCLUDED.from_address),
       gas_fee = COALESCE(transactions.gas_fee, EXCLUDED.gas_fee),
       amount = COALESCE(transactions.amount, EXCLUDED.amount),
       error_message = NULL,
       transaction_type = CASE WHEN transactions.metadata ? 'ignored_events_only'
                               THEN EXCLUDED.transaction_type
                               ELSE transactions.transaction_type END,
       smart_contract_id = CASE WHEN transactions.metadata ? 'ignored_events_only'
                                THEN EXCLUDED.smart_contract_id
                                ELSE transactions.smart_contract_id END,
       to_address = CASE WHEN transactions.metadata ? 'ignored_events_only'
                         THEN EXCLUDED.to_address ELSE transactions.to_address END,
       metadata = CASE WHEN transactions.metadata ? 'ignored_events_only'
                       THEN EXCLUDED.metadata ELSE transactions.metadata END
 WHERE transactions.status <> 'confirmed'
    OR (transactions.event_id IS NULL AND EXCLUDED.event_id IS NOT NULL)
    OR (transactions.from_address IS NULL AND EXCLUDED.from_address IS NOT NULL)
    OR (transactions.gas_fee IS NULL AND EXCLUDED.gas_fee IS NOT NULL)
    OR (transactions.amount IS NULL AND EXCLUDED.amount IS NOT NULL)
    OR (transactions.metadata ? 'ignored_events_only'
        AND NOT EXCLUDED.metadata ? 'ignored_events_only')";

const TRANSACTION_IDS: &str = "
SELECT transaction_hash::text, transaction_id FROM transactions
 WHERE transaction_hash = ANY($1::char(64)[])";

const INSERT_AUDIT: &str = "
INSERT INTO audit_logs (user_id, action, resource_type, resource_id, new_values, transaction_hash,
                        ledger, metadata, old_values)
SELECT x.user_id, x.action, x.resource_type, x.resource_id, x.new_values, x.hash, x.ledger,
       jsonb_build_object('source', 'passa sync', 'chain_event_id', x.chain_event,
                          'contract', x.contract), x.old_values
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[],
              $7::bigint[], $8::text[], $9::text[], $10::jsonb[])
       AS x(user_id, action, resource_type, resource_id, new_values, hash, ledger, chain_event,
            contract, old_values)";

// The statements that change a row return its user or id and, from the snapshot in `old`,
// the values they replaced (`audit_logs.old_values`).

const SET_ORGANIZER_VERIFIED: &str = "
WITH old AS (
    SELECT o.user_id, o.is_verified, o.verified_at, o.stellar_address, o.verification_ledger
      FROM organizers o JOIN wallets w ON w.user_id = o.user_id
     WHERE w.blockchain_network = 'stellar' AND w.wallet_address = $1
       FOR NO KEY UPDATE OF o
)
UPDATE organizers o
   SET is_verified = $2,
       verified_at = CASE WHEN $2 THEN $3::timestamptz ELSE o.verified_at END,
       stellar_address = $1,
       verification_ledger = $4
  FROM old
 WHERE o.user_id = old.user_id
RETURNING o.user_id, to_jsonb(old) - 'user_id'";

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

const TICKET_OWNER: &str = "
SELECT owner_address FROM tickets WHERE smart_contract_id = $1 AND token_id = $2";

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

const EVENT_EXISTS: &str = "SELECT organizer_address FROM events WHERE event_id = $1";

const OPEN_CONTRIBUTION: &str = "
INSERT INTO attribution (event_id, user_id, contribution_type, share_type, percentage_share,
                         fixed_amount, status, proposed_by, contributor_address, share_bps,
                         fixed_amount_raw, proposed_by_address)
VALUES ($1, $2, $3, $4, $5::numeric / 10000, $6::numeric / 10000000, 'pending', $7, $8, $5,
        $6::numeric, $9)
ON CONFLICT (event_id, contributor_address) WHERE contributor_address IS NOT NULL DO UPDATE
   SET user_id = EXCLUDED.user_id, contribution_type = EXCLUDED.contribution_type,
       share_type = EXCLUDED.share_type, percentage_share = EXCLUDED.percentage_share,
       fixed_amount = EXCLUDED.fixed_amount, status = 'pending',
       proposed_by = EXCLUDED.proposed_by, share_bps = EXCLUDED.share_bps,
       fixed_amount_raw = EXCLUDED.fixed_amount_raw,
       proposed_by_address = EXCLUDED.proposed_by_address, approved_at = NULL,
       approved_by = NULL, approved_by_address = NULL, rejected_at = NULL,
       rejected_by_address = NULL, rejection_reason = NULL
RETURNING attribution_id";

const APPROVE_CONTRIBUTION: &str = "
WITH old AS (
    SELECT attribution_id, status, approved_at, approved_by_address, contribution_type,
           share_type, share_bps, fixed_amount_raw
      FROM attribution
     WHERE event_id = $1 AND contributor_address = $2
       FOR NO KEY UPDATE
)
UPDATE attribution a
   SET status = 'approved', approved_at = $3::timestamptz, approved_by = $4,
       approved_by_address = $5, contribution_type = $6, share_type = $7,
       percentage_share = $8::numeric / 10000, fixed_amount = $9::numeric / 10000000,
       share_bps = $8, fixed_amount_raw = $9::numeric
  FROM old
 WHERE a.attribution_id = old.attribution_id
RETURNING a.attribution_id, to_jsonb(old) - 'attribution_id'";

const REJECT_CONTRIBUTION: &str = "
WITH old AS (
    SELECT attribution_id, status, rejected_at, rejected_by_address FROM attribution
     WHERE event_id = $1 AND contributor_address = $2
       FOR NO KEY UPDATE
)
UPDATE attribution a
   SET status = 'rejected', rejected_at = $3::timestamptz, rejected_by_address = $4
  FROM old
 WHERE a.attribution_id = old.attribution_id
RETURNING a.attribution_id, to_jsonb(old) - 'attribution_id'";

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

/// The user a Stellar address belongs to, through `wallets`.
async fn user_of(db: &mut PgConnection, address: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(USER_OF_ADDRESS)
        .bind(address)
        .fetch_optional(db)
        .await
}

/// `transactions.transaction_type` for an event.
fn transaction_type(decoded: &Decoded, name: Option<&str>) -> &'static str {
    match decoded {
        Decoded::OrganizerVerified { .. } | Decoded::OrganizerRevoked { .. } => {
            "organizer_verification"
        }
        Decoded::EventCreated { .. }
        | Decoded::EventPostponed { .. }
        | Decoded::EventCancelled { .. } => "event_management",
        Decoded::Purchased { .. } => "ticket_purchase",
        Decoded::Transfer { .. } => "ticket_transfer",
        Decoded::Listed { .. } | Decoded::Delisted { .. } | Decoded::Resold { .. } => {
            "ticket_resale"
        }
        Decoded::CheckedIn { .. } => "ticket_check_in",
        Decoded::Refunded { .. } => "ticket_refund",
        Decoded::ContributionOpened { .. }
        | Decoded::ContributionApproved { .. }
        | Decoded::ContributionRejected { .. } => "attribution",
        Decoded::Claimed { .. } => "revenue_claim",
        Decoded::Settled { .. } => "revenue_settlement",
        Decoded::Ignored => name.map_or("other", ignored_type),
    }
}

/// The type of a transaction whose events the mirror has nothing to apply from, by the
/// name of one of them: the type of the call that emits it, the same as the call's applied
/// event gives (a mint comes only with a purchase, a burn and `refund_paid` with a refund,
/// `referral_rate_set` with an approved commission, `attribution_locked` with a settlement),
/// so a transaction split over two pages gets one type either way.
fn ignored_type(name: &str) -> &'static str {
    match name {
        "admin_transfer_started" | "admin_transferred" | "paused" | "unpaused" => "contract_admin",
        "upgraded" => "contract_upgrade",
        "mint" => "ticket_purchase",
        "burn" | "refund_paid" => "ticket_refund",
        "gate_operator_set" | "gate_operator_removed" => "event_management",
        "referral_rate_set" => "attribution",
        "attribution_locked" => "revenue_settlement",
        _ => "other",
    }
}

/// The amount a transaction moved, raw units, where its event says it.
fn amount_of(decoded: &Decoded) -> Option<i128> {
    match decoded {
        Decoded::Purchased { amount, .. }
        | Decoded::Refunded { amount, .. }
        | Decoded::Claimed { amount, .. } => Some(*amount),
        Decoded::Resold { price, .. } => Some(*price),
        _ => None,
    }
}

/// The event (database UUID) an event concerns, when it names one.
fn event_of(decoded: &Decoded) -> Option<Uuid> {
    match decoded {
        Decoded::EventCreated { event, .. }
        | Decoded::EventPostponed { event, .. }
        | Decoded::EventCancelled { event, .. }
        | Decoded::Purchased { event, .. }
        | Decoded::CheckedIn { event, .. }
        | Decoded::Refunded { event, .. }
        | Decoded::ContributionOpened { event, .. }
        | Decoded::ContributionApproved { event, .. }
        | Decoded::ContributionRejected { event, .. }
        | Decoded::Claimed { event, .. }
        | Decoded::Settled { event, .. } => Some(*event),
        _ => None,
    }
}

/// The transaction behind an applied event, as `transactions` records it.
pub(crate) struct TxRow<'a> {
    pub origin: &'a Origin<'a>,
    pub decoded: &'a Decoded,
    /// The event's name: what an ignored event's transaction is (see [`ignored_type`]).
    pub name: Option<&'a str>,
}

/// Records the transactions that emitted applied events (confirmed, in their ledger) and
/// returns their `transaction_id`s by hash.
pub(crate) async fn record_transactions(
    db: &mut PgConnection,
    rows: &[TxRow<'_>],
) -> Result<HashMap<String, Uuid>, sqlx::Error> {
    let mut seen = HashSet::new();
    let rows: Vec<&TxRow> = rows
        .iter()
        .filter(|r| seen.insert(r.origin.tx_hash))
        .collect();
    let Some(first) = rows.first() else {
        return Ok(HashMap::new());
    };
    let column = |f: &dyn Fn(&TxRow) -> Option<String>| -> Vec<Option<String>> {
        rows.iter().map(|r| f(r)).collect()
    };
    let hashes: Vec<String> = rows.iter().map(|r| r.origin.tx_hash.to_owned()).collect();
    sqlx::query(UPSERT_TRANSACTIONS)
        .bind(first.origin.network)
        .bind(&hashes)
        .bind(column(&|r| {
            Some(transaction_type(r.decoded, r.name).to_owned())
        }))
        .bind(
            rows.iter()
                .map(|r| r.origin.contract_id)
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| event_of(r.decoded)).collect::<Vec<_>>())
        .bind(column(&|r| Some(r.origin.contract.to_owned())))
        .bind(
            rows.iter()
                .map(|r| i64::from(r.origin.ledger))
                .collect::<Vec<_>>(),
        )
        .bind(column(&|r| Some(r.origin.closed_at.to_owned())))
        .bind(column(&|r| r.origin.tx.map(|t| t.source.clone())))
        .bind(
            rows.iter()
                .map(|r| r.origin.tx.map(|t| t.fee_charged))
                .collect::<Vec<_>>(),
        )
        .bind(column(&|r| amount_of(r.decoded).map(|a| a.to_string())))
        .bind(
            rows.iter()
                .map(|r| matches!(r.decoded, Decoded::Ignored))
                .collect::<Vec<_>>(),
        )
        .execute(&mut *db)
        .await?;
    let ids: Vec<(String, Uuid)> = sqlx::query_as(TRANSACTION_IDS)
        .bind(&hashes)
        .fetch_all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Records the transaction that emitted an applied event and returns its `transaction_id`.
async fn record_transaction(
    db: &mut PgConnection,
    origin: &Origin<'_>,
    decoded: &Decoded,
) -> Result<Uuid, sqlx::Error> {
    let row = TxRow {
        origin,
        decoded,
        name: None,
    };
    let ids = record_transactions(db, &[row]).await?;
    ids.get(origin.tx_hash)
        .copied()
        .ok_or_else(|| sqlx::Error::RowNotFound)
}

/// One `audit_logs` row of an applied event: `chain.<action>` on a resource.
pub(crate) struct AuditRow<'a> {
    pub origin: &'a Origin<'a>,
    pub user: Option<Uuid>,
    pub action: &'static str,
    pub resource: (&'static str, String),
    /// What the change replaced (`None` for a new row).
    pub old_values: Option<&'a serde_json::Value>,
    pub new_values: &'a serde_json::Value,
}

/// Appends the changes to `audit_logs`, in order.
pub(crate) async fn audit_all(
    db: &mut PgConnection,
    rows: &[AuditRow<'_>],
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let text = |f: &dyn Fn(&AuditRow) -> String| rows.iter().map(f).collect::<Vec<_>>();
    sqlx::query(INSERT_AUDIT)
        .bind(rows.iter().map(|r| r.user).collect::<Vec<_>>())
        .bind(text(&|r| format!("chain.{}", r.action)))
        .bind(text(&|r| r.resource.0.to_owned()))
        .bind(text(&|r| r.resource.1.clone()))
        .bind(rows.iter().map(|r| r.new_values).collect::<Vec<_>>())
        .bind(text(&|r| r.origin.tx_hash.to_owned()))
        .bind(
            rows.iter()
                .map(|r| i64::from(r.origin.ledger))
                .collect::<Vec<_>>(),
        )
        .bind(text(&|r| r.origin.event_id.to_owned()))
        .bind(text(&|r| r.origin.contract.to_owned()))
        .bind(rows.iter().map(|r| r.old_values).collect::<Vec<_>>())
        .execute(db)
        .await?;
    Ok(())
}

/// Appends a new row's creation to `audit_logs`.
async fn audit(
    db: &mut PgConnection,
    origin: &Origin<'_>,
    user: Option<Uuid>,
    action: &'static str,
    resource: (&'static str, String),
    new_values: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    audit_change(db, origin, user, action, resource, None, new_values).await
}

/// Appends one change to `audit_logs`: what it replaced (`old_values`), and the chain event's
/// data as the new values.
async fn audit_change(
    db: &mut PgConnection,
    origin: &Origin<'_>,
    user: Option<Uuid>,
    action: &'static str,
    resource: (&'static str, String),
    old_values: Option<&serde_json::Value>,
    new_values: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    audit_all(
        db,
        &[AuditRow {
            origin,
            user,
            action,
            resource,
            old_values,
            new_values,
        }],
    )
    .await
}

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

/// (share_type, bps, fixed raw amount) as the attribution columns hold them.
fn share_columns(share: Share) -> (&'static str, Option<i32>, Option<String>) {
    match share {
        Share::Percentage(bps) => ("percentage", i32::try_from(bps).ok(), None),
        Share::Commission(bps) => ("commission", i32::try_from(bps).ok(), None),
        Share::Fixed(amount) => ("fixed", None, Some(amount.to_string())),
    }
}

/// Applies `decoded` to the mirror. `Err` only for database errors; the caller parks the
/// event when the database refused it (a constraint or a rule trigger).
pub(crate) async fn apply(
    db: &mut PgConnection,
    origin: &Origin<'_>,
    decoded: &Decoded,
    value_json: &serde_json::Value,
) -> Result<Outcome, sqlx::Error> {
    let ts = origin.closed_at;
    let ledger = i64::from(origin.ledger);
    let contract = origin.contract_id;
    let outcome = match decoded {
        Decoded::Ignored => return Ok(Outcome::Ignored),

        Decoded::OrganizerVerified { organizer } | Decoded::OrganizerRevoked { organizer } => {
            let verified = matches!(decoded, Decoded::OrganizerVerified { .. });
            let user: Option<(Uuid, serde_json::Value)> = sqlx::query_as(SET_ORGANIZER_VERIFIED)
                .bind(organizer)
                .bind(verified)
                .bind(ts)
                .bind(ledger)
                .fetch_optional(&mut *db)
                .await?;
            let Some((user, old)) = user else {
                return park(
                    "unknown_organizer",
                    format!(
                        "no organizer has the stellar wallet {organizer}: link it in wallets to \
                         a user with an organizers row"
                    ),
                );
            };
            let action = if verified {
                "organizer_verified"
            } else {
                "organizer_revoked"
            };
            audit_change(
                db,
                origin,
                Some(user),
                action,
                ("organizer", user.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::EventCreated {
            event,
            organizer,
            payment_token,
            tiers,
            capacity,
            sales_start,
            sales_end,
            start,
            end,
            terms,
        } => {
            let row: Option<(Uuid, Option<Uuid>, Option<String>)> = sqlx::query_as(LOCK_EVENT)
                .bind(event)
                .fetch_optional(&mut *db)
                .await?;
            let Some((organizer_user, registered_contract, onchain)) = row else {
                return park(
                    "unknown_event",
                    format!("no event {event} in the database (create it as a draft first)"),
                );
            };
            if onchain.is_some() && registered_contract != Some(contract) {
                return park(
                    "mismatch",
                    format!("event {event} is already published by another contract"),
                );
            }
            match user_of(db, organizer).await? {
                Some(user) if user == organizer_user => {}
                Some(user) => {
                    return park(
                        "mismatch",
                        format!(
                            "event {event} belongs to organizer {organizer_user}, but the chain \
                             publishes it for {organizer}, a wallet of user {user}"
                        ),
                    )
                }
                None => {
                    return park(
                        "unknown_organizer",
                        format!(
                            "{organizer}, who published event {event}, is not a wallet of its \
                             organizer {organizer_user}"
                        ),
                    )
                }
            }
            let min = tiers.iter().map(|t| t.price).min().unwrap_or(0);
            let max = tiers.iter().map(|t| t.price).max().unwrap_or(0);
            let old: serde_json::Value = sqlx::query_scalar(PUBLISH_EVENT)
                .bind(event)
                .bind(contract)
                .bind(organizer)
                .bind(payment_token)
                .bind(tiers_json(tiers))
                .bind(i32::try_from(*capacity).unwrap_or(i32::MAX))
                .bind(secs(*sales_start))
                .bind(secs(*sales_end))
                .bind(secs(*start))
                .bind(secs(*end))
                .bind(min.to_string())
                .bind(max.to_string())
                .bind(ledger)
                .bind(ts)
                .bind(terms.as_ref().map(|t| t.transferable))
                .bind(terms.as_ref().map(|t| t.resaleable))
                .bind(terms.as_ref().map(|t| t.refundable))
                .bind(
                    terms
                        .as_ref()
                        .map(|t| i32::try_from(t.resale_cap_bps).unwrap_or(i32::MAX)),
                )
                .bind(
                    terms
                        .as_ref()
                        .map(|t| i32::try_from(t.royalty_bps).unwrap_or(i32::MAX)),
                )
                .bind(terms.as_ref().map(|t| t.metadata_uri.as_str()))
                .fetch_one(&mut *db)
                .await?;
            audit_change(
                db,
                origin,
                Some(organizer_user),
                "event_created",
                ("event", event.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::EventPostponed { event, start, end } => {
            let user: Option<(Uuid, serde_json::Value)> = sqlx::query_as(POSTPONE_EVENT)
                .bind(event)
                .bind(contract)
                .bind(secs(*start))
                .bind(secs(*end))
                .fetch_optional(&mut *db)
                .await?;
            let Some((user, old)) = user else {
                return park("unknown_event", not_published(event));
            };
            audit_change(
                db,
                origin,
                Some(user),
                "event_postponed",
                ("event", event.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::EventCancelled {
            event,
            refund_deadline,
        } => {
            let user: Option<(Uuid, serde_json::Value)> = sqlx::query_as(CANCEL_EVENT)
                .bind(event)
                .bind(contract)
                .bind(ts)
                .bind(secs(*refund_deadline))
                .fetch_optional(&mut *db)
                .await?;
            let Some((user, old)) = user else {
                return park("unknown_event", not_published(event));
            };
            audit_change(
                db,
                origin,
                Some(user),
                "event_cancelled",
                ("event", event.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::Purchased { .. } => {
            let purchase = Purchase {
                origin,
                decoded,
                value_json,
            };
            return Ok(match purchases::apply(db, &[purchase]).await? {
                Ok(()) => Outcome::Applied,
                Err((_, refusal)) => Outcome::Parked(refusal.code, refusal.reason),
            });
        }

        Decoded::Transfer { from, to, token_id } => {
            let from_user = user_of(db, from).await?;
            let to_user = user_of(db, to).await?;
            let ticket: Option<(Uuid, serde_json::Value)> = sqlx::query_as(MOVE_TICKET)
                .bind(contract)
                .bind(i64::from(*token_id))
                .bind(to)
                .bind(from)
                .bind(to_user)
                .fetch_optional(&mut *db)
                .await?;
            let Some((ticket, old)) = ticket else {
                return ticket_missing(db, contract, *token_id, from).await;
            };
            sqlx::query(INSERT_TRANSFER)
                .bind(ticket)
                .bind(origin.network)
                .bind(origin.event_id)
                .bind(from)
                .bind(to)
                .bind(from_user)
                .bind(to_user)
                .bind(origin.tx_hash)
                .bind(ledger)
                .bind(ts)
                .execute(&mut *db)
                .await?;
            audit_change(
                db,
                origin,
                to_user,
                "transfer",
                ("ticket", ticket.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::Listed {
            token_id,
            seller,
            price,
            live_until_ledger,
        } => {
            let ticket: Option<(Uuid, serde_json::Value)> = sqlx::query_as(LIST_TICKET)
                .bind(contract)
                .bind(i64::from(*token_id))
                .bind(seller)
                .bind(price.to_string())
                .bind(i64::from(*live_until_ledger))
                .fetch_optional(&mut *db)
                .await?;
            let Some((ticket, old)) = ticket else {
                return ticket_missing(db, contract, *token_id, seller).await;
            };
            let user = user_of(db, seller).await?;
            audit_change(
                db,
                origin,
                user,
                "listed",
                ("ticket", ticket.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::Delisted { token_id, seller } => {
            let ticket: Option<(Uuid, serde_json::Value)> = sqlx::query_as(DELIST_TICKET)
                .bind(contract)
                .bind(i64::from(*token_id))
                .bind(seller)
                .fetch_optional(&mut *db)
                .await?;
            let Some((ticket, old)) = ticket else {
                return ticket_missing(db, contract, *token_id, seller).await;
            };
            let user = user_of(db, seller).await?;
            audit_change(
                db,
                origin,
                user,
                "delisted",
                ("ticket", ticket.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::Resold {
            token_id,
            seller: _,
            buyer,
            price,
            royalty,
        } => {
            // The transfer (emitted first) already moved the ticket to the buyer.
            let row: Option<(Uuid, Uuid, serde_json::Value)> = sqlx::query_as(RESELL_TICKET)
                .bind(contract)
                .bind(i64::from(*token_id))
                .bind(buyer)
                .bind(price.to_string())
                .fetch_optional(&mut *db)
                .await?;
            let Some((ticket, event, old)) = row else {
                return ticket_missing(db, contract, *token_id, buyer).await;
            };
            sqlx::query(PRICE_TRANSFER)
                .bind(ticket)
                .bind(origin.tx_hash)
                .bind(price.to_string())
                .bind(royalty.to_string())
                .execute(&mut *db)
                .await?;
            sqlx::query(ADD_ROYALTY)
                .bind(event)
                .bind(royalty.to_string())
                .execute(&mut *db)
                .await?;
            let user = user_of(db, buyer).await?;
            audit_change(
                db,
                origin,
                user,
                "resold",
                ("ticket", ticket.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::CheckedIn {
            event,
            token_id,
            operator,
        } => {
            let ticket: Option<(Uuid, serde_json::Value)> = sqlx::query_as(CHECK_IN)
                .bind(contract)
                .bind(i64::from(*token_id))
                .bind(event)
                .bind(ts)
                .fetch_optional(&mut *db)
                .await?;
            let Some((ticket, old)) = ticket else {
                return park(
                    "unknown_ticket",
                    format!("no ticket {token_id} of event {event} in the mirror"),
                );
            };
            let user = user_of(db, operator).await?;
            audit_change(
                db,
                origin,
                user,
                "checked_in",
                ("ticket", ticket.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::Refunded {
            event,
            holder,
            token_id,
            amount,
            commission_reversed,
        } => {
            let ticket: Option<(Uuid, serde_json::Value)> = sqlx::query_as(REFUND_TICKET)
                .bind(contract)
                .bind(i64::from(*token_id))
                .bind(event)
                .bind(ts)
                .fetch_optional(&mut *db)
                .await?;
            let Some((ticket, old)) = ticket else {
                return park(
                    "unknown_ticket",
                    format!("no ticket {token_id} of event {event} in the mirror"),
                );
            };
            sqlx::query(ADD_REFUND)
                .bind(event)
                .bind(amount.to_string())
                .bind(commission_reversed.to_string())
                .execute(&mut *db)
                .await?;
            let user = user_of(db, holder).await?;
            audit_change(
                db,
                origin,
                user,
                "refunded",
                ("ticket", ticket.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::ContributionOpened {
            event,
            contributor,
            organizer,
            kind,
            share,
            submitted,
        } => {
            if !event_exists(db, event).await? {
                return park("unknown_event", format!("no event {event} in the database"));
            }
            let contributor_user = user_of(db, contributor).await?;
            let proposer = if *submitted { contributor } else { organizer };
            let proposer_user = user_of(db, proposer).await?;
            let (share_type, bps, fixed) = share_columns(*share);
            let id: Uuid = sqlx::query_scalar(OPEN_CONTRIBUTION)
                .bind(event)
                .bind(contributor_user)
                .bind(kind)
                .bind(share_type)
                .bind(bps)
                .bind(fixed)
                .bind(proposer_user)
                .bind(contributor)
                .bind(proposer)
                .fetch_one(&mut *db)
                .await?;
            let action = if *submitted {
                "contribution_submitted"
            } else {
                "contribution_proposed"
            };
            audit(
                db,
                origin,
                proposer_user,
                action,
                ("attribution", id.to_string()),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::ContributionApproved {
            event,
            contributor,
            approved_by,
            kind,
            share,
        } => {
            let approver = user_of(db, approved_by).await?;
            let (share_type, bps, fixed) = share_columns(*share);
            let id: Option<(Uuid, serde_json::Value)> = sqlx::query_as(APPROVE_CONTRIBUTION)
                .bind(event)
                .bind(contributor)
                .bind(ts)
                .bind(approver)
                .bind(approved_by)
                .bind(kind)
                .bind(share_type)
                .bind(bps)
                .bind(fixed)
                .fetch_optional(&mut *db)
                .await?;
            let Some((id, old)) = id else {
                return park("unknown_contribution", no_contribution(event, contributor));
            };
            audit_change(
                db,
                origin,
                approver,
                "contribution_approved",
                ("attribution", id.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::ContributionRejected {
            event,
            contributor,
            rejected_by,
        } => {
            let id: Option<(Uuid, serde_json::Value)> = sqlx::query_as(REJECT_CONTRIBUTION)
                .bind(event)
                .bind(contributor)
                .bind(ts)
                .bind(rejected_by)
                .fetch_optional(&mut *db)
                .await?;
            let Some((id, old)) = id else {
                return park("unknown_contribution", no_contribution(event, contributor));
            };
            let user = user_of(db, rejected_by).await?;
            audit_change(
                db,
                origin,
                user,
                "contribution_rejected",
                ("attribution", id.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::Settled {
            event,
            pool,
            pct_pool,
            commissions,
            fixed_total,
            scaled,
        } => {
            let organizer: Option<Option<String>> = sqlx::query_scalar(EVENT_EXISTS)
                .bind(event)
                .fetch_optional(&mut *db)
                .await?;
            let Some(organizer) = organizer else {
                return park("unknown_event", format!("no event {event} in the database"));
            };
            let Some(committed) = commissions.checked_add(*fixed_total) else {
                return park(
                    "malformed",
                    "commissions + fixed total overflow an i128".to_owned(),
                );
            };
            sqlx::query(SETTLE_CONTRIBUTIONS)
                .bind(event)
                .bind(pool.to_string())
                .bind(pct_pool.to_string())
                .bind(committed.to_string())
                .bind(scaled)
                .execute(&mut *db)
                .await?;
            let user = match organizer {
                Some(address) => user_of(db, &address).await?,
                None => None,
            };
            audit(
                db,
                origin,
                user,
                "settled",
                ("event", event.to_string()),
                value_json,
            )
            .await?;
            Outcome::Applied
        }

        Decoded::Claimed {
            event,
            payee,
            amount: _,
            total_paid,
        } => {
            let organizer: Option<Option<String>> = sqlx::query_scalar(EVENT_EXISTS)
                .bind(event)
                .fetch_optional(&mut *db)
                .await?;
            let Some(organizer) = organizer else {
                return park("unknown_event", format!("no event {event} in the database"));
            };
            let tx = record_transaction(db, origin, decoded).await?;
            let id: Option<(Uuid, serde_json::Value)> = sqlx::query_as(RECORD_CLAIM)
                .bind(event)
                .bind(payee)
                .bind(total_paid.to_string())
                .bind(ts)
                .bind(tx)
                .fetch_optional(&mut *db)
                .await?;
            let Some((id, old)) = id else {
                if organizer.as_deref() == Some(payee.as_str()) {
                    // The organizer's remainder has no attribution row.
                    return Ok(Outcome::Applied);
                }
                return park("unknown_contribution", no_contribution(event, payee));
            };
            let user = user_of(db, payee).await?;
            audit_change(
                db,
                origin,
                user,
                "claimed",
                ("attribution", id.to_string()),
                Some(&old),
                value_json,
            )
            .await?;
            return Ok(Outcome::Applied);
        }
    };
    if outcome == Outcome::Applied {
        record_transaction(db, origin, decoded).await?;
    }
    Ok(outcome)
}

async fn event_exists(db: &mut PgConnection, event: &Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, Option<String>>(EVENT_EXISTS)
        .bind(event)
        .fetch_optional(db)
        .await?
        .is_some())
}

/// Why a ticket event found no row to change: no such ticket, or another holder.
async fn ticket_missing(
    db: &mut PgConnection,
    contract: Uuid,
    token_id: u32,
    holder: &str,
) -> Result<Outcome, sqlx::Error> {
    let owner: Option<Option<String>> = sqlx::query_scalar(TICKET_OWNER)
        .bind(contract)
        .bind(i64::from(token_id))
        .fetch_optional(db)
        .await?;
    match owner {
        None => park(
            "unknown_ticket",
            format!("no ticket {token_id} of this contract in the mirror"),
        ),
        Some(owner) => park(
            "mismatch",
            format!(
                "the chain says {holder} holds ticket {token_id}, the mirror says {}",
                owner.as_deref().unwrap_or("nobody")
            ),
        ),
    }
}

fn not_published(event: &Uuid) -> String {
    format!("event {event} is not published on chain in the mirror")
}

fn no_contribution(event: &Uuid, contributor: &str) -> String {
    format!("no contribution of {contributor} to event {event} in the mirror")
}

/// Ledger seconds as the `bigint` the SQL converts with `to_timestamp`.
fn secs(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}
