//! The ledger's close time without `Ledger::timestamp`'s `Result::unwrap` (which keeps
//! `core::fmt`, ~4 KB, alive in the wasm).

use soroban_env_common::Env as _;
use soroban_sdk::unwrap::{UnwrapInfallible, UnwrapOptimized};
use soroban_sdk::{Env, TryFromVal, Val};

/// The current ledger's close time (seconds since the Unix epoch).
pub fn now(env: &Env) -> u64 {
    let v: Val = env.get_ledger_timestamp().unwrap_infallible().into();
    u64::try_from_val(env, &v).unwrap_optimized()
}
