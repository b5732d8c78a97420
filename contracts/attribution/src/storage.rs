//! Storage layout of the attribution contract, with TTL extension on every touch.
//!
//! | key | storage | value |
//! |-----|---------|-------|
//! | `CommonKey::{Admin, PendingAdmin, Paused}` | instance | see `passa-common` |
//! | `DataKey::Ticketing`, `DataKey::Revenue` | instance | wired addresses |
//! | `DataKey::Totals(event_id)` | persistent | [`EventTotals`] |
//! | `DataKey::Contribution(event_id, contributor)` | persistent | [`Contribution`] |

use passa_common::{ttl, EventId};
use soroban_sdk::{contracttype, Address, Env};

use crate::types::{Contribution, EventTotals};

/// Storage keys.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum DataKey {
    Ticketing,
    Revenue,
    Totals(EventId),
    Contribution(EventId, Address),
}

/// Stores the wired contracts (constructor only).
pub fn set_wiring(env: &Env, ticketing: &Address, revenue: &Address) {
    env.storage().instance().set(&DataKey::Ticketing, ticketing);
    env.storage().instance().set(&DataKey::Revenue, revenue);
}

/// The ticketing contract.
pub fn ticketing(env: &Env) -> Address {
    env.storage().instance().get(&DataKey::Ticketing).unwrap()
}

/// The revenue contract.
pub fn revenue(env: &Env) -> Address {
    env.storage().instance().get(&DataKey::Revenue).unwrap()
}

/// An event's totals (zero when none were written yet).
pub fn totals(env: &Env, event_id: &EventId) -> EventTotals {
    ttl::get_persistent(env, &DataKey::Totals(event_id.clone())).unwrap_or_default()
}

/// Writes an event's totals.
pub fn set_totals(env: &Env, event_id: &EventId, totals: &EventTotals) {
    ttl::set_persistent(env, &DataKey::Totals(event_id.clone()), totals);
}

/// A contribution, if any.
pub fn contribution(env: &Env, event_id: &EventId, contributor: &Address) -> Option<Contribution> {
    ttl::get_persistent(
        env,
        &DataKey::Contribution(event_id.clone(), contributor.clone()),
    )
}

/// Writes a contribution.
pub fn set_contribution(env: &Env, event_id: &EventId, contributor: &Address, c: &Contribution) {
    ttl::set_persistent(
        env,
        &DataKey::Contribution(event_id.clone(), contributor.clone()),
        c,
    );
}
