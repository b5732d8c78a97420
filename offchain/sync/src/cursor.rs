//! Where the sync is in a network's history: the contracts it follows, the position of its
//! next request, and the RPC's retention window.

use uuid::Uuid;

use crate::error::SyncError;
use passa_db::registry::ContractKind;
use passa_stellar::network::NetworkName;

/// At most this many ledgers per `getEvents` range (the RPC's own limit).
pub const MAX_LEDGER_RANGE: u32 = 10_000;
/// At most this many contract ids per filter, and filters per request (the RPC's limits).
pub const MAX_IDS_PER_FILTER: usize = 5;
pub(crate) const MAX_FILTERS: usize = 5;

/// A contract being followed.
#[derive(Debug, Clone)]
pub(crate) struct Followed {
    pub id: Uuid,
    pub kind: ContractKind,
    /// The ledger of its deployment transaction, when recorded.
    pub deployed: Option<u32>,
    /// Whether the sync has followed it since that ledger (sync_contracts).
    pub covered: bool,
}

/// Where the next request starts.
#[derive(Debug, Clone)]
pub(crate) enum Position {
    /// A ledger range from this ledger.
    Ledger(u32),
    /// After this cursor; every ledger up to `complete` is read.
    Cursor { cursor: String, complete: u32 },
}

impl Position {
    /// The first ledger that may still hold unread events.
    pub fn next_ledger(&self) -> u32 {
        match self {
            Position::Ledger(l) => *l,
            Position::Cursor { complete, .. } => complete.saturating_add(1),
        }
    }
}

/// [`SyncError::CursorTooOld`] when `position` is older than the server's `oldest` ledger.
pub(crate) fn check_retention(
    network: NetworkName,
    position: &Position,
    oldest: u32,
    latest: u32,
) -> Result<(), SyncError> {
    let next = position.next_ledger();
    if next < oldest {
        return Err(SyncError::CursorTooOld {
            network,
            next_ledger: next,
            last_missing: oldest - 1,
            oldest,
            latest,
        });
    }
    Ok(())
}

/// The ledger of an RPC event id or cursor (`%019d-%010d`: the TOID's high 32 bits).
///
/// # Errors
/// [`SyncError::BadResponse`] for anything else.
pub fn cursor_ledger(cursor: &str) -> Result<u32, SyncError> {
    let bad = || SyncError::BadResponse {
        what: "cursor",
        detail: format!("\"{cursor}\" is not an event id"),
    };
    let toid: i64 = cursor
        .split_once('-')
        .map_or(cursor, |(toid, _)| toid)
        .parse()
        .map_err(|_| bad())?;
    u32::try_from(toid >> 32).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_name_their_ledger() {
        let id = format!("{:019}-{:010}", (7i64 << 32) | (2 << 12), 3);
        assert_eq!(cursor_ledger(&id).unwrap(), 7);
        assert!(cursor_ledger("x-1").is_err());
        assert!(cursor_ledger(&format!("{:019}-0", -1i64)).is_err());
    }
}
