//! # passa-common
//!
//! Code shared by the Passa contracts (`ticketing`, `attribution`, `revenue`). This is a
//! library, not a contract: it exports no contract functions of its own. Each contract wires
//! the helpers below into its own public interface.
//!
//! * [`call`]: cross-contract calls that report failures instead of panicking (smaller wasm).
//! * [`admin`]: the admin and its two-step transfer (`transfer_admin` → `accept_admin`).
//! * [`pause`]: an emergency stop for every path that moves money or tickets.
//! * [`upgrade`]: replacing the contract's wasm, by the admin.
//! * [`time`]: the ledger close time (smaller wasm than `env.ledger().timestamp()`).
//! * [`ttl`]: TTL constants (threshold + extend-to) and helpers that extend on every touch.
//! * [`types`]: the `#[contracttype]`s the contracts exchange (see `contracts/INTERFACES.md`).
//! * [`errors`]: [`CommonError`], the failures of the helpers, with stable codes that every
//!   contract reserves in its own `#[contracterror]` enum.
//! * [`events`]: the events the helpers emit.
//!
//! ## Storage
//! The helpers keep their state in the contract's *instance* storage under [`CommonKey`]
//! (`Admin`, `PendingAdmin`, `Paused`). A contract must not define keys with the same
//! variant names in its own instance storage.
#![no_std]

pub mod admin;
pub mod call;
pub mod errors;
pub mod events;
pub mod pause;
pub mod time;
pub mod ttl;
pub mod types;
pub mod upgrade;

#[cfg(test)]
mod test;
#[cfg(any(test, feature = "testutils"))]
pub mod testutils;

pub use errors::CommonError;
pub use types::{AttributionTotals, EventId, EventLedger, EventStatus, Share, BPS_DENOMINATOR};

use soroban_sdk::contracttype;

/// Instance-storage keys owned by this crate.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum CommonKey {
    /// The current admin (`Address`).
    Admin,
    /// The admin proposed by [`admin::transfer_admin`], until it accepts (`Address`).
    PendingAdmin,
    /// Present (`true`) while the contract is paused.
    Paused,
}
