//! Events of the ticketing contract.
//!
//! The SEP-50 events follow the standard's text exactly (topic symbol, topics and data as
//! listed there):
//!
//! | event | topics | data |
//! |-------|--------|------|
//! | [`Mint`] | `["mint", to]` | `token_id: u32` |
//! | [`Transfer`] | `["transfer", from, to]` | `token_id: u32` |
//! | [`Burn`] | `["burn", from]` | `token_id: u32` |
//! | [`Approve`] | `["approve", owner, token_id]` | `[approved, live_until_ledger]` |
//! | [`ApproveForAll`] | `["approve_for_all", owner]` | `[operator, live_until_ledger]` |
//!
//! The others carry the event id (or token id) as their first topic after the name, and their
//! data as a map, so the mirror (`passa sync`) can decode them by field name. The maps are
//! built with `sparse = false` (no event but [`Purchased`] has an `Option` field, so the
//! encoding is the same) and [`Purchased`] by hand ([`Purchased::emit`]), so that the module
//! does not link the sparse-map host function. The admin, pause
//! and upgrade events are the shared ones of [`passa_common::events`].

use passa_common::EventId;
use soroban_sdk::unwrap::UnwrapInfallible;
use soroban_sdk::{
    contractevent, Address, Env, EnvBase, Event, IntoVal, SpecShakingMarker, String, Val, Vec,
};

use crate::types::TierConfig;

// ---------------------------------------------------------------- SEP-50

/// A ticket was minted to `to`.
#[contractevent(data_format = "single-value")]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Mint {
    #[topic]
    pub to: Address,
    pub token_id: u32,
}

/// A ticket moved from `from` to `to` (transfer, transfer_from or resale).
#[contractevent(data_format = "single-value")]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Transfer {
    #[topic]
    pub from: Address,
    #[topic]
    pub to: Address,
    pub token_id: u32,
}

/// A ticket held by `from` was burned (refund).
#[contractevent(data_format = "single-value")]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Burn {
    #[topic]
    pub from: Address,
    pub token_id: u32,
}

/// `approver` let `approved` move `token_id` until `live_until_ledger` (0: revoked).
#[contractevent(data_format = "vec")]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Approve {
    #[topic]
    pub approver: Address,
    #[topic]
    pub token_id: u32,
    pub approved: Address,
    pub live_until_ledger: u32,
}

/// `owner` let `operator` manage all its tickets until `live_until_ledger` (0: revoked).
#[contractevent(data_format = "vec")]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ApproveForAll {
    #[topic]
    pub owner: Address,
    pub operator: Address,
    pub live_until_ledger: u32,
}

// ---------------------------------------------------------------- organizers and events

/// The admin verified an organizer.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct OrganizerVerified {
    #[topic]
    pub organizer: Address,
}

/// The admin revoked an organizer's verification.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct OrganizerRevoked {
    #[topic]
    pub organizer: Address,
}

/// An event was published, with the ticket terms of its config (the mirror gives its tickets
/// these flags).
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EventCreated {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub organizer: Address,
    pub payment_token: Address,
    pub tiers: Vec<TierConfig>,
    /// Σ tier supplies.
    pub capacity: u32,
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
}

/// The organizer postponed an event to a new window.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EventPostponed {
    #[topic]
    pub event_id: EventId,
    pub start: u64,
    pub end: u64,
}

/// The organizer cancelled an event; refunds are open until `refund_deadline`.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EventCancelled {
    #[topic]
    pub event_id: EventId,
    pub refund_deadline: u64,
}

/// The organizer appointed a gate operator.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct GateOperatorSet {
    #[topic]
    pub event_id: EventId,
    pub operator: Address,
}

/// The organizer removed a gate operator.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct GateOperatorRemoved {
    #[topic]
    pub event_id: EventId,
    pub operator: Address,
}

/// The attribution contract set a referrer's commission rate (0: removed).
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ReferralRateSet {
    #[topic]
    pub event_id: EventId,
    pub referrer: Address,
    pub bps: u32,
}

// ---------------------------------------------------------------- sale, resale, gate, refund

/// A purchase: tickets `first_token_id .. first_token_id + quantity` of `tier` minted to
/// `buyer` (one [`Mint`] each), `amount` paid into the escrow.
#[contractevent]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Purchased {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub buyer: Address,
    pub tier: u32,
    pub quantity: u32,
    pub first_token_id: u32,
    /// Face value of one ticket.
    pub price: i128,
    /// price × quantity.
    pub amount: i128,
    pub referrer: Option<Address>,
    /// Referral commission credited for the whole purchase.
    pub commission: i128,
}

impl Purchased {
    /// Publishes the event exactly as the derived `publish` does (a map without the
    /// `referrer` key when there is none, keys sorted), but builds the map with
    /// `map_new_from_slices`: the derived sparse encoding links `sparse_map_new_from_linear_memory`,
    /// a host import that would cost ~6.5k instructions on every call of the contract, for this
    /// one event. `events_xdr.rs` and the sale tests compare it with the derived encoding.
    pub fn emit(&self, env: &Env) {
        <Self as SpecShakingMarker>::spec_shaking_marker();
        env.events().publish_event(&PurchasedMap(self));
    }
}

/// [`Purchased`] with its data map built by hand (see [`Purchased::emit`]).
struct PurchasedMap<'a>(&'a Purchased);

impl Event for PurchasedMap<'_> {
    fn topics(&self, env: &Env) -> Vec<Val> {
        self.0.topics(env)
    }

    fn data(&self, env: &Env) -> Val {
        let p = self.0;
        let amount = p.amount.into_val(env);
        let commission = p.commission.into_val(env);
        let first = p.first_token_id.into_val(env);
        let price = p.price.into_val(env);
        let quantity = p.quantity.into_val(env);
        let tier = p.tier.into_val(env);
        let map = match &p.referrer {
            Some(referrer) => env.map_new_from_slices(
                &[
                    "amount",
                    "commission",
                    "first_token_id",
                    "price",
                    "quantity",
                    "referrer",
                    "tier",
                ],
                &[
                    amount,
                    commission,
                    first,
                    price,
                    quantity,
                    referrer.into_val(env),
                    tier,
                ],
            ),
            None => env.map_new_from_slices(
                &[
                    "amount",
                    "commission",
                    "first_token_id",
                    "price",
                    "quantity",
                    "tier",
                ],
                &[amount, commission, first, price, quantity, tier],
            ),
        };
        map.unwrap_infallible().into()
    }
}

/// A ticket was listed for resale.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Listed {
    #[topic]
    pub token_id: u32,
    pub seller: Address,
    pub price: i128,
    pub live_until_ledger: u32,
}

/// A listing was withdrawn by its seller.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Delisted {
    #[topic]
    pub token_id: u32,
    pub seller: Address,
}

/// A listed ticket was bought (a [`Transfer`] accompanies it).
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Resold {
    #[topic]
    pub token_id: u32,
    pub seller: Address,
    pub buyer: Address,
    pub price: i128,
    /// Part of `price` paid into the event's escrow; the seller got the rest.
    pub royalty: i128,
}

/// A ticket was checked in at the gate; it is now used.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct CheckedIn {
    #[topic]
    pub event_id: EventId,
    pub token_id: u32,
    pub operator: Address,
}

/// A ticket was refunded (a [`Burn`] accompanies it).
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Refunded {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub holder: Address,
    pub token_id: u32,
    pub amount: i128,
    /// Commission reversed from the ticket's referrer.
    pub commission_reversed: i128,
}
