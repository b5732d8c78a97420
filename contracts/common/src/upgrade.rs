//! Code upgrade by the admin. The new code keeps the contract's address and storage; a
//! migration, if one is needed, is the new code's business.

use soroban_sdk::{BytesN, Env};

use crate::admin::require_admin;
use crate::events::Upgraded;
use crate::CommonError;

/// Replaces the contract's wasm with the uploaded code `wasm_hash`; admin only.
///
/// # Arguments
/// * `wasm_hash` - hash of wasm already uploaded to the network.
///
/// # Errors
/// * [`CommonError::NotInitialized`] - no admin is stored.
/// * host `Error(Auth, …)` - the admin did not authorize the call.
/// * host `Error(Storage, …)` - no code with that hash was uploaded.
///
/// # Events
/// * [`Upgraded`] `{ wasm_hash }`.
pub fn upgrade(env: &Env, wasm_hash: &BytesN<32>) -> Result<(), CommonError> {
    require_admin(env)?;
    Upgraded {
        wasm_hash: wasm_hash.clone(),
    }
    .publish(env);
    // Deprecated in favour of `update_current_contract(ContractExecutable::Wasm(..))`, which
    // also links its external-reference branch: two more host imports
    // (`create_executable_tag`, `update_current_contract_executable_ref`), and instantiation
    // charges every import (~6.5k instructions each) on *every* call of the contract. We only
    // ever install wasm, so the wasm-only call does the same for less (REQUESTS.md item 4).
    #[allow(deprecated)]
    env.deployer()
        .update_current_contract_wasm(wasm_hash.clone());
    Ok(())
}
