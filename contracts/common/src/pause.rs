//! Emergency stop. While paused, every function that moves money or tickets fails with
//! [`CommonError::Paused`]; getters and admin functions keep working.

use soroban_sdk::Env;

use crate::admin::require_admin;
use crate::events::{Paused, Unpaused};
use crate::{CommonError, CommonKey};

/// Whether the contract is paused.
pub fn is_paused(env: &Env) -> bool {
    env.storage().instance().has(&CommonKey::Paused)
}

/// Fails when the contract is paused. Call it first in every money or ticket path.
///
/// # Errors
/// * [`CommonError::Paused`] - the contract is paused.
pub fn when_not_paused(env: &Env) -> Result<(), CommonError> {
    if is_paused(env) {
        Err(CommonError::Paused)
    } else {
        Ok(())
    }
}

/// Pauses the contract; admin only.
///
/// # Errors
/// * [`CommonError::Paused`] - already paused.
/// * [`CommonError::NotInitialized`] - no admin is stored.
/// * host `Error(Auth, …)` - the admin did not authorize the call.
///
/// # Events
/// * [`Paused`] `{ admin }`.
pub fn pause(env: &Env) -> Result<(), CommonError> {
    let admin = require_admin(env)?;
    when_not_paused(env)?;
    env.storage().instance().set(&CommonKey::Paused, &true);
    Paused { admin }.publish(env);
    Ok(())
}

/// Unpauses the contract; admin only.
///
/// # Errors
/// * [`CommonError::NotPaused`] - not paused.
/// * [`CommonError::NotInitialized`] - no admin is stored.
/// * host `Error(Auth, …)` - the admin did not authorize the call.
///
/// # Events
/// * [`Unpaused`] `{ admin }`.
pub fn unpause(env: &Env) -> Result<(), CommonError> {
    let admin = require_admin(env)?;
    if !is_paused(env) {
        return Err(CommonError::NotPaused);
    }
    env.storage().instance().remove(&CommonKey::Paused);
    Unpaused { admin }.publish(env);
    Ok(())
}
