//! Cross-contract calls without the SDK client's panicking conversions.
//!
//! The generated clients (and `TokenClient`) unwrap the callee's answer with `Result::unwrap`,
//! which drags `core::fmt` (about 4 KB of code) into the wasm. These helpers use
//! `try_invoke_contract` and report any failure — the callee's error, a trap, or an answer of
//! the wrong type — as `None`, which the caller maps to its own error code.

use soroban_sdk::{Address, Env, IntoVal, Symbol, TryFromVal, Val, Vec};

/// Calls `contract.func(args)` and converts the answer to `T`; `None` on any failure.
pub fn try_call<T: TryFromVal<Env, Val>>(
    env: &Env,
    contract: &Address,
    func: &str,
    args: Vec<Val>,
) -> Option<T> {
    let func = Symbol::new(env, func);
    match env.try_invoke_contract::<Val, soroban_sdk::Error>(contract, &func, args) {
        Ok(Ok(val)) => T::try_from_val(env, &val).ok(),
        _ => None,
    }
}

/// SEP-41 `transfer(from, to, amount)` on `token`; `false` if it failed.
pub fn transfer(env: &Env, token: &Address, from: &Address, to: &Address, amount: i128) -> bool {
    let args = (from, to, amount).into_val(env);
    try_call::<()>(env, token, "transfer", args).is_some()
}
