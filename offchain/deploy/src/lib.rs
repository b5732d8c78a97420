//! `passa-deploy`: putting the Passa contracts on a network and keeping the registry of them.
//!
//! - [`deploy`]: `passa deploy` — upload, instantiate, wire and register the three contracts,
//!   resumable and idempotent;
//! - [`contracts`]: `passa contracts …` — the registered contracts checked against the chain,
//!   and their admin operations (pause, unpause, upgrade);
//! - [`registry`]: the registry's writes (`smart_contracts`, the `transactions` that deploy and
//!   change contracts, their `audit_logs`), with its reads re-exported from `passa-db`.

pub mod contracts;
pub mod deploy;
pub mod registry;
