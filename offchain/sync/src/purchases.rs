//! `purchased` events, set-based. A sale is most of a contract's traffic (one `purchased` event
//! and a mint per ticket), so a page's run of consecutive purchases is applied with a fixed
//! handful of statements however long it is: the events locked and checked, the buyers'
//! users, the transactions, every ticket, the sales totals and the audit rows, one statement
//! each. A single purchase (a retried parked one, or one between other events) goes through
//! the same statements.
//!
//! The rows are those [`crate::apply`] documents for `purchased`. When a purchase of the run
//! cannot be applied as it stands, nothing is written (the checks come first) or the caller
//! rolls the run back (a ticket row refused), and the run is applied one event at a time, so
//! the event that cannot be applied is parked with its own reason and the others apply.

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::copy;
use crate::decode::Decoded;
use crate::rows::{self, AuditRow, Origin, TxRow};
use passa_stellar::scval::token_units;

/// One `purchased` event.
pub(crate) struct Purchase<'a> {
    pub origin: &'a Origin<'a>,
    pub decoded: &'a Decoded,
    pub value_json: &'a serde_json::Value,
}

/// Why a purchase cannot be applied as it stands: `parked_events`' reason code and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub reason: String,
}

/// The fields of a `purchased` event.
struct Fields<'a> {
    event: Uuid,
    buyer: &'a str,
    tier: u32,
    quantity: u32,
    first_token_id: u32,
    price: i128,
    amount: i128,
    referrer: Option<&'a str>,
    commission: i128,
}

impl<'a> Fields<'a> {
    fn of(decoded: &'a Decoded) -> Option<Self> {
        match decoded {
            Decoded::Purchased {
                event,
                buyer,
                tier,
                quantity,
                first_token_id,
                price,
                amount,
                referrer,
                commission,
            } => Some(Self {
                event: *event,
                buyer,
                tier: *tier,
                quantity: *quantity,
                first_token_id: *first_token_id,
                price: *price,
                amount: *amount,
                referrer: referrer.as_deref(),
                commission: *commission,
            }),
            _ => None,
        }
    }
}

/// The most tickets one `purchase` sells (ticketing's `MAX_PER_PURCHASE`). A `purchased`
/// event claiming more did not come from our contract as built: parked, rather than a
/// mirror that writes whatever number of ticket rows an event names.
const MAX_PER_PURCHASE: u32 = 10;

/// The events the purchases are of, locked for the totals: the emitting contract, whether
/// published on chain, and what their tickets copy (tiers, currency, metadata, and the
/// terms `event_created` gave, or the tickets table's defaults where it gave none).
const LOCK_EVENTS: &str = "
SELECT event_id, smart_contract_id, onchain_status IS NOT NULL, tiers, currency, metadata_uri,
       COALESCE(tickets_transferable, true), COALESCE(tickets_resaleable, false),
       COALESCE(tickets_refundable, false)
  FROM events WHERE event_id = ANY($1)
 ORDER BY event_id
   FOR NO KEY UPDATE";

const USERS_OF_ADDRESSES: &str = "
SELECT wallet_address::text, user_id FROM wallets
 WHERE blockchain_network = 'stellar' AND wallet_address = ANY($1)";

/// One row per token of each purchase (rows made by [`ticket_rows`]).
const COPY_TICKETS: &str = "
COPY tickets (ticket_id, event_id, smart_contract_id, token_id, ticket_tier, tier_index, price,
              price_raw, current_price, current_price_raw, currency, owner_user_id, owner_address,
              ticket_status, purchase_date, purchase_transaction_id, referrer_address,
              commission_raw, metadata_uri, is_transferable, is_resaleable, is_refundable)
FROM STDIN";

/// Each event's tickets sold, sales and commissions, summed over the purchases.
const ADD_SALES: &str = "
UPDATE events e
   SET tickets_sold = e.tickets_sold + s.quantity, gross_sales_raw = e.gross_sales_raw + s.amount,
       commissions_raw = e.commissions_raw + s.commission
  FROM (SELECT event, sum(quantity)::int AS quantity, sum(amount::numeric) AS amount,
               sum(commission::numeric) AS commission
          FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[])
               AS x(event, quantity, amount, commission)
         GROUP BY event) s
 WHERE e.event_id = s.event";

