//! # passa-common
//!
//! Code shared by the Passa contracts (`ticketing`, `attribution`, `revenue`). This is a
//! library, not a contract: it exports no contract functions of its own. Each contract wires
//! the helpers below into its own public interface.
//!
//! * [`call`]: cross-contract calls that report failures instead of panicking (smaller wasm).
//! * [`admin`]: the admin and its two-step transfer (`transfer_admin` → `accept_admin`).
//! * [`admin_api`]: [`admin_api::AdminApi`], the admin, pause and upgrade entry points every
//!   contract exports (a `#[contracttrait]` with default implementations).
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

// `passa_common::…` paths also resolve inside this crate (see admin_api.rs).
extern crate self as passa_common;

pub mod admin;
pub mod admin_api;
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

use core::convert::Infallible;

use soroban_sdk::{symbol_short, Env, IntoVal, Symbol, TryFromVal, Val};

/// Instance-storage keys owned by this crate.
///
/// Encoded by hand as `[Symbol(variant name)]`, byte for byte what `#[contracttype]` derives
/// for a unit variant (`CommonKey::Paused` is `(symbol_short!("Paused"),)`), so storage written
/// by earlier builds stays readable. The derived conversion costs ~20k instructions per key on
/// wasm, a tuple of `symbol_short!` constants ~2-3k, and `pause::when_not_paused` runs on every
/// money path (see `REQUESTS.md` item 3; `test::keys_encode_as_the_derived_enum` checks the
/// layout against the derived one).
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum CommonKey {
    /// The current admin (`Address`).
    Admin,
    /// The admin proposed by [`admin::transfer_admin`], until it accepts (`Address`).
    PendingAdmin,
    /// Present (`true`) while the contract is paused.
    Paused,
}

impl TryFromVal<Env, CommonKey> for Val {
    type Error = Infallible;
    fn try_from_val(env: &Env, key: &CommonKey) -> Result<Val, Infallible> {
        Ok(match key {
            CommonKey::Admin => (symbol_short!("Admin"),).into_val(env),
            CommonKey::PendingAdmin => {
                // Longer than a small symbol's 9 characters: a host symbol object.
                (Symbol::new(env, "PendingAdmin"),).into_val(env)
            }
            CommonKey::Paused => (symbol_short!("Paused"),).into_val(env),
        })
    }
}

impl TryFromVal<Env, &CommonKey> for Val {
    type Error = Infallible;
    fn try_from_val(env: &Env, key: &&CommonKey) -> Result<Val, Infallible> {
        Val::try_from_val(env, *key)
    }
}
