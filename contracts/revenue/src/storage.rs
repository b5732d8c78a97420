//! Storage layout of the revenue contract, with TTL extension on every touch.
//!
//! | key | storage | value |
//! |-----|---------|-------|
//! | `CommonKey::{Admin, PendingAdmin, Paused}` | instance | see `passa-common` |
//! | `[Config]` | instance | [`Config`] |
//! | `[Refunds, event_id]` | persistent | Σ refunds paid (i128) |
//! | `[Settlement, event_id]` | persistent | [`Settlement`] |
//! | `[Paid, event_id, payee]` | persistent | amount paid to a contributor (i128) |
//!
//! (Keys are vectors starting with a symbol; see [`key`].)

use passa_common::{ttl, EventId};
use soroban_sdk::{Address, Env};

use crate::errors::RevenueError;
use crate::types::{Config, Settlement};

/// Storage keys as the derived `#[contracttype]` enum `DataKey { Config, Refunds(EventId),
/// Settlement(EventId), Paid(EventId, Address) }` encodes them (`[Symbol(variant), fields…]`),
/// written by hand: the derived conversion costs far more on wasm than a tuple of constants,
/// and the layout stays that of earlier builds (`test::ttl` checks it against the derived
/// enum).
pub mod key {
    use passa_common::EventId;
    use soroban_sdk::{symbol_short, Address, Env, IntoVal, Symbol, Val};

    /// Instance: the configuration.
    pub fn config(env: &Env) -> Val {
        (symbol_short!("Config"),).into_val(env)
    }
    /// Persistent: Σ refunds paid for an event.
    pub fn refunds(env: &Env, event_id: &EventId) -> Val {
        (symbol_short!("Refunds"), event_id).into_val(env)
    }
    /// Persistent: an event's settlement ("Settlement" is longer than a short symbol).
    pub fn settlement(env: &Env, event_id: &EventId) -> Val {
        (Symbol::new(env, "Settlement"), event_id).into_val(env)
    }
    /// Persistent: what a contributor was paid.
    pub fn paid(env: &Env, event_id: &EventId, payee: &Address) -> Val {
        (symbol_short!("Paid"), event_id, payee).into_val(env)
    }
}

/// Stores the configuration (constructor only).
pub fn set_config(env: &Env, config: &Config) {
    env.storage().instance().set(&key::config(env), config);
}

/// The configuration.
pub fn config(env: &Env) -> Config {
    // Written by the constructor, so always present.
    env.storage()
        .instance()
        .get(&key::config(env))
        .unwrap_or_else(|| soroban_sdk::panic_with_error!(env, RevenueError::NotInitialized))
}

/// Σ refunds paid for the event.
pub fn refunds(env: &Env, event_id: &EventId) -> i128 {
    ttl::get_persistent(env, &key::refunds(env, event_id)).unwrap_or(0)
}

/// Writes Σ refunds paid for the event.
pub fn set_refunds(env: &Env, event_id: &EventId, amount: i128) {
    ttl::set_persistent(env, &key::refunds(env, event_id), &amount);
}

/// The event's settlement, if settled.
pub fn settlement(env: &Env, event_id: &EventId) -> Option<Settlement> {
    ttl::get_persistent(env, &key::settlement(env, event_id))
}

/// Writes the event's settlement.
pub fn set_settlement(env: &Env, event_id: &EventId, settlement: &Settlement) {
    ttl::set_persistent(env, &key::settlement(env, event_id), settlement);
}

/// What a contributor was paid, if it claimed.
pub fn paid(env: &Env, event_id: &EventId, payee: &Address) -> Option<i128> {
    ttl::get_persistent(env, &key::paid(env, event_id, payee))
}

/// Records what a contributor was paid.
pub fn set_paid(env: &Env, event_id: &EventId, payee: &Address, amount: i128) {
    ttl::set_persistent(env, &key::paid(env, event_id, payee), &amount);
}
