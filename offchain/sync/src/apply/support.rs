//! What every kind of event's application uses: the outcome, parking, looking up the user
//! of an address and whether an event or ticket is in the mirror.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::rows::{audit_change, Origin};

/// An event being applied: the page's transaction, where the event comes from and its data
/// as JSON (the new values of its audit row).
pub(super) struct Change<'c, 'o> {
    pub db: &'c mut PgConnection,
    pub origin: &'c Origin<'o>,
    pub value_json: &'c serde_json::Value,
}

impl Change<'_, '_> {
    /// The event's ledger, as the `bigint` columns hold it.
    pub fn ledger(&self) -> i64 {
        i64::from(self.origin.ledger)
    }

    /// Appends the change to `audit_logs` (by `user`, to `resource`, replacing `old`, `None`
    /// for a new row) and returns [`Outcome::Applied`].
    pub async fn audited(
        &mut self,
        user: Option<Uuid>,
        action: &'static str,
        resource: (&'static str, String),
        old: Option<&serde_json::Value>,
    ) -> Result<Outcome, sqlx::Error> {
        audit_change(
            self.db,
            self.origin,
            user,
            action,
            resource,
            old,
            self.value_json,
        )
        .await?;
        Ok(Outcome::Applied)
    }
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

pub(super) fn park(code: &'static str, reason: String) -> Result<Outcome, sqlx::Error> {
    Ok(Outcome::Parked(code, reason))
}

const USER_OF_ADDRESS: &str = "
SELECT user_id FROM wallets WHERE blockchain_network = 'stellar' AND wallet_address = $1";

const EVENT_EXISTS: &str = "SELECT organizer_address FROM events WHERE event_id = $1";

const TICKET_OWNER: &str = "
SELECT owner_address FROM tickets WHERE smart_contract_id = $1 AND token_id = $2";

/// The user a Stellar address belongs to, through `wallets`.
pub(super) async fn user_of(
    db: &mut PgConnection,
    address: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(USER_OF_ADDRESS)
        .bind(address)
        .fetch_optional(db)
        .await
}

/// The organizer address of an event in the mirror: `None` when the mirror has no such event.
pub(super) async fn event_organizer(
    db: &mut PgConnection,
    event: &Uuid,
) -> Result<Option<Option<String>>, sqlx::Error> {
    sqlx::query_scalar(EVENT_EXISTS)
        .bind(event)
        .fetch_optional(db)
        .await
}

/// Whether the mirror has the event.
pub(super) async fn event_exists(db: &mut PgConnection, event: &Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, Option<String>>(EVENT_EXISTS)
        .bind(event)
        .fetch_optional(db)
        .await?
        .is_some())
}

/// Why a ticket event found no row to change: no such ticket, or another holder.
pub(super) async fn ticket_missing(
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

pub(super) fn not_published(event: &Uuid) -> String {
    format!("event {event} is not published on chain in the mirror")
}

pub(super) fn no_contribution(event: &Uuid, contributor: &str) -> String {
    format!("no contribution of {contributor} to event {event} in the mirror")
}

/// Ledger seconds as the `bigint` the SQL converts with `to_timestamp`.
pub(super) fn secs(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}
