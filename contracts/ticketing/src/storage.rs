//! Storage layout of the ticketing contract, and TTL handling.
//!
//! Keys are vectors `[Symbol, fields…]` (see [`key`]), except the three entries the hot paths
//! touch most, keyed by the bare value: an event by its id (`Bytes`), a balance by the
//! holder's `Address`, a ticket by its id (`U32`). A bare key needs no vector object built or
//! converted, and it is a smaller ledger key to look up; in the test host this saved ~36k
//! instructions on `purchase`, ~72k on `transfer` and ~32k on `check_in` (COSTS.md). They
//! cannot collide: no other persistent key is a bare `Bytes`, `Address` or `U32`.
//!
//! | key | storage | value | written by |
//! |-----|---------|-------|------------|
//! | `Revenue`, `Attrib`, `Name`, `Symbol` | instance | wiring and metadata | constructor |
//! | `Organizer(addr)` | persistent | `bool` | verify / revoke |
//! | `id` (bare `Bytes(16)`) | persistent | [`EventRecord`] | create, postpone, cancel |
//! | `Tier(id, tier)` | persistent | [`Tier`] (config, sold, money totals) | create, purchase, resale, refund |
//! | `Bought(id, tier, wallet)` | persistent | `u32` tickets bought | purchase |
//! | `addr` (bare `Address`) | persistent | `u32` tickets held | every move |
//! | `token` (bare `U32`) | persistent | [`Ticket`] (never deleted) | purchase (at ids the buyer chose), moves, check-in, refund |
//! | `RefRate(id, referrer)` | persistent | `u32` bps | attribution |
//! | `Commissn(id, referrer)` | persistent | `i128` owed | purchase, refund |
//! | `GateOp(id, operator)` | persistent | `bool` | organizer |
//! | `Approval(token)` | temporary | [`Approval`] | approve |
//! | `Operator(owner, operator)` | temporary | `u32` live until ledger | approve_for_all |
//! | `Listing(token)` | temporary | [`Listing`] | list |
//!
//! Persistent entries are extended (shared policy of [`passa_common::ttl`]) whenever they are
//! read or written; the instance on every call. Approvals and listings carry their own expiry
//! ledger and their TTL is set once, to that ledger, when written: reading them never prolongs
//! them.

use passa_common::ttl::{extend_persistent, PERSISTENT_EXTEND_TO, PERSISTENT_TTL_THRESHOLD};
use passa_common::EventId;
use soroban_sdk::{Address, Env, IntoVal, String, TryFromVal, Val};

use crate::errors::TicketingError;
use crate::types::{EventRecord, Ticket, Tier};

/// Most tiers per event (bounds `create_event` and `event_ledger`).
pub const MAX_TIERS: u32 = 16;
/// Most tickets per purchase (bounds the mint loop).
pub const MAX_PER_PURCHASE: u32 = 10;
/// Longest metadata URI, bytes.
pub const MAX_URI_LEN: u32 = 256;
/// How long refunds stay open after a cancellation, seconds (30 days).
pub const REFUND_WINDOW_SECS: u64 = 30 * 24 * 3600;
/// How long a listing lives, ledgers (7 days at 5 s).
pub const LISTING_LEDGERS: u32 = 7 * passa_common::ttl::DAY_IN_LEDGERS;
/// Longest approval, ledgers (120 days: within every network's maximum entry TTL, and no
/// host call needed to check it).
pub const MAX_APPROVAL_LEDGERS: u32 = 120 * passa_common::ttl::DAY_IN_LEDGERS;

/// Storage keys of the ticketing contract, one function per key.
///
/// Each key is a vector `[Symbol, fields…]` built from `symbol_short!` constants. A derived
/// `#[contracttype]` key enum costs ~20k instructions per conversion on wasm (and even a
/// hand-written `match` over all keys ~10k); these small functions cost ~2k, and the helpers
/// below take the converted key so get + set + extend convert it once.
pub mod key {
    use passa_common::EventId;
    use soroban_sdk::{symbol_short, Address, Env, IntoVal, Val};