/// Applies `purchases` (in chain order) to the mirror.
///
/// Returns `Ok(Err((i, refusal)))` when purchase `i` cannot be applied as it stands; then
/// the statements already run may have written part of the run, which the caller rolls back
/// (it runs this inside a savepoint).
///
/// # Errors
/// The database's.
pub(crate) async fn apply(
    db: &mut PgConnection,
    purchases: &[Purchase<'_>],
) -> Result<Result<(), (usize, Refusal)>, sqlx::Error> {
    let mut fields = Vec::with_capacity(purchases.len());
    for (i, purchase) in purchases.iter().enumerate() {
        let Some(f) = Fields::of(purchase.decoded) else {
            return Ok(Err((i, refusal("malformed", "not a purchase".to_owned()))));
        };
        fields.push(f);
    }
    for (i, f) in fields.iter().enumerate() {
        if f.quantity == 0 || f.quantity > MAX_PER_PURCHASE {
            let reason = format!(
                "a purchase of {} tickets (ticketing sells 1 to {MAX_PER_PURCHASE} at a time)",
                f.quantity
            );
            return Ok(Err((i, refusal("malformed", reason))));
        }
        if u64::from(f.first_token_id) + u64::from(f.quantity) - 1 > u64::from(u32::MAX) {
            let reason = format!("tickets from {} run past u32::MAX", f.first_token_id);
            return Ok(Err((i, refusal("malformed", reason))));
        }
    }
    let events = match check_events(db, purchases, &fields).await? {
        Ok(events) => events,
        Err(refused) => return Ok(Err(refused)),
    };
    let users = users_of(db, &fields).await?;
    let tx_rows: Vec<TxRow> = purchases
        .iter()
        .map(|p| TxRow {
            origin: p.origin,
            decoded: p.decoded,
            name: None,
        })
        .collect();
    let transactions = rows::record_transactions(db, &tx_rows).await?;
    let rows = match ticket_rows(purchases, &fields, &events, &users, &transactions) {
        Ok(rows) => rows,
        Err(refused) => return Ok(Err(refused)),
    };
    copy::copy_in(db, COPY_TICKETS, rows).await?;
    add_sales(db, &fields).await?;
    let audit: Vec<AuditRow> = purchases
        .iter()
        .zip(&fields)
        .map(|(p, f)| AuditRow {
            origin: p.origin,
            user: users.get(f.buyer).copied(),
            action: "purchased",
            resource: ("event", f.event.to_string()),
            old_values: None,
            new_values: p.value_json,
        })
        .collect();
    rows::audit_all(db, &audit).await?;
    Ok(Ok(()))
}

fn refusal(code: &'static str, reason: String) -> Refusal {
    Refusal { code, reason }
}

/// An event of the purchases, as its tickets copy it.
struct EventRow {
    contract: Option<Uuid>,
    published: bool,
    tiers: Option<serde_json::Value>,
    currency: String,
    metadata_uri: Option<String>,
    /// is_transferable, is_resaleable, is_refundable of its tickets.
    flags: [bool; 3],
}

/// The purchases' events, locked; or the first purchase whose event is not published in the
/// mirror by the emitting contract.
async fn check_events(
    db: &mut PgConnection,
    purchases: &[Purchase<'_>],
    fields: &[Fields<'_>],
) -> Result<Result<HashMap<Uuid, EventRow>, (usize, Refusal)>, sqlx::Error> {
    let mut ids: Vec<Uuid> = fields.iter().map(|f| f.event).collect();
    ids.sort_unstable();
    ids.dedup();
    type Row = (
        Uuid,
        Option<Uuid>,
        bool,
        Option<serde_json::Value>,
        String,
        Option<String>,
        bool,
        bool,
        bool,
    );
    let rows: Vec<Row> = sqlx::query_as(LOCK_EVENTS)
        .bind(&ids)
        .fetch_all(&mut *db)
        .await?;
    let events: HashMap<Uuid, EventRow> = rows
        .into_iter()
        .map(|row| {
            let (id, contract, published, tiers, currency, metadata_uri, t, s, r) = row;
            let row = EventRow {
                contract,
                published,
                tiers,
                currency,
                metadata_uri,
                flags: [t, s, r],
            };
            (id, row)
        })
        .collect();
    let unpublished = purchases.iter().zip(fields).position(|(p, f)| {
        !matches!(
            events.get(&f.event),
            Some(e) if e.published && e.contract == Some(p.origin.contract_id)
        )
    });
    Ok(match unpublished {
        None => Ok(events),
        Some(i) => Err((
            i,
            refusal(
                "unknown_event",
                format!(
                    "event {} is not published on chain in the mirror",
                    fields[i].event
                ),
            ),
        )),
    })
}

/// The users of the buyers' addresses, through `wallets`.
async fn users_of(
    db: &mut PgConnection,
    fields: &[Fields<'_>],
) -> Result<HashMap<String, Uuid>, sqlx::Error> {
    let mut buyers: Vec<&str> = fields.iter().map(|f| f.buyer).collect();
    buyers.sort_unstable();
    buyers.dedup();
    let rows: Vec<(String, Uuid)> = sqlx::query_as(USERS_OF_ADDRESSES)
        .bind(&buyers)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The `COPY` rows of the purchases' tickets; or the first purchase of a tier its event does
/// not have.
fn ticket_rows(
    purchases: &[Purchase<'_>],
    fields: &[Fields<'_>],
    events: &HashMap<Uuid, EventRow>,
    users: &HashMap<String, Uuid>,
    transactions: &HashMap<String, Uuid>,
) -> Result<String, (usize, Refusal)> {
    // Sized up front (a row is ~420 bytes), so a page's megabytes are not grown by doubling;
    // the hint is capped, as quantities come from the chain.
    let tickets: usize = fields.iter().map(|f| f.quantity as usize).sum();
    let mut rows = String::with_capacity(tickets.min(1 << 17) * 512);
    for (i, (purchase, f)) in purchases.iter().zip(fields).enumerate() {
        let event = events.get(&f.event);
        let tier = event
            .and_then(|e| e.tiers.as_ref())
            .and_then(|tiers| tiers.get(f.tier as usize))
            .and_then(|tier| tier.get("code"))
            .and_then(serde_json::Value::as_str);
        let (Some(event), Some(tier)) = (event, tier) else {
            let reason = format!("event {} has no tier {} in the mirror", f.event, f.tier);
            return Err((i, refusal("mismatch", reason)));
        };
        let event_id = f.event.to_string();
        let contract = purchase.origin.contract_id.to_string();
        let tier_index = f.tier.to_string();
        let (price, price_raw) = (token_units(f.price), f.price.to_string());
        let user = users.get(f.buyer).map(Uuid::to_string);
        let transaction = transactions
            .get(purchase.origin.tx_hash)
            .map(Uuid::to_string);
        let commission = (f.commission / i128::from(f.quantity)).to_string();
        let minted_ms = chrono::DateTime::parse_from_rfc3339(purchase.origin.closed_at)
            .map_or(0, |t| u64::try_from(t.timestamp_millis()).unwrap_or(0));
        for offset in 0..f.quantity {
            let token_id = u64::from(f.first_token_id) + u64::from(offset);
            let ticket = ticket_uuid(minted_ms, purchase.origin.contract_id, token_id).to_string();
            let token = token_id.to_string();
            copy::copy_row(
                &mut rows,
                &[
                    Some(&ticket),
                    Some(&event_id),
                    Some(&contract),
                    Some(&token),
                    Some(tier),
                    Some(&tier_index),
                    Some(&price),
                    Some(&price_raw),
                    Some(&price),
                    Some(&price_raw),
                    Some(&event.currency),
                    user.as_deref(),
                    Some(f.buyer),
                    Some("purchased"),
                    Some(purchase.origin.closed_at),
                    transaction.as_deref(),
                    f.referrer,
                    Some(&commission),
                    event.metadata_uri.as_deref(),
                    Some(flag(event.flags[0])),
                    Some(flag(event.flags[1])),
                    Some(flag(event.flags[2])),
                ],
            );
        }
    }
    Ok(rows)
}

/// The `ticket_id` of token `token` of `contract`, minted in a ledger closed at `minted_ms`
/// (Unix milliseconds): a UUIDv7 whose time is the mint's and whose other 74 bits come
/// from SHA-256 of (contract, token), unique as the pair is.
///
/// Time-ordered, a backfill's tickets go in at the right edge of the primary key instead of
/// at random places (and skip `gen_random_uuid()`): about 0.3 s less of PostgreSQL's work
/// per 180 000 tickets. Derived from the chain alone, a ticket keeps its id when the mirror
/// is rebuilt from the same events.
fn ticket_uuid(minted_ms: u64, contract: Uuid, token: u64) -> Uuid {
    use sha2::{Digest as _, Sha256};
    let digest = Sha256::new()
        .chain_update(contract.as_bytes())
        .chain_update(token.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&minted_ms.to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&digest[..10]);
    bytes[6] = 0x70 | (bytes[6] & 0x0f);
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    Uuid::from_bytes(bytes)
}

/// A boolean as COPY's text format writes it.
fn flag(value: bool) -> &'static str {
    if value {
        "t"
    } else {
        "f"
    }
}

async fn add_sales(db: &mut PgConnection, fields: &[Fields<'_>]) -> Result<(), sqlx::Error> {
    let text = |f: &dyn Fn(&Fields) -> String| fields.iter().map(f).collect::<Vec<_>>();
    sqlx::query(ADD_SALES)
        .bind(fields.iter().map(|f| f.event).collect::<Vec<_>>())
        .bind(
            fields
                .iter()
                .map(|f| i32::try_from(f.quantity).unwrap_or(i32::MAX))
                .collect::<Vec<_>>(),
        )
        .bind(text(&|f| f.amount.to_string()))
        .bind(text(&|f| f.commission.to_string()))
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ticket_uuid;
    use uuid::{Uuid, Variant};

    #[test]
    fn ticket_ids_are_uuid_v7_in_mint_order_and_the_same_on_every_run() {
        let contract = Uuid::from_u128(0x5eed);
        let first = ticket_uuid(1_764_000_000_000, contract, 1);
        assert_eq!(first.get_version_num(), 7);
        assert_eq!(first.get_variant(), Variant::RFC4122);
        let (seconds, _) = first.get_timestamp().expect("a v7 timestamp").to_unix();
        assert_eq!(seconds, 1_764_000_000);
        assert_eq!(first, ticket_uuid(1_764_000_000_000, contract, 1));
        assert_ne!(first, ticket_uuid(1_764_000_000_000, contract, 2));
        assert_ne!(
            first,
            ticket_uuid(1_764_000_000_000, Uuid::from_u128(0x5eee), 1)
        );
        // A later ledger's tickets sort after, whatever their tokens.
        assert!(
            ticket_uuid(1_764_000_005_000, contract, 0)
                > ticket_uuid(1_764_000_000_000, contract, u64::MAX)
        );
    }
}
