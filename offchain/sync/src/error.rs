//! Why `passa sync` stops, and the helpers that attach what was being done to a database
//! or JSON error.

use passa_stellar::network::NetworkName;

/// Why `passa sync` stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// No contract of the network is registered as active or paused.
    #[error(
        "no active contracts are registered for {network}; deploy them first \
         (`passa deploy --network {network}`)"
    )]
    NoContracts {
        /// The network.
        network: NetworkName,
    },
    /// More contracts than one getEvents request can follow.
    #[error(
        "{count} contracts are registered for {network}; one sync follows at most {max} \
         (deprecate the ones no longer in use: `passa contracts …`)"
    )]
    TooManyContracts {
        /// The network.
        network: NetworkName,
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The next ledger to read is older than what the RPC server keeps.
    #[error(
        "the mirror of {network} needs events from ledger {next_ledger} on, but the RPC server \
         only keeps ledgers {oldest}–{latest}: ledgers {next_ledger}–{last_missing} are gone \
         from it. Backfill them from an RPC server with a longer retention \
         (`passa sync --network {network} --rpc-url <URL> --from-ledger {next_ledger}`), or \
         accept the gap and continue from the oldest ledger this server has \
         (`passa sync --network {network} --from-ledger {oldest}`)"
    )]
    CursorTooOld {
        /// The network.
        network: NetworkName,
        /// The first ledger not yet applied.
        next_ledger: u32,
        /// The last ledger the server lacks.
        last_missing: u32,
        /// The server's oldest ledger.
        oldest: u32,
        /// The server's latest ledger.
        latest: u32,
    },
    /// The RPC serves another chain than the one the mirror followed: a reset or rolled-back
    /// network, or another network on the same URL. Nothing is read or written.
    #[error(
        "the RPC server does not serve the chain the mirror of {network} follows: {detail}. The \
         mirror has applied every ledger up to {cursor_ledger}; the server has ledgers \
         {oldest}–{latest}. Nothing was written. If the network was reset (Stellar's testnet is \
         reset from time to time) or the local devnet started afresh: archive this network's \
         mirror and start it over with `passa sync reset --network {network} --archive-dir \
         <DIR>`, then redeploy (`passa deploy --network {network}`). If the URL is wrong, \
         point --rpc-url at the right server"
    )]
    NetworkReset {
        /// The network.
        network: NetworkName,
        /// Every ledger up to this one is mirrored.
        cursor_ledger: u32,
        /// The server's oldest ledger.
        oldest: u32,
        /// The server's latest.
        latest: u32,
        /// What differs.
        detail: String,
    },
    /// A `passa sync` holds the network's lock.
    #[error("a passa sync is applying on {network}: stop it before resetting its mirror")]
    Busy {
        /// The network.
        network: NetworkName,
    },
    /// The reset's archive could not be written (nothing was reset).
    #[error("archiving the mirror failed, nothing was reset: {0}")]
    Archive(String),
    /// `--from-ledger` names a ledger the server has not closed yet.
    #[error("--from-ledger {ledger} is past the latest ledger ({latest}) of {network}")]
    FromLedgerAhead {
        /// The network.
        network: NetworkName,
        /// The ledger asked for.
        ledger: u32,
        /// The server's latest.
        latest: u32,
    },
    /// The RPC server failed, also after retries.
    #[error("{method} failed after {attempts} attempt(s): {detail}")]
    Rpc {
        /// The JSON-RPC method.
        method: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The last error.
        detail: String,
    },
    /// The server sent something unreadable.
    #[error("the RPC server sent an unreadable {what}: {detail}")]
    BadResponse {
        /// What.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// A database statement failed.
    #[error("sync: {what}")]
    Database {
        /// What was being done.
        what: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
}

pub(crate) fn db(what: &'static str) -> impl FnOnce(sqlx::Error) -> SyncError {
    move |source| SyncError::Database { what, source }
}

/// Whether the database refused a statement for its content (a constraint, a rule trigger,
/// a bad value), as opposed to failing (connection, server).
pub(crate) fn refused(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("23") || c.starts_with("22") || c == "P0001"),
        _ => false,
    }
}

pub(crate) fn json_error(e: serde_json::Error) -> SyncError {
    SyncError::BadResponse {
        what: "event (as JSON)",
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retention_error_says_how_to_backfill() {
        let e = SyncError::CursorTooOld {
            network: NetworkName::Testnet,
            next_ledger: 100,
            last_missing: 499,
            oldest: 500,
            latest: 900,
        };
        let text = e.to_string();
        assert!(text.contains("--from-ledger 100"), "{text}");
        assert!(text.contains("--from-ledger 500"), "{text}");
        assert!(text.contains("100–499"), "{text}");
    }
}
