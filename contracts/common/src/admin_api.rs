//! The admin, pause and upgrade entry points every Passa contract exports, written once.
//!
//! A contract exports them with
//!
//! ```ignore
//! #[contractimpl(contracttrait)]
//! impl passa_common::admin_api::AdminApi for MyContract {}
//! ```
//!
//! `#[contracttrait]` (soroban-sdk ≥ 23.4) turns every default function of the trait into an
//! exported contract function of the implementing contract, with its spec entry and a method
//! on the contract's own generated client (`MyContractClient::pause`, …); a second client,
//! [`AdminApiClient`], calls the same functions on any of the three contracts.
//!
//! The functions fail with [`CommonError`](crate::CommonError), whose codes 1–5 are the codes every Passa
//! contract reserves for the same failures in its own error enum, so a caller sees the same
//! `Error(Contract, n)` as before. Each extends the instance TTL.

use soroban_sdk::contracttrait;

use crate::{admin, pause, ttl, upgrade};

// The signatures below name every type by its full path: `#[contracttrait]` re-emits them in
// the implementing contract's crate, where only full paths resolve (`passa_common` is this
// crate's own name too, see lib.rs).

/// Admin two-step transfer, pause and upgrade, as exported by every Passa contract.
#[contracttrait]
pub trait AdminApi {
    /// The current admin.
    ///
    /// # Errors
    /// * `NotInitialized` - no admin is stored (cannot happen after the constructor).
    fn admin(env: soroban_sdk::Env) -> Result<soroban_sdk::Address, passa_common::CommonError> {
        ttl::extend_instance(&env);
        admin::get_admin(&env)
    }

    /// The admin proposed by `transfer_admin` that has not accepted yet, if any.
    fn pending_admin(env: soroban_sdk::Env) -> Option<soroban_sdk::Address> {
        ttl::extend_instance(&env);
        admin::get_pending_admin(&env)
    }

    /// Step one of the admin handover: the admin proposes `new_admin`, who must then call
    /// `accept_admin`. Proposing the current admin cancels a handover in progress.
    ///
    /// # Errors
    /// * host `Error(Auth, …)` - not signed by the admin.
    ///
    /// # Events
    /// * `admin_transfer_started` `[current] {pending}` (not when cancelling).
    fn transfer_admin(
        env: soroban_sdk::Env,
        new_admin: soroban_sdk::Address,
    ) -> Result<(), passa_common::CommonError> {
        ttl::extend_instance(&env);
        admin::transfer_admin(&env, &new_admin)
    }

    /// Step two of the admin handover: the proposed admin accepts.
    ///
    /// # Errors
    /// * `NoPendingAdmin`; host `Error(Auth, …)` - not signed by the proposed admin.
    ///
    /// # Events
    /// * `admin_transferred` `[previous] {new_admin}`
    fn accept_admin(env: soroban_sdk::Env) -> Result<(), passa_common::CommonError> {
        ttl::extend_instance(&env);
        admin::accept_admin(&env).map(|_| ())
    }

    /// Whether the contract is paused.
    fn paused(env: soroban_sdk::Env) -> bool {
        ttl::extend_instance(&env);
        pause::is_paused(&env)
    }

    /// Stops every path that moves money or tickets; admin only.
    ///
    /// # Errors
    /// * `Paused` - already paused; host `Error(Auth, …)` - not the admin.
    ///
    /// # Events
    /// * `paused` `{admin}`
    fn pause(env: soroban_sdk::Env) -> Result<(), passa_common::CommonError> {
        ttl::extend_instance(&env);
        pause::pause(&env)
    }

    /// Lifts the pause; admin only.
    ///
    /// # Errors
    /// * `NotPaused`; host `Error(Auth, …)` - not the admin.
    ///
    /// # Events
    /// * `unpaused` `{admin}`
    fn unpause(env: soroban_sdk::Env) -> Result<(), passa_common::CommonError> {
        ttl::extend_instance(&env);
        pause::unpause(&env)
    }

    /// Replaces the contract's code with the uploaded wasm `wasm_hash`; admin only.
    ///
    /// # Errors
    /// * host `Error(Auth, …)` - not the admin; host `Error(Storage, …)` - unknown hash.
    ///
    /// # Events
    /// * `upgraded` `{wasm_hash}`
    fn upgrade(
        env: soroban_sdk::Env,
        wasm_hash: soroban_sdk::BytesN<32>,
    ) -> Result<(), passa_common::CommonError> {
        ttl::extend_instance(&env);
        upgrade::upgrade(&env, &wasm_hash)
    }
}