    /// Instance: the revenue contract.
    pub fn revenue(env: &Env) -> Val {
        (symbol_short!("Revenue"),).into_val(env)
    }
    /// Instance: the attribution contract.
    pub fn attribution(env: &Env) -> Val {
        (symbol_short!("Attrib"),).into_val(env)
    }
    /// Instance: the collection name.
    pub fn name(env: &Env) -> Val {
        (symbol_short!("Name"),).into_val(env)
    }
    /// Instance: the collection symbol.
    pub fn symbol(env: &Env) -> Val {
        (symbol_short!("Symbol"),).into_val(env)
    }
    /// Persistent: an organizer's verification.
    pub fn organizer(env: &Env, organizer: Address) -> Val {
        (symbol_short!("Organizer"), organizer).into_val(env)
    }
    /// Persistent: an event record, keyed by the bare event id (no other key is a `Bytes`).
    pub fn event(_env: &Env, event_id: EventId) -> Val {
        event_id.to_val()
    }
    /// Persistent: a tier of an event.
    pub fn tier(env: &Env, event_id: EventId, tier: u32) -> Val {
        (symbol_short!("Tier"), event_id, tier).into_val(env)
    }
    /// Persistent: tickets of a tier bought by a wallet.
    pub fn bought(env: &Env, event_id: EventId, tier: u32, wallet: Address) -> Val {
        (symbol_short!("Bought"), event_id, tier, wallet).into_val(env)
    }
    /// Persistent: tickets held by an account, keyed by the bare address (no other key is an
    /// `Address`).
    pub fn balance(_env: &Env, owner: Address) -> Val {
        owner.to_val()
    }
    /// Persistent: a ticket. The bare token id (`U32`), the one key that is not a vector:
    /// no host object to build or convert, and a smaller ledger key to compare, on the entry
    /// every purchase, move, check-in and refund touches. No other persistent key is a `U32`.
    pub fn ticket(_env: &Env, token_id: u32) -> Val {
        token_id.into()
    }
    /// Persistent: a referrer's commission rate for an event.
    pub fn referral_rate(env: &Env, event_id: EventId, referrer: Address) -> Val {
        (symbol_short!("RefRate"), event_id, referrer).into_val(env)
    }
    /// Persistent: commission owed to a referrer for an event.
    pub fn commission(env: &Env, event_id: EventId, referrer: Address) -> Val {
        (symbol_short!("Commissn"), event_id, referrer).into_val(env)
    }
    /// Persistent: a gate operator of an event.
    pub fn gate_operator(env: &Env, event_id: EventId, operator: Address) -> Val {
        (symbol_short!("GateOp"), event_id, operator).into_val(env)
    }
    /// Temporary: a single-token approval.
    pub fn approval(env: &Env, token_id: u32) -> Val {
        (symbol_short!("Approval"), token_id).into_val(env)
    }
    /// Temporary: an operator approval.
    pub fn approval_for_all(env: &Env, owner: Address, operator: Address) -> Val {
        (symbol_short!("Operator"), owner, operator).into_val(env)
    }
    /// Temporary: a listing.
    pub fn listing(env: &Env, token_id: u32) -> Val {
        (symbol_short!("Listing"), token_id).into_val(env)
    }
}

// ---------------------------------------------------------------- generic persistent helpers

/// Reads a persistent entry without extending it (use when the caller writes it back).
pub fn peek<V: TryFromVal<Env, Val>>(env: &Env, key: &Val) -> Option<V> {
    env.storage().persistent().get(key)
}

/// Reads a persistent entry and extends its TTL when it exists.
pub fn load<V: TryFromVal<Env, Val>>(env: &Env, key: &Val) -> Option<V> {
    let value = env.storage().persistent().get(key);
    if value.is_some() {
        extend_persistent(env, key);
    }
    value
}

/// Writes a persistent entry and extends its TTL.
pub fn save<V: IntoVal<Env, Val>>(env: &Env, key: &Val, value: &V) {
    env.storage().persistent().set(key, value);
    env.storage()
        .persistent()
        .extend_ttl(key, PERSISTENT_TTL_THRESHOLD, PERSISTENT_EXTEND_TO);
}

/// Removes a persistent entry.
pub fn drop_entry(env: &Env, key: &Val) {
    env.storage().persistent().remove(key);
}

// ---------------------------------------------------------------- instance

/// Address of the revenue contract (escrow).
pub fn revenue(env: &Env) -> Address {
    instance_get(env, &key::revenue(env))
}

/// Address of the attribution contract.
pub fn attribution(env: &Env) -> Address {
    instance_get(env, &key::attribution(env))
}

/// Collection name (SEP-50).
pub fn name(env: &Env) -> String {
    instance_get(env, &key::name(env))
}

