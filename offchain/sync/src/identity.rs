//! Which chain the mirror follows: the network's passphrase and an anchor (a ledger the mirror
//! has applied, with its hash), kept in `sync_cursors`. Before a run reads anything it checks
//! the RPC against them: a latest ledger below the cursor, another passphrase, or another hash
//! for the anchor mean a reset (Stellar's testnet is reset from time to time) or rolled-back
//! network, and the run stops at once with [`SyncError::NetworkReset`] instead of retrying or,
//! worse, mirroring another chain's events into the same rows.

use std::time::{Duration, Instant};

use sqlx::PgConnection;

use crate::error::{db, SyncError};
use crate::source::Source;
use passa_stellar::network::NetworkName;

/// Between two anchors while following (one getLedgers request each).
pub(crate) const ANCHOR_EVERY: Duration = Duration::from_secs(60);

const SELECT: &str = "
SELECT last_ledger, network_passphrase, anchor_ledger, anchor_hash::text
  FROM sync_cursors WHERE network = $1";

const SET_ANCHOR: &str = "
UPDATE sync_cursors
   SET network_passphrase = $2, anchor_ledger = $3, anchor_hash = $4, anchored_at = now()
 WHERE network = $1 AND last_ledger >= $3";

/// last_ledger, network_passphrase, anchor_ledger, anchor_hash.
type StoredRow = (i64, Option<String>, Option<i64>, Option<String>);

/// What the mirror recorded of the chain behind its cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// Every ledger up to this one is applied.
    pub cursor_ledger: u32,
    /// The network's passphrase, once recorded.
    pub passphrase: Option<String>,
    /// A ledger applied and its hash, once recorded.
    pub anchor: Option<(u32, String)>,
}

/// The identity stored for `network`, if the mirror has a cursor there.
pub(crate) async fn stored(
    conn: &mut PgConnection,
    network: NetworkName,
) -> Result<Option<Identity>, SyncError> {
    let row: Option<StoredRow> = sqlx::query_as(SELECT)
        .bind(network.as_str())
        .fetch_optional(conn)
        .await
        .map_err(db("reading the network's identity"))?;
    Ok(row.map(|(cursor, passphrase, ledger, hash)| Identity {
        cursor_ledger: u32::try_from(cursor).unwrap_or(0),
        passphrase,
        anchor: ledger.and_then(|l| u32::try_from(l).ok()).zip(hash),
    }))
}

/// Checks that the chain behind `source` (its ledgers `oldest`–`latest`) is the one `stored`
/// describes.
///
/// # Errors
/// [`SyncError::NetworkReset`] when it is not; the RPC's errors.
pub(crate) async fn check(
    source: &Source,
    network: NetworkName,
    stored: &Identity,
    (oldest, latest): (u32, u32),
) -> Result<(), SyncError> {
    let reset = |detail: String| SyncError::NetworkReset {
        network,
        cursor_ledger: stored.cursor_ledger,
        oldest,
        latest,
        detail,
    };
    if latest < stored.cursor_ledger {
        return Err(reset(format!(
            "its latest ledger {latest} is below ledger {} the mirror has already applied",
            stored.cursor_ledger
        )));
    }
    if let Some(recorded) = &stored.passphrase {
        let serving = source.passphrase().await?;
        if &serving != recorded {
            return Err(reset(format!(
                "it serves the network \"{serving}\", the mirror followed \"{recorded}\""
            )));
        }
    }
    let Some((ledger, hash)) = &stored.anchor else {
        return Ok(());
    };
    if *ledger < oldest || *ledger > latest {
        // Past the RPC's retention: nothing to compare (a cursor that old is an error of its
        // own, SyncError::CursorTooOld).
        return Ok(());
    }
    match source.ledger_hash(*ledger).await? {
        Some(now) if &now != hash => Err(reset(format!(
            "ledger {ledger} has hash {now} there, but had {hash} when the mirror applied it"
        ))),
        _ => Ok(()),
    }
}

/// Records `ledger` (applied) and its hash as the network's anchor, with the passphrase.
pub(crate) async fn record(
    conn: &mut PgConnection,
    source: &Source,
    network: NetworkName,
    ledger: u32,
) -> Result<(), SyncError> {
    let Some(hash) = source.ledger_hash(ledger).await? else {
        return Ok(());
    };
    let passphrase = source.passphrase().await?;
    sqlx::query(SET_ANCHOR)
        .bind(network.as_str())
        .bind(passphrase)
        .bind(i64::from(ledger))
        .bind(hash)
        .execute(conn)
        .await
        .map_err(db("recording the network's anchor"))?;
    Ok(())
}

/// When the follower anchored last: it anchors again once caught up and
/// [`ANCHOR_EVERY`] has passed (and always at the end of a `--once` run).
#[derive(Debug, Default)]
pub(crate) struct Anchoring {
    last: Option<Instant>,
}

impl Anchoring {
    /// Whether to anchor now.
    pub fn due(&self, last_page: bool) -> bool {
        last_page || self.last.is_none_or(|t| t.elapsed() >= ANCHOR_EVERY)
    }

    /// Anchored just now.
    pub fn done(&mut self) {
        self.last = Some(Instant::now());
    }
}
