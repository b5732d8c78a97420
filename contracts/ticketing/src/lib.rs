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
//!
//! ## Cost
//! `purchase` touches the event (read), its tier (read + write: sold count and money totals),
//! the buyer's bought-count (read + write, only where the per-wallet limit can bind), the
//! buyer's balance and one new entry per ticket, and makes one cross-contract call: the SEP-41
//! payment. Storage keys are built by small per-key functions ([`storage::key`]) and stored
//! statuses are integer enums: on wasm a derived symbol-named enum costs ~20k instructions per
//! conversion. `src/test/cost.rs` prints native figures, `src/test/wasm.rs` (feature
//! `wasm-tests`) the wasm cost of every public function (`scripts/contract-costs.sh` writes
//! them to `contracts/COSTS.md`); about 300k of every wasm call is the fixed price of
//! instantiating a module with 27 host imports and 47 exports.
//!
//! ## Tests against the wasm
//! `cargo test -p passa-ticketing --features wasm-tests` runs every test of the crate against
//! `target/wasm/passa_ticketing.wasm` (build it first with `scripts/build-contracts.sh`; without
//! it the feature does not compile).
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
