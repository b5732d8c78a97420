//! TTL (time-to-live) policy shared by the Passa contracts.
//!
//! Every read or write of an entry extends its TTL: when the remaining TTL has fallen below the
//! *threshold*, it is raised back to *extend-to*. The instance (config, admin, pause flag and the
//! contract code) is extended on every call of a public function.
//!
//! | storage | threshold | extend to | used for |
//! |---------|----------:|----------:|----------|
//! | instance | 30 days | 120 days | small config: admin, wiring, fee, pause |
//! | persistent | 30 days | 120 days | per-event and per-account entries |
//! | temporary | 1 day | 7 days | approvals, listings |
//!
//! 120 days stays below the network's maximum entry TTL (about 180 days on mainnet). Anyone can
//! also extend an entry with an `ExtendFootprintTTLOp`, e.g. before a long-dormant event settles.

use soroban_sdk::{Env, IntoVal, TryFromVal, Val};

/// Ledgers closed per day at the nominal 5 s close time.
pub const DAY_IN_LEDGERS: u32 = 17_280;

/// Instance: extend when fewer than this many ledgers remain.
pub const INSTANCE_TTL_THRESHOLD: u32 = 30 * DAY_IN_LEDGERS;
/// Instance: extend to this many ledgers.
pub const INSTANCE_EXTEND_TO: u32 = 120 * DAY_IN_LEDGERS;

/// Persistent entries: extend when fewer than this many ledgers remain.
pub const PERSISTENT_TTL_THRESHOLD: u32 = 30 * DAY_IN_LEDGERS;
/// Persistent entries: extend to this many ledgers.
pub const PERSISTENT_EXTEND_TO: u32 = 120 * DAY_IN_LEDGERS;

/// Temporary entries: extend when fewer than this many ledgers remain.
pub const TEMPORARY_TTL_THRESHOLD: u32 = DAY_IN_LEDGERS;
/// Temporary entries: extend to this many ledgers.
pub const TEMPORARY_EXTEND_TO: u32 = 7 * DAY_IN_LEDGERS;

/// Extends the contract instance (and its code) per the instance policy.
pub fn extend_instance(env: &Env) {
    env.storage()
        .instance()
        .extend_ttl(INSTANCE_TTL_THRESHOLD, INSTANCE_EXTEND_TO);
}

/// Extends a persistent entry per the persistent policy. The entry must exist.
pub fn extend_persistent<K: IntoVal<Env, Val>>(env: &Env, key: &K) {
    env.storage()
        .persistent()
        .extend_ttl(key, PERSISTENT_TTL_THRESHOLD, PERSISTENT_EXTEND_TO);
}

/// Extends a temporary entry per the temporary policy. The entry must exist.
pub fn extend_temporary<K: IntoVal<Env, Val>>(env: &Env, key: &K) {
    env.storage()
        .temporary()
        .extend_ttl(key, TEMPORARY_TTL_THRESHOLD, TEMPORARY_EXTEND_TO);
}

/// Reads a persistent entry and, when it exists, extends its TTL.
pub fn get_persistent<K, V>(env: &Env, key: &K) -> Option<V>
where
    K: IntoVal<Env, Val>,
    V: TryFromVal<Env, Val>,
{
    let value = env.storage().persistent().get::<K, V>(key);
    if value.is_some() {
        extend_persistent(env, key);
    }
    value
}

/// Writes a persistent entry and extends its TTL.
pub fn set_persistent<K, V>(env: &Env, key: &K, value: &V)
where
    K: IntoVal<Env, Val>,
    V: IntoVal<Env, Val>,
{
    env.storage().persistent().set(key, value);
    extend_persistent(env, key);
}

/// Reads a temporary entry and, when it exists, extends its TTL.
pub fn get_temporary<K, V>(env: &Env, key: &K) -> Option<V>
where
    K: IntoVal<Env, Val>,
    V: TryFromVal<Env, Val>,
{
    let value = env.storage().temporary().get::<K, V>(key);
    if value.is_some() {
        extend_temporary(env, key);
    }
    value
}

/// Writes a temporary entry and extends its TTL.
pub fn set_temporary<K, V>(env: &Env, key: &K, value: &V)
where
    K: IntoVal<Env, Val>,
    V: IntoVal<Env, Val>,
{
    env.storage().temporary().set(key, value);
    extend_temporary(env, key);
}
