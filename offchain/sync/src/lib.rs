//! `passa sync`: follows the registered contracts of one network through Stellar RPC
//! `getEvents` and mirrors their events into PostgreSQL (DESIGN §4.2).
//!
//! - The contracts are those of `smart_contracts` on the network, active or paused (at most 25:
//!   five filters of five contract ids, one request).
//! - Paging is cursor-driven: the first request of a run without a stored cursor names a
//!   ledger range (`startLedger`, `endLedger` exclusive, at most 10 000 ledgers); every next one
//!   continues after the cursor the server returned, through empty pages, until the latest
//!   ledger.
//! - Each page is one database transaction: the raw events (`chain_events`, unique by RPC id;
//!   one already stored is skipped), what each new one changes in the mirror, the
//!   `parked_events` of those that cannot be applied, and the cursor (`sync_cursors`, forward
//!   only). After a crash at any point the next run resumes with nothing lost or doubled.
//! - An event that cannot be applied — unknown name, malformed data, a reference to an event,
//!   ticket or organizer the mirror lacks, a row the database refuses — is parked with its
//!   reason, never dropped. Later events on the same subject wait behind it. Parked events are
//!   retried at the start of a run, after each page that applied something (those parked
//!   before it), and every [`SyncOptions::retry_parked_every`] while following.
//! - A cursor older than the server's retention is an error that says how to backfill.
//! - Transient RPC failures are retried with exponential backoff.
//! - A PostgreSQL advisory lock per network, held on the connection that applies, makes sure
//!   two `passa sync` never both apply: the second waits, then takes over.
//! - A contract registered after the cursor passed its deployment (a second deployment, a
//!   reactivated one) is backfilled up to the cursor first (`sync_contracts` records which
//!   contracts are covered); while following, the registry is re-read whenever caught up.
//! - Crash points for tests (`PASSA_FAILPOINT`): `sync.before_commit` (a page written, not
//!   committed) and `sync.after_commit` (committed, the next request not made).

//!
//! The data flow, module by module: [`follow`](run_observed) drives it; `source` reads pages
//! from the RPC (`codec` reads their XDR), `raw` stores each page's raw events, `decode`
//! turns events into [`decode::Decoded`], `page` applies a page in one transaction (`apply`
//! and `purchases` write the mirror's rows, `rows` their transactions and audit trail, `copy`
//! bulk rows), `parked` retries what could not be applied, `cursor` and `followed` say where
//! the sync is and what it follows. [`verify`] reads the chain back; [`metrics`] shows it.

mod apply;
#[cfg(test)]
mod apply_tests;
mod codec;
mod copy;
mod cursor;
pub mod decode;
mod error;
mod follow;
mod followed;
mod identity;
pub mod metrics;
mod options;
mod page;
mod parked;
mod purchases;
mod raw;
mod reset;
mod rows;
mod source;
pub mod verify;

pub use cursor::{cursor_ledger, MAX_IDS_PER_FILTER, MAX_LEDGER_RANGE};
pub use error::SyncError;
pub use follow::{run, run_observed};
pub use options::{Observer, Quiet, SyncOptions, SyncReport};
pub use parked::{parked, ParkedEvent};
pub use reset::{reset, ResetReport};
