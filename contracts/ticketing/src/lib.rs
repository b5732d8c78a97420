//! # passa-ticketing
//!
//! Event tickets as SEP-50 NFTs: verified organizers publish events with tiers; buyers
//! purchase (paying the revenue contract's escrow in the event's SEP-41 token), transfer,
//! resell under a price cap with a royalty to the escrow, get checked in at the gate, and are
//! refunded when an event is cancelled (or postponed, when refundable).
//!
//! Modules, one per concern:
//! * [`contract`] — the public interface ([`Ticketing`]);
//! * [`lifecycle`] — organizers, publication and config validation, postponement,
//!   cancellation, gate operators, the ledger revenue reads;
//! * [`sale`] — purchase and referral commissions;
//! * [`nft`] — SEP-50 ownership, movement rules, approvals;
//! * [`resale`] — listings; [`gate`] — check-in; [`refund`] — refunds;
//! * [`storage`] — keys and TTL; [`types`]; [`events`]; [`errors`]; [`math`].
#![no_std]

pub mod contract;
pub mod errors;
pub mod events;
pub mod gate;
pub mod lifecycle;
pub mod math;
pub mod nft;
pub mod refund;
pub mod resale;
pub mod sale;
pub mod storage;
pub mod types;

#[cfg(test)]
mod test;

pub use contract::{Ticketing, TicketingClient};
pub use errors::TicketingError;
pub use types::{
    Approval, EventConfig, EventRecord, Listing, Ticket, TicketStatus, Tier, TierConfig,
};
