//! The admin and its two-step transfer.
//!
//! The admin is set once by the contract's `__constructor` ([`set_admin`]). To hand over, the
//! admin proposes a successor ([`transfer_admin`]); nothing changes until the successor accepts
//! ([`accept_admin`]), so a typo can never lock the contract. A new proposal replaces the
//! previous one; proposing the current admin cancels a transfer in progress.

use soroban_sdk::{Address, Env};

use crate::events::{AdminTransferStarted, AdminTransferred};
use crate::{CommonError, CommonKey};

/// Stores `admin` as the contract's admin. Call it from `__constructor` only.
///
/// # Arguments
/// * `admin` - the first admin.
pub fn set_admin(env: &Env, admin: &Address) {
    env.storage().instance().set(&CommonKey::Admin, admin);
}

/// Returns the current admin.
///
/// # Errors
/// * [`CommonError::NotInitialized`] - no admin is stored.
pub fn get_admin(env: &Env) -> Result<Address, CommonError> {
    env.storage()
        .instance()
        .get(&CommonKey::Admin)
        .ok_or(CommonError::NotInitialized)
}

/// Returns the admin proposed by [`transfer_admin`] that has not accepted yet, if any.
pub fn get_pending_admin(env: &Env) -> Option<Address> {
    env.storage().instance().get(&CommonKey::PendingAdmin)
}

/// Requires the current admin's authorization and returns the admin.
///
/// # Errors
/// * [`CommonError::NotInitialized`] - no admin is stored.
/// * host `Error(Auth, …)` - the admin did not authorize the call.
pub fn require_admin(env: &Env) -> Result<Address, CommonError> {
    let admin = get_admin(env)?;
    admin.require_auth();
    Ok(admin)
}

/// Step one: the admin proposes `new_admin`. Proposing the current admin cancels a transfer
/// in progress (and emits nothing).
///
/// # Arguments
/// * `new_admin` - the proposed successor; it must call [`accept_admin`].
///
/// # Errors
/// * [`CommonError::NotInitialized`] - no admin is stored.
/// * host `Error(Auth, …)` - the admin did not authorize the call.
///
/// # Events
/// * [`AdminTransferStarted`] `{ current, pending }` (unless cancelling).
pub fn transfer_admin(env: &Env, new_admin: &Address) -> Result<(), CommonError> {
    let admin = require_admin(env)?;
    if *new_admin == admin {
        env.storage().instance().remove(&CommonKey::PendingAdmin);
        return Ok(());
    }
    env.storage()
        .instance()
        .set(&CommonKey::PendingAdmin, new_admin);
    AdminTransferStarted {
        current: admin,
        pending: new_admin.clone(),
    }
    .publish(env);
    Ok(())
}

/// Step two: the pending admin accepts and becomes the admin.
///
/// # Errors
/// * [`CommonError::NoPendingAdmin`] - no transfer is in progress.
/// * host `Error(Auth, …)` - the pending admin did not authorize the call.
///
/// # Events
/// * [`AdminTransferred`] `{ previous, new_admin }`.
pub fn accept_admin(env: &Env) -> Result<Address, CommonError> {
    let pending = get_pending_admin(env).ok_or(CommonError::NoPendingAdmin)?;
    pending.require_auth();
    let previous = get_admin(env)?;
    env.storage().instance().set(&CommonKey::Admin, &pending);
    env.storage().instance().remove(&CommonKey::PendingAdmin);
    AdminTransferred {
        previous,
        new_admin: pending.clone(),
    }
    .publish(env);
    Ok(pending)
}
