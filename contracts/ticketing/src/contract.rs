//! The ticketing contract's public interface.
//!
//! One instance serves every event of a deployment. Tickets are SEP-50 NFTs; see the crate
//! documentation for the model and `contracts/INTERFACES.md` for how ticketing, attribution
//! and revenue fit together.
//!
//! The SEP-50 functions keep the standard's exact signatures (no `Result`): they fail by
//! aborting with a [`TicketingError`] code (`panic_with_error!`). Every other function returns
//! `Result<_, TicketingError>`. Authorization failures are host errors (`Error(Auth, …)`).

use passa_common::admin_api::AdminApi;
use passa_common::{admin, ttl, EventId, EventLedger, EventStatus};
use soroban_sdk::{contract, contractimpl, panic_with_error, Address, Env, String, Vec};

use crate::errors::TicketingError;
use crate::storage::{self, key};
use crate::types::{EventConfig, EventRecord, Listing, Ticket, TicketStatus, Tier};
use crate::{gate, lifecycle, nft, refund, resale, sale};

/// The Passa ticketing contract.
#[contract]
pub struct Ticketing;

/// Unwraps a result inside a SEP-50 function, aborting with the contract error.
fn or_abort<T>(env: &Env, result: Result<T, TicketingError>) -> T {
    result.unwrap_or_else(|err| panic_with_error!(env, err))
}

/// Extends the instance and fails when paused (first step of every money or ticket path).
fn enter_unpaused(env: &Env) -> Result<(), TicketingError> {
    ttl::extend_instance(env);
    if passa_common::pause::is_paused(env) {
        return Err(TicketingError::Paused);
    }
    Ok(())
}

/// `admin`, `pending_admin`, `transfer_admin`, `accept_admin`, `paused`, `pause`, `unpause`,
/// `upgrade`: the shared entry points of [`AdminApi`]. The pause stops `purchase`,
/// `transfer`, `transfer_from`, `buy_listing` and `refund`.
#[contractimpl(contracttrait)]
impl AdminApi for Ticketing {}

#[contractimpl]
impl Ticketing {
    // ============================================================ construction and admin

    /// Creates the contract, wired to the other two Passa contracts.
    ///
    /// # Arguments
    /// * `admin` - verifies organizers, pauses, upgrades.
    /// * `revenue` - the escrow contract: receives payments and pays refunds.
    /// * `attribution` - the only caller allowed to set referral rates.
    /// * `name`, `symbol` - SEP-50 collection metadata.
    pub fn __constructor(
        env: Env,
        admin: Address,
        revenue: Address,
        attribution: Address,
        name: String,
        symbol: String,
    ) {
        admin::set_admin(&env, &admin);
        let instance = env.storage().instance();
        instance.set(&key::revenue(&env), &revenue);
        instance.set(&key::attribution(&env), &attribution);
        instance.set(&key::name(&env), &name);
        instance.set(&key::symbol(&env), &symbol);
        ttl::extend_instance(&env);
    }

    /// The revenue (escrow) contract this contract pays into.
    pub fn revenue(env: Env) -> Address {
        storage::revenue(&env)
    }

    /// The attribution contract allowed to set referral rates.
    pub fn attribution(env: Env) -> Address {
        storage::attribution(&env)
    }

    // ============================================================ organizers

