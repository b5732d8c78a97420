//! Storage layout of the revenue contract, with TTL extension on every touch.
//!
//! | key | storage | value |
//! |-----|---------|-------|
//! | `CommonKey::{Admin, PendingAdmin, Paused}` | instance | see `passa-common` |
//! | `DataKey::Config` | instance | [`Config`] |
//! | `DataKey::Refunds(event_id)` | persistent | Σ refunds paid (i128) |
//! | `DataKey::Settlement(event_id)` | persistent | [`Settlement`] |
//! | `DataKey::Paid(event_id, payee)` | persistent | amount paid to a contributor (i128) |

use passa_common::{ttl, EventId};
use soroban_sdk::{contracttype, Address, Env};

use crate::types::{Config, Settlement};

/// Storage keys.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum DataKey {
    Config,
    Refunds(EventId),
    Settlement(EventId),
    Paid(EventId, Address),
}

/// Stores the configuration (constructor only).
pub fn set_config(env: &Env, config: &Config) {
    env.storage().instance().set(&DataKey::Config, config);
}

/// The configuration.
pub fn config(env: &Env) -> Config {
    env.storage().instance().get(&DataKey::Config).unwrap()
}

/// Σ refunds paid for the event.
pub fn refunds(env: &Env, event_id: &EventId) -> i128 {
    ttl::get_persistent(env, &DataKey::Refunds(event_id.clone())).unwrap_or(0)
}

/// Writes Σ refunds paid for the event.
pub fn set_refunds(env: &Env, event_id: &EventId, amount: i128) {
    ttl::set_persistent(env, &DataKey::Refunds(event_id.clone()), &amount);
}

/// The event's settlement, if settled.
pub fn settlement(env: &Env, event_id: &EventId) -> Option<Settlement> {
    ttl::get_persistent(env, &DataKey::Settlement(event_id.clone()))
}

/// Writes the event's settlement.
pub fn set_settlement(env: &Env, event_id: &EventId, settlement: &Settlement) {
    ttl::set_persistent(env, &DataKey::Settlement(event_id.clone()), settlement);
}

/// What a contributor was paid, if it claimed.
pub fn paid(env: &Env, event_id: &EventId, payee: &Address) -> Option<i128> {
    ttl::get_persistent(env, &DataKey::Paid(event_id.clone(), payee.clone()))
}

/// Records what a contributor was paid.
pub fn set_paid(env: &Env, event_id: &EventId, payee: &Address, amount: i128) {
    ttl::set_persistent(
        env,
        &DataKey::Paid(event_id.clone(), payee.clone()),
        &amount,
    );
}
