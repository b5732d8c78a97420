//! Errors of the revenue contract. Codes are stable: never renumber.

use passa_common::CommonError;
use soroban_sdk::contracterror;

/// Every failure of the revenue contract.
///
/// Codes 1–5 are the shared [`CommonError`] codes (same names, same numbers).
#[contracterror]
#[derive(Copy, Clone, Debug, Eq, PartialEq, PartialOrd, Ord)]
#[repr(u32)]
pub enum RevenueError {
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
    /// The event has not ended (or, cancelled, its refund window is still open).
    EventNotOver = 11,
    /// The event is already settled.
    AlreadySettled = 12,
    /// The event is not settled yet.
    NotSettled = 13,
    /// The payee was already paid.
    AlreadyClaimed = 14,
    /// The address has no approved share of the event and is not its organizer.
    NotAPayee = 15,
    /// Nothing is owed to the organizer now.
    NothingToClaim = 16,
    /// Amount ≤ 0.
    InvalidAmount = 17,
    /// Arithmetic overflow.
    Overflow = 18,
    /// Ticketing's totals disagree with the escrow (refunds, or payees over allocation).
    AccountingMismatch = 19,
    /// `distribute` with more than `MAX_DISTRIBUTE` payees.
    BatchTooLarge = 20,
    /// Constructor arguments out of range (fee > 10 000 bps, negative threshold).
    InvalidConfig = 21,
    /// A call to ticketing, attribution or the token failed (e.g. the callee is paused or
    /// the token refused the transfer).
    CallFailed = 22,
}

impl From<CommonError> for RevenueError {
    fn from(e: CommonError) -> Self {
        match e {
            CommonError::NotInitialized => RevenueError::NotInitialized,
            CommonError::Paused => RevenueError::Paused,
            CommonError::NotPaused => RevenueError::NotPaused,
            CommonError::NoPendingAdmin => RevenueError::NoPendingAdmin,
            CommonError::InvalidTtl => RevenueError::InvalidTtl,
        }
    }
}
