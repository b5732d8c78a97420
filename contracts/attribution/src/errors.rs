//! Errors of the attribution contract. Codes are stable: never renumber.

use passa_common::CommonError;
use soroban_sdk::contracterror;

/// Every failure of the attribution contract.
///
/// Codes 1–5 are the shared [`CommonError`] codes (same names, same numbers).
#[contracterror]
#[derive(Copy, Clone, Debug, Eq, PartialEq, PartialOrd, Ord)]
#[repr(u32)]
pub enum AttributionError {
    /// No admin stored.
    NotInitialized = 1,
    /// The contract is paused.
    Paused = 2,
    /// `unpause` while not paused.
    NotPaused = 3,
    /// `accept_admin` with no transfer in progress.
    NoPendingAdmin = 4,
    /// Reserved (TTL configuration).
    InvalidTtl = 5,
    /// Ticketing does not know the event.
    EventNotFound = 10,
    /// The event's attribution was locked by settlement.
    EventLocked = 11,
    /// The share is out of range (bps not in 1..=10 000, fixed amount ≤ 0).
    InvalidShare = 12,
    /// Pending + approved percentage shares would exceed 100 %.
    PercentageOverflow = 13,
    /// The contributor already has a pending or approved contribution for the event.
    ContributionExists = 14,
    /// No contribution for this contributor and event.
    ContributionNotFound = 15,
    /// The contribution is not pending.
    NotPending = 16,
    /// The organizer cannot be a contributor of its own event (it gets the remainder).
    OrganizerCannotContribute = 17,
    /// Arithmetic overflow.
    Overflow = 18,
    /// The caller is not the party whose consent the contribution awaits.
    WrongParty = 19,
    /// A call to the ticketing contract failed (e.g. it refused the referral rate).
    CallFailed = 20,
}

impl From<CommonError> for AttributionError {
    fn from(e: CommonError) -> Self {
        match e {
            CommonError::NotInitialized => AttributionError::NotInitialized,
            CommonError::Paused => AttributionError::Paused,
            CommonError::NotPaused => AttributionError::NotPaused,
            CommonError::NoPendingAdmin => AttributionError::NoPendingAdmin,
            CommonError::InvalidTtl => AttributionError::InvalidTtl,
        }
    }
}