    /// Verifies an organizer, who may then publish events (admin only).
    ///
    /// # Errors
    /// * `OrganizerAlreadyVerified`; `Error(Auth, …)` - not the admin.
    ///
    /// # Events
    /// * `organizer_verified` `[organizer]`
    pub fn verify_organizer(env: Env, organizer: Address) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        admin::require_admin(&env)?;
        lifecycle::verify_organizer(&env, &organizer)
    }

    /// Revokes an organizer's verification (admin only); its published events go on.
    ///
    /// # Errors
    /// * `OrganizerNotVerified`; `Error(Auth, …)` - not the admin.
    ///
    /// # Events
    /// * `organizer_revoked` `[organizer]`
    pub fn revoke_organizer(env: Env, organizer: Address) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        admin::require_admin(&env)?;
        lifecycle::revoke_organizer(&env, &organizer)
    }

    /// Whether `organizer` is verified.
    pub fn is_verified_organizer(env: Env, organizer: Address) -> bool {
        lifecycle::is_verified(&env, &organizer)
    }

    // ============================================================ events

    /// Publishes an event. Seed rule: the organizer must be verified.
    ///
    /// # Arguments
    /// * `organizer` - signs; becomes the event's organizer.
    /// * `event_id` - the event's UUID in the database.
    /// * `config` - payment token, tiers, times, flags, resale terms, metadata URI.
    ///
    /// # Errors
    /// * `OrganizerNotVerified`, `EventExists`,
    ///   `InvalidTierCount`, `InvalidTier`,
    ///   `DuplicateTierCode`, `InvalidSchedule`,
    ///   `InvalidResaleCap`, `InvalidBps`,
    ///   `InvalidMetadataUri`; `Error(Auth, …)` - not signed by `organizer`.
    ///
    /// # Events
    /// * `event_created` `[event_id, organizer] {payment_token, tiers, capacity, sales_start,
    ///   sales_end, start, end, transferable, resaleable, refundable, resale_cap_bps,
    ///   royalty_bps, metadata_uri}`
    pub fn create_event(
        env: Env,
        organizer: Address,
        event_id: EventId,
        config: EventConfig,
    ) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        organizer.require_auth();
        lifecycle::create_event(&env, &organizer, &event_id, &config)
    }

    /// Postpones an event to a later window (`new_start ≥ start`, `new_end ≥ end`,
    /// `new_end > new_start > now`). A refundable event's holders may then claim refunds until
    /// the new start.
    ///
    /// # Errors
    /// * `EventNotFound`, `NotOrganizer`,
    ///   `AlreadyCancelled`, `EventEnded`,
    ///   `InvalidPostponement`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `event_postponed` `[event_id] {start, end}`
    pub fn postpone_event(
        env: Env,
        organizer: Address,
        event_id: EventId,
        new_start: u64,
        new_end: u64,
    ) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        organizer.require_auth();
        lifecycle::postpone_event(&env, &organizer, &event_id, new_start, new_end)
    }

    /// Cancels an event: sales, moves and listings stop; holders may claim refunds for 30 days.
    ///
    /// # Errors
    /// * `EventNotFound`, `NotOrganizer`,
    ///   `AlreadyCancelled`, `EventEnded`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `event_cancelled` `[event_id] {refund_deadline}`
    pub fn cancel_event(
        env: Env,
        organizer: Address,
        event_id: EventId,
    ) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        organizer.require_auth();
        lifecycle::cancel_event(&env, &organizer, &event_id)
    }

    /// The stored event (status as stored: `Completed` is derived, see `event_status`).
    ///
    /// # Errors
    /// * `EventNotFound`
    pub fn get_event(env: Env, event_id: EventId) -> Result<EventRecord, TicketingError> {
        storage::load_event(&env, &event_id)
    }

    /// The event's status now: `Completed` once `now ≥ end` (unless cancelled), else the
    /// stored `Published`, `Postponed` or `Cancelled`.
    ///
    /// # Errors
    /// * `EventNotFound`
    pub fn event_status(env: Env, event_id: EventId) -> Result<EventStatus, TicketingError> {
        let event = storage::load_event(&env, &event_id)?;
        Ok(event.status_at(passa_common::time::now(&env)))
    }

    /// A tier as stored: its configuration (code, price, supply, per-wallet limit), tickets
    /// sold and the money booked on its tickets (gross sales, royalties, refunds,
    /// commissions); `event_ledger` is the sum over the tiers.
    ///
    /// # Errors
    /// * `TierNotFound`
    pub fn tier(env: Env, event_id: EventId, tier: u32) -> Result<Tier, TicketingError> {
        storage::load_tier(&env, &event_id, tier)
    }

    /// Tickets sold in a tier.
    ///
    /// # Errors
    /// * `TierNotFound`
    pub fn tier_sold(env: Env, event_id: EventId, tier: u32) -> Result<u32, TicketingError> {
        Ok(storage::load_tier(&env, &event_id, tier)?.sold)
    }

    /// The event's money and status, read by revenue at settlement (see INTERFACES.md).
    ///
    /// # Errors
    /// * `EventNotFound`
    pub fn event_ledger(env: Env, event_id: EventId) -> Result<EventLedger, TicketingError> {
        ttl::extend_instance(&env);
        lifecycle::event_ledger(&env, &event_id)
    }

    // ============================================================ sale and referrals

    /// Buys `quantity` tickets of tier `tier`, minted as tokens `first_token_id ..
    /// first_token_id + quantity − 1`. The buyer signs once; `price × quantity` moves from
    /// the buyer to the revenue contract by SEP-41 `transfer`, the sale (and the referrer's
    /// commission, when the referrer has a rate) is recorded, and the tickets are minted to
    /// the buyer.
    ///
    /// The caller chooses the token ids (e.g. a random `u32` range, or ids the platform
    /// allocates), so that purchases simulated on the same ledger state write disjoint
    /// entries and all apply; see `contracts/INTERFACES.md`, "Token ids".
    ///
    /// # Arguments
    /// * `buyer` - signs and pays; receives the tickets.
    /// * `event_id`, `tier` - the event and the tier's index in its config.
    /// * `first_token_id` - the first id of the range; every id of the range must be unminted.
    /// * `quantity` - 1 to 10.
    /// * `referrer` - the promoter who brought the buyer, if any.
    ///
    /// # Returns
    /// The minted token ids, `first_token_id` first.
    ///
    /// # Errors
    /// * `Paused`, `InvalidQuantity`,
    ///   `EventNotFound`, `TierNotFound`,
    ///   `EventCancelled`, `EventEnded`,
    ///   `SalesClosed`, `SoldOut`,
    ///   `WalletLimitExceeded`, `SelfReferral`,
    ///   `TokenIdOverflow` (the range passes `u32::MAX`), `TokenIdTaken` (an id of the range
    ///   is already minted: choose others and retry), `PaymentFailed` (e.g. insufficient
    ///   balance); `Error(Auth, …)`. Nothing changes on any error.
    ///
    /// # Events
    /// * SEP-50 `mint` `[to] token_id` per ticket, in id order, then
    ///   `purchased` `[event_id, buyer] {tier, quantity, first_token_id, price, amount,
    ///   referrer, commission}` (and the token's `transfer`).
    pub fn purchase(
        env: Env,
        buyer: Address,
        event_id: EventId,
        tier: u32,
        first_token_id: u32,
        quantity: u32,
        referrer: Option<Address>,
    ) -> Result<Vec<u32>, TicketingError> {
        enter_unpaused(&env)?;
        buyer.require_auth();
        sale::purchase(
            &env,
            &buyer,
            &event_id,
            tier,
            first_token_id,
            quantity,
            &referrer,
        )
    }

    /// Sets a referrer's commission rate for an event (0 removes it). Only the attribution
    /// contract may call it, when it approves a `Commission(bps)` contribution.
    ///
    /// # Errors
    /// * `InvalidBps`, `EventNotFound`;
    ///   `Error(Auth, …)` - not the attribution contract.
    ///
    /// # Events
    /// * `referral_rate_set` `[event_id] {referrer, bps}`
    pub fn set_referral_rate(
        env: Env,
        event_id: EventId,
        referrer: Address,
        bps: u32,
    ) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        storage::attribution(&env).require_auth();
        sale::set_referral_rate(&env, &event_id, &referrer, bps)
    }

    /// Commission owed to `referrer` for the event (net of refunded tickets).
    pub fn referral_commission(env: Env, event_id: EventId, referrer: Address) -> i128 {
        ttl::extend_instance(&env);
        sale::referral_commission(&env, &event_id, &referrer)
    }

    // ============================================================ tickets

    /// A ticket's record: owner, event, tier, face value, status (`Listed` when it has a live
    /// listing), nonce, referrer and commission. Refunded tickets stay readable.
    ///
    /// # Errors
    /// * `NonExistentToken` - never minted.
    pub fn ticket(env: Env, token_id: u32) -> Result<Ticket, TicketingError> {
        let mut ticket = storage::load_ticket(&env, token_id)?;
        if ticket.status == TicketStatus::Purchased
            && resale::live_listing(&env, &ticket, token_id).is_some()
        {
            ticket.status = TicketStatus::Listed;
        }
        Ok(ticket)
    }

    /// Checks a ticket in: by the organizer or one of its gate operators, inside the event's
    /// `[start, end)` window. The ticket becomes used and never moves again.
    ///
    /// # Errors
    /// * `NonExistentToken`, `TicketUsed`,
    ///   `EventCancelled`, `OutsideEventWindow`,
    ///   `NotGateOperator`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `checked_in` `[event_id] {token_id, operator}`
    pub fn check_in(env: Env, operator: Address, token_id: u32) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        operator.require_auth();
        gate::check_in(&env, &operator, token_id)
    }

    /// Appoints a gate operator for an event (organizer only).
    ///
    /// # Errors
    /// * `EventNotFound`, `NotOrganizer`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `gate_operator_set` `[event_id] {operator}`
    pub fn set_gate_operator(
        env: Env,
        organizer: Address,
        event_id: EventId,
        operator: Address,
    ) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        organizer.require_auth();
        lifecycle::set_gate_operator(&env, &organizer, &event_id, &operator)
    }

    /// Whether `operator` is a gate operator of the event (the organizer itself may always
    /// check in, without being one).
    pub fn is_gate_operator(env: Env, event_id: EventId, operator: Address) -> bool {
        lifecycle::is_gate_operator(&env, &event_id, &operator)
    }

    /// Removes a gate operator (organizer only).
    ///
    /// # Errors
    /// * `EventNotFound`, `NotOrganizer`,
    ///   `NotGateOperator`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `gate_operator_removed` `[event_id] {operator}`
    pub fn remove_gate_operator(
        env: Env,
        organizer: Address,
        event_id: EventId,
        operator: Address,
    ) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        organizer.require_auth();
        lifecycle::remove_gate_operator(&env, &organizer, &event_id, &operator)
    }

    /// Refunds a ticket after a cancellation (or while a refundable event is postponed), until
    /// the refund deadline: burns it, books the refund, reverses its referral commission, and
    /// has the revenue contract pay the face value back to the holder. Returns that amount.
    ///
    /// # Errors
    /// * `Paused`, `NonExistentToken`,
    ///   `IncorrectOwner`, `TicketUsed`,
    ///   `RefundNotAllowed`, `RefundWindowClosed`;
    ///   `RefundPaymentFailed` (revenue refused or failed); `Error(Auth, …)`.
    ///
    /// # Events
    /// * SEP-50 `burn` `[from] token_id`, then `refunded` `[event_id, holder] {token_id, amount,
    ///   commission_reversed}` (and revenue's own events).
    pub fn refund(env: Env, holder: Address, token_id: u32) -> Result<i128, TicketingError> {
        enter_unpaused(&env)?;
        holder.require_auth();
        refund::refund(&env, &holder, token_id)
    }

    // ============================================================ resale

    /// Lists a ticket for resale at `price` ≤ face × resale cap, for 7 days; replaces an
    /// earlier listing. Returns the last ledger the listing lives. Any transfer, check-in,
    /// refund or cancellation kills the listing.
    ///
    /// # Errors
    /// * `NonExistentToken`, `IncorrectOwner`,
    ///   `TicketUsed`, `NotTransferable`,
    ///   `EventCancelled`, `EventEnded`,
    ///   `NotResaleable`, `InvalidPrice`,
    ///   `PriceAboveCap`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `listed` `[token_id] {seller, price, live_until_ledger}`
    pub fn list(
        env: Env,
        owner: Address,
        token_id: u32,
        price: i128,
    ) -> Result<u32, TicketingError> {
        ttl::extend_instance(&env);
        owner.require_auth();
        resale::list(&env, &owner, token_id, price)
    }

    /// Withdraws a live listing.
    ///
    /// # Errors
    /// * `NonExistentToken`, `IncorrectOwner`,
    ///   `NotListed`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `delisted` `[token_id] {seller}`
    pub fn delist(env: Env, owner: Address, token_id: u32) -> Result<(), TicketingError> {
        ttl::extend_instance(&env);
        owner.require_auth();
        resale::delist(&env, &owner, token_id)
    }

    /// Buys a listed ticket: the buyer pays the price, the royalty goes to the revenue
    /// contract (the event's escrow), the rest to the seller, and the ticket moves to the
    /// buyer (who signs: both parties consent, the seller by listing).
    ///
    /// # Errors
    /// * `Paused`, `NonExistentToken`,
    ///   `NotListed`, `BuyerIsSeller`,
    ///   `NotTransferable`, `NotResaleable`,
    ///   `EventCancelled`, `EventEnded`;
    ///   `PaymentFailed`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * SEP-50 `transfer` `[seller, buyer] token_id`, then `resold` `[token_id] {seller, buyer,
    ///   price, royalty}` (and the token's transfers).
    pub fn buy_listing(env: Env, buyer: Address, token_id: u32) -> Result<(), TicketingError> {
        enter_unpaused(&env)?;
        buyer.require_auth();
        resale::buy_listing(&env, &buyer, token_id)
    }

    /// The live listing of a ticket, if any.
    pub fn get_listing(env: Env, token_id: u32) -> Option<Listing> {
        let ticket = nft::live_ticket(&env, token_id).ok()?;
        resale::live_listing(&env, &ticket, token_id)
    }

    // ============================================================ SEP-50

    /// SEP-50: number of tickets held by `account`.
    pub fn balance(env: Env, account: Address) -> u32 {
        storage::peek_balance(&env, &account)
    }

    /// SEP-50: the holder of `token_id`.
    ///
    /// # Errors
    /// * `NonExistentToken` - never minted, or refunded.
    pub fn owner_of(env: Env, token_id: u32) -> Address {
        or_abort(&env, nft::live_ticket(&env, token_id)).owner
    }

    /// SEP-50: moves `token_id` from `from` to `to`. Seed rule: both `from` and `to` sign.
    /// Non-transferable tickets, used tickets and tickets of ended or cancelled events do not
    /// move.
    ///
    /// # Errors
    /// * `Paused`, `NonExistentToken`,
    ///   `IncorrectOwner`, `TicketUsed`,
    ///   `NotTransferable`, `EventCancelled`,
    ///   `EventEnded`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `transfer` `[from, to] token_id`
    pub fn transfer(env: Env, from: Address, to: Address, token_id: u32) {
        or_abort(&env, enter_unpaused(&env));
        from.require_auth();
        to.require_auth();
        let ticket = or_abort(&env, nft::movable_ticket(&env, &from, token_id));
        or_abort(&env, nft::move_ticket(&env, ticket, &to, token_id));
    }

    /// SEP-50: `spender` (the owner, the approved address or an operator) moves `token_id`
    /// from `from` to `to`. Seed rule: `spender` and `to` both sign.
    ///
    /// # Errors
    /// * as `transfer`, plus `InsufficientApproval`.
    ///
    /// # Events
    /// * `transfer` `[from, to] token_id`
    pub fn transfer_from(env: Env, spender: Address, from: Address, to: Address, token_id: u32) {
        or_abort(&env, enter_unpaused(&env));
        spender.require_auth();
        to.require_auth();
        let ticket = or_abort(&env, nft::movable_ticket(&env, &from, token_id));
        or_abort(&env, nft::ensure_spender(&env, &spender, &ticket, token_id));
        or_abort(&env, nft::move_ticket(&env, ticket, &to, token_id));
    }

    /// SEP-50: `approver` (owner or operator) lets `approved` move `token_id` until
    /// `live_until_ledger` (0 revokes). One approval per token; a transfer voids it.
    ///
    /// # Errors
    /// * `NonExistentToken`, `InvalidApprover`,
    ///   `InvalidLiveUntilLedger`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `approve` `[approver, token_id] [approved, live_until_ledger]`
    pub fn approve(
        env: Env,
        approver: Address,
        approved: Address,
        token_id: u32,
        live_until_ledger: u32,
    ) {
        ttl::extend_instance(&env);
        approver.require_auth();
        or_abort(
            &env,
            nft::approve(&env, &approver, &approved, token_id, live_until_ledger),
        );
    }

    /// SEP-50: `owner` lets `operator` manage all its tickets until `live_until_ledger`
    /// (0 revokes).
    ///
    /// # Errors
    /// * `InvalidLiveUntilLedger`; `Error(Auth, …)`.
    ///
    /// # Events
    /// * `approve_for_all` `[owner] [operator, live_until_ledger]`
    pub fn approve_for_all(env: Env, owner: Address, operator: Address, live_until_ledger: u32) {
        ttl::extend_instance(&env);
        owner.require_auth();
        or_abort(
            &env,
            nft::approve_for_all(&env, &owner, &operator, live_until_ledger),
        );
    }

    /// SEP-50: the address approved for `token_id`, if any.
    ///
    /// # Errors
    /// * `NonExistentToken`
    pub fn get_approved(env: Env, token_id: u32) -> Option<Address> {
        let ticket = or_abort(&env, nft::live_ticket(&env, token_id));
        nft::approved_for(&env, &ticket, token_id)
    }

    /// SEP-50: whether `operator` may manage all of `owner`'s tickets.
    pub fn is_approved_for_all(env: Env, owner: Address, operator: Address) -> bool {
        nft::is_operator(&env, &owner, &operator)
    }

    /// SEP-50: the collection's name.
    pub fn name(env: Env) -> String {
        storage::name(&env)
    }

    /// SEP-50: the collection's symbol.
    pub fn symbol(env: Env) -> String {
        storage::symbol(&env)
    }

    /// SEP-50: the metadata URI of `token_id` (its event's metadata URI).
    ///
    /// # Errors
    /// * `NonExistentToken`
    pub fn token_uri(env: Env, token_id: u32) -> String {
        let ticket = or_abort(&env, nft::live_ticket(&env, token_id));
        or_abort(&env, storage::load_event(&env, &ticket.event_id)).metadata_uri
    }
}
