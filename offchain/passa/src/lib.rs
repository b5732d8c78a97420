//! The `passa` command, thin over the crates that do the work:
//!
//! - `passa-stellar`: talking to a Stellar network (RPC, keys, contract values);
//! - `passa-db`: the database (connecting, migrations, seed, registry reads);
//! - `passa-deploy`: deploying the contracts and the registry's writes;
//! - `passa-sync`: the mirror (`passa sync`) and `passa verify`;
//! - `passa-devnet`: the local network (`passa devnet`, cargo feature `devnet`).
//!
//! What is its own:
//!
//! - [`cli`]: the command line (clap) and how results are printed;
//! - [`demo`]: `passa demo`, a scripted season of activity on a deployment;
//! - [`bench`]: `passa bench sync`, the backfill rate next to COPY's (with the devnet);
//! - [`error`]: the error type, whose messages are meant to be read at a terminal.

#[cfg(feature = "devnet")]
pub mod bench;
pub mod cli;
pub mod demo;
pub mod error;

pub use error::{Error, Result};
