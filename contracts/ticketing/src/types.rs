//! The ticketing contract's own `#[contracttype]`s: what `create_event` takes and what the
//! contract stores per event, per tier, per ticket and per listing.

use passa_common::{EventId, EventStatus};
use soroban_sdk::{contracttype, Address, String, Symbol, Vec};

/// One ticket tier as the organizer configures it.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct TierConfig {
    // Short code, unique within the event (e.g. `GA`, `VIP`).
    pub code: Symbol,
    // Face value of one ticket, raw units of the payment token (≥ 0).
    pub price: i128,
    // Number of tickets for sale (≥ 1).
    pub supply: u32,
    // Most tickets of this tier one wallet may buy (≥ 1).
    pub max_per_wallet: u32,
}

/// Everything `create_event` needs to publish an event.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EventConfig {
    // The SEP-41 token tickets are paid in (a Stellar Asset Contract in practice).
    pub payment_token: Address,
    // 1 to [`crate::storage::MAX_TIERS`] tiers; a tier is addressed by its index.
    pub tiers: Vec<TierConfig>,
    // Sales open at this ledger timestamp (seconds)…
    pub sales_start: u64,
    // …and close before this one; `sales_start < sales_end ≤ end`.
    pub sales_end: u64,
    // The event's start, ledger timestamp (seconds).
    pub start: u64,
    // The event's end; `end > start` and `end > now`.
    pub end: u64,
    // Whether holders may transfer tickets.
    pub transferable: bool,
    // Whether holders may list tickets for resale (needs `transferable` too).
    pub resaleable: bool,
    // Whether holders may claim a refund while the event is postponed (a cancelled event
    // is always refundable).
    pub refundable: bool,
    // Highest resale price, basis points of face value (≥ 10 000, e.g. 11 000 = 110 %).
    pub resale_cap_bps: u32,
    // Resale royalty to the event's escrow, basis points of the resale price (≤ 10 000).
    pub royalty_bps: u32,
    // Metadata URI returned by `token_uri` for the event's tickets.
    pub metadata_uri: String,
}

/// An event as stored (one persistent entry per event). Purchase only reads it.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EventRecord {
    pub organizer: Address,
    pub payment_token: Address,
    pub sales_start: u64,
    pub sales_end: u64,
    pub start: u64,
    pub end: u64,
    pub transferable: bool,
    pub resaleable: bool,
    pub refundable: bool,
    pub resale_cap_bps: u32,
    pub royalty_bps: u32,
    pub metadata_uri: String,
    // Number of tiers; tiers are stored under `(event_id, 0..tier_count)`.
    pub tier_count: u32,
    // Stored status; `Completed` is derived from `now ≥ end` (see [`EventRecord::status_at`]).
    pub status: Stage,
    // Refunds are possible until this timestamp (inclusive): cancellation time + refund
    // window for a cancelled event, the new start for a postponed one, 0 otherwise.
    pub refund_deadline: u64,
}

impl EventRecord {
    /// The event's status at time `now`, `Completed` derived from `now ≥ end`.
    pub fn status_at(&self, now: u64) -> EventStatus {
        match self.status {
            Stage::Cancelled => EventStatus::Cancelled,
            _ if now >= self.end => EventStatus::Completed,
            Stage::Published => EventStatus::Published,
            Stage::Postponed => EventStatus::Postponed,
        }
    }
}

/// The stored part of an event's status (`Completed` is derived). An integer enum: a
/// symbol-named enum costs ~20k instructions per conversion on wasm.
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
#[repr(u32)]
pub enum Stage {
    Published = 0,
    Postponed = 1,
    Cancelled = 2,
}

/// A tier as stored (one persistent entry per `(event, tier)`): its configuration, its sold
/// count and the event's running money totals attributable to its tickets. Purchase reads and
/// writes only this entry of the event's state; `event_ledger` sums the tiers.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Tier {
    pub code: Symbol,
    pub price: i128,
    pub supply: u32,
    pub max_per_wallet: u32,
    // Tickets sold (never decreases; refunded tickets stay counted).
    pub sold: u32,
    // Σ price × quantity of this tier's purchases.
    pub gross_sales: i128,
    // Σ resale royalties on this tier's tickets.
    pub royalties: i128,
    // Σ face value refunded on this tier's tickets.
    pub refunds: i128,
    // Σ referral commission owed on this tier's live tickets.
    pub commissions: i128,
}

/// Lifecycle of a ticket. `Listed` is never stored: it is derived from a live listing.
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
#[repr(u32)]
pub enum TicketStatus {
    // Held, valid for entry.
    Purchased = 0,
    // Held and offered for resale.
    Listed = 1,
    // Checked in; never moves again.
    Used = 2,
    // Refunded and burned.
    Refunded = 3,
}

/// A ticket as stored (one persistent entry per token).
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Ticket {
    // Current holder (the last holder for a refunded ticket).
    pub owner: Address,
    pub event_id: EventId,
    // Tier index within the event.
    pub tier: u32,
    // Face value paid at purchase; a refund pays back exactly this.
    pub face: i128,
    pub status: TicketStatus,
    // Bumped on every change of owner or status; approvals and listings carry the nonce
    // they were made at, so any transfer, check-in or refund voids them without touching
    // their (temporary) entries.
    pub nonce: u32,
    // The referrer credited with a commission for this ticket, if any…
    pub referrer: Option<Address>,
    // …and that commission, reversed if the ticket is refunded.
    pub commission: i128,
}

/// A resale offer (temporary storage; it expires with its entry).
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Listing {
    pub seller: Address,
    pub price: i128,
    // Last ledger on which the listing can be bought.
    pub live_until_ledger: u32,
    // The ticket's nonce when listed; a different nonce means the listing is dead.
    pub nonce: u32,
}

/// A single-token approval (temporary storage).
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Approval {
    pub approved: Address,
    pub live_until_ledger: u32,
    // The ticket's nonce when approved; a transfer voids the approval.
    pub nonce: u32,
}
