//! Failures of the shared helpers.
//!
//! Every Passa contract reserves the codes 1–9 of its own `#[contracterror]` enum for these
//! values, with the **same numbers and names**, and implements `From<CommonError>` for its enum,
//! so that `?` maps a helper's failure into the contract's error without renumbering. The codes
//! are part of the contracts' public interface: never renumber them.
//!
//! | code | name | meaning |
//! |-----:|------|---------|
//! | 1 | `NotInitialized` | no admin is stored (cannot happen after `__constructor`) |
//! | 2 | `Paused` | the contract is paused; the call moves money or tickets |
//! | 3 | `NotPaused` | `unpause` while not paused |
//! | 4 | `NoPendingAdmin` | `accept_admin` with no transfer in progress |
//! | 5 | `InvalidTtl` | reserved (TTL configuration out of range) |
//!
//! Authorization failures (`require_auth` of the wrong address) are host errors
//! (`Error(Auth, InvalidAction)`), not contract errors: they abort the whole transaction.

/// The failures of the shared helpers; see the module documentation for the code table.
///
/// A `#[contracterror]`: the shared entry points ([`crate::admin_api::AdminApi`]) return it
/// directly.
#[soroban_sdk::contracterror]
#[derive(Copy, Clone, Debug, Eq, PartialEq, PartialOrd, Ord)]
#[repr(u32)]
pub enum CommonError {
    /// No admin is stored.
    NotInitialized = 1,
    /// The contract is paused.
    Paused = 2,
    /// `unpause` was called while the contract was not paused.
    NotPaused = 3,
    /// `accept_admin` was called with no admin transfer in progress.
    NoPendingAdmin = 4,
    /// Reserved for TTL configuration errors.
    InvalidTtl = 5,
}

impl CommonError {
    /// The stable numeric code of this error (the same in every Passa contract).
    pub const fn code(self) -> u32 {
        self as u32
    }
}
