//! Failures of the ticketing contract.
//!
//! Codes 1–9 are the shared helpers' ([`passa_common::CommonError`]), with the same numbers
//! and names in every Passa contract. The codes are part of the public interface: never
//! renumber them.
//!
//! | range | concern |
//! |------:|---------|
//! | 1–9 | admin, pause (shared) |
//! | 10–19 | SEP-50 token |
//! | 20–39 | organizers, events, configuration |
//! | 40–49 | sale |
//! | 50–59 | movement rules, resale |
//! | 60–69 | check-in, cancellation, postponement, refunds, referrals |

use passa_common::CommonError;
use soroban_sdk::contracterror;

/// Every failure of the ticketing contract.
#[contracterror]
#[derive(Copy, Clone, Debug, Eq, PartialEq, PartialOrd, Ord)]
#[repr(u32)]
pub enum TicketingError {
    /// No admin is stored (cannot happen after `__constructor`).
    NotInitialized = 1,
    /// The contract is paused and the call moves money or tickets.
    Paused = 2,
    /// `unpause` while not paused.
    NotPaused = 3,
    /// `accept_admin` with no admin transfer in progress.
    NoPendingAdmin = 4,
    /// Reserved by the shared helpers.
    InvalidTtl = 5,

    /// The token does not exist (never minted, or burned by a refund).
    NonExistentToken = 10,
    /// The given owner does not hold the token.
    IncorrectOwner = 11,
    /// The spender is neither the owner, nor approved for the token, nor an operator.
    InsufficientApproval = 12,
    /// The approver is neither the owner nor one of the owner's operators.
    InvalidApprover = 13,
    /// `live_until_ledger` is in the past or more than 120 days ahead.
    InvalidLiveUntilLedger = 14,
    /// `purchase`: the token id range `first_token_id .. first_token_id + quantity − 1` passes
    /// `u32::MAX`.
    TokenIdOverflow = 15,
    /// `purchase`: a token id of the range is already minted (ids are never reused, not even
    /// after a refund); choose other ids and try again.
    TokenIdTaken = 16,

    /// The organizer is not verified by the admin (seed rule: publication needs verification).
    OrganizerNotVerified = 20,
    /// `verify_organizer` for an organizer already verified.
    OrganizerAlreadyVerified = 21,
    /// An event with this id already exists.
    EventExists = 22,
    /// No event with this id.
    EventNotFound = 23,
    /// The caller is not the event's organizer.
    NotOrganizer = 24,
    /// No tiers, or more than [`crate::storage::MAX_TIERS`].
    InvalidTierCount = 25,
    /// A tier with a negative price, zero supply or zero per-wallet limit.
    InvalidTier = 26,
    /// Two tiers with the same code.
    DuplicateTierCode = 27,
    /// Times out of order: needs `sales_start < sales_end ≤ end`, `start < end`, `end > now`.
    InvalidSchedule = 28,
    /// Resale cap below 10 000 bps (100 % of face value).
    InvalidResaleCap = 29,
    /// A basis-point value above 10 000.
    InvalidBps = 30,
    /// Metadata URI empty or longer than [`crate::storage::MAX_URI_LEN`].
    InvalidMetadataUri = 31,

    /// No tier with this index in the event.
    TierNotFound = 40,
    /// Quantity zero or above [`crate::storage::MAX_PER_PURCHASE`].
    InvalidQuantity = 41,
    /// Not enough tickets left in the tier.
    SoldOut = 42,
    /// The purchase would take the wallet past the tier's per-wallet limit.
    WalletLimitExceeded = 43,
    /// Now is outside the event's sales window.
    SalesClosed = 44,
    /// The buyer named itself as referrer.
    SelfReferral = 45,
    /// An amount does not fit (checked arithmetic).
    Overflow = 46,
    /// The SEP-41 payment failed (e.g. the payer's balance is too low).
    PaymentFailed = 47,

    /// The event is cancelled.
    EventCancelled = 50,
    /// The event has ended.
    EventEnded = 51,
    /// The event's tickets are not transferable.
    NotTransferable = 52,
    /// The ticket has been used (checked in).
    TicketUsed = 53,
    /// The event's tickets may not be resold.
    NotResaleable = 54,
    /// Resale price above face value × resale cap.
    PriceAboveCap = 55,
    /// A price of zero or less.
    InvalidPrice = 56,
    /// The ticket has no live listing.
    NotListed = 57,
    /// The buyer of a listing is its seller.
    BuyerIsSeller = 58,

    /// The operator is neither the organizer nor one of its gate operators.
    NotGateOperator = 60,
    /// Check-in outside the event's start–end window.
    OutsideEventWindow = 61,
    /// The event is already cancelled.
    AlreadyCancelled = 62,
    /// Postponement to an invalid window (must be later, `new_end > new_start > now`).
    InvalidPostponement = 63,
    /// The ticket cannot be refunded: the event is neither cancelled nor refundably postponed.
    RefundNotAllowed = 64,
    /// The refund deadline has passed.
    RefundWindowClosed = 65,
    /// The revenue contract did not pay the refund (e.g. the event is already settled).
    RefundPaymentFailed = 66,
}

impl From<CommonError> for TicketingError {
    fn from(err: CommonError) -> Self {
        match err {
            CommonError::NotInitialized => TicketingError::NotInitialized,
            CommonError::Paused => TicketingError::Paused,
            CommonError::NotPaused => TicketingError::NotPaused,
            CommonError::NoPendingAdmin => TicketingError::NoPendingAdmin,
            CommonError::InvalidTtl => TicketingError::InvalidTtl,
        }
    }
}