/// Collection symbol (SEP-50).
pub fn symbol(env: &Env) -> String {
    instance_get(env, &key::symbol(env))
}

fn instance_get<V: TryFromVal<Env, Val>>(env: &Env, key: &Val) -> V {
    // Written by the constructor, so always present.
    env.storage()
        .instance()
        .get(key)
        .unwrap_or_else(|| soroban_sdk::panic_with_error!(env, TicketingError::NotInitialized))
}

// ---------------------------------------------------------------- typed accessors

/// Loads an event (extending it).
///
/// # Errors
/// * [`TicketingError::EventNotFound`]
pub fn load_event(env: &Env, event_id: &EventId) -> Result<EventRecord, TicketingError> {
    load(env, &key::event(env, event_id.clone())).ok_or(TicketingError::EventNotFound)
}

/// Writes an event.
pub fn save_event(env: &Env, event_id: &EventId, event: &EventRecord) {
    save(env, &key::event(env, event_id.clone()), event);
}

/// Reads a tier for update (no extension; [`save_tier`] extends).
///
/// # Errors
/// * [`TicketingError::TierNotFound`]
pub fn peek_tier(env: &Env, event_id: &EventId, tier: u32) -> Result<Tier, TicketingError> {
    peek(env, &key::tier(env, event_id.clone(), tier)).ok_or(TicketingError::TierNotFound)
}

/// Reads a tier (extending it).
///
/// # Errors
/// * [`TicketingError::TierNotFound`]
pub fn load_tier(env: &Env, event_id: &EventId, tier: u32) -> Result<Tier, TicketingError> {
    load(env, &key::tier(env, event_id.clone(), tier)).ok_or(TicketingError::TierNotFound)
}

/// Writes a tier.
pub fn save_tier(env: &Env, event_id: &EventId, index: u32, tier: &Tier) {
    save(env, &key::tier(env, event_id.clone(), index), tier);
}

/// Reads a ticket for update (no extension; [`save_ticket`] extends).
///
/// # Errors
/// * [`TicketingError::NonExistentToken`]
#[inline(never)]
pub fn peek_ticket(env: &Env, token_id: u32) -> Result<Ticket, TicketingError> {
    peek(env, &key::ticket(env, token_id)).ok_or(TicketingError::NonExistentToken)
}

/// Reads a ticket (extending it).
///
/// # Errors
/// * [`TicketingError::NonExistentToken`]
#[inline(never)]
pub fn load_ticket(env: &Env, token_id: u32) -> Result<Ticket, TicketingError> {
    load(env, &key::ticket(env, token_id)).ok_or(TicketingError::NonExistentToken)
}

/// Writes a ticket.
#[inline(never)]
pub fn save_ticket(env: &Env, token_id: u32, ticket: &Ticket) {
    save(env, &key::ticket(env, token_id), ticket);
}

/// Tickets held by `owner`, without extending.
pub fn peek_balance(env: &Env, owner: &Address) -> u32 {
    peek(env, &key::balance(env, owner.clone())).unwrap_or(0)
}

/// Adds `delta` tickets to `owner`'s balance (checked).
///
/// # Errors
/// * [`TicketingError::Overflow`]
pub fn add_balance(env: &Env, owner: &Address, delta: u32) -> Result<(), TicketingError> {
    let key: Val = key::balance(env, owner.clone()).into_val(env);
    let store = env.storage().persistent();
    let balance: u32 = store.get(&key).unwrap_or(0);
    let balance = balance.checked_add(delta).ok_or(TicketingError::Overflow)?;
    store.set(&key, &balance);
    store.extend_ttl(&key, PERSISTENT_TTL_THRESHOLD, PERSISTENT_EXTEND_TO);
    Ok(())
}

/// Removes one ticket from `owner`'s balance; the entry is deleted at zero.
///
/// # Errors
/// * [`TicketingError::Overflow`] - the balance is already zero (cannot happen).
pub fn sub_balance(env: &Env, owner: &Address) -> Result<(), TicketingError> {
    let key: Val = key::balance(env, owner.clone()).into_val(env);
    let store = env.storage().persistent();
    let balance: u32 = store.get(&key).unwrap_or(0);
    match balance.checked_sub(1).ok_or(TicketingError::Overflow)? {
        0 => store.remove(&key),
        left => {
            store.set(&key, &left);
            store.extend_ttl(&key, PERSISTENT_TTL_THRESHOLD, PERSISTENT_EXTEND_TO);
        }
    }
    Ok(())
}
