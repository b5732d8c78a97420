//! Organizers and the life of an event: verification, publication (with config validation),
//! postponement, cancellation, gate operators, and the ledger revenue reads at settlement.

use passa_common::{EventId, EventLedger, EventStatus, BPS_DENOMINATOR};
use soroban_sdk::{Address, Env, Symbol, Vec};

use crate::errors::TicketingError;
use crate::events::{
    EventCancelled, EventCreated, EventPostponed, GateOperatorRemoved, GateOperatorSet,
    OrganizerRevoked, OrganizerVerified,
};
use crate::math::add;
use crate::storage::{self, key, MAX_TIERS, MAX_URI_LEN, REFUND_WINDOW_SECS};
use crate::types::{EventConfig, EventRecord, Stage, Tier, TierConfig};

// ---------------------------------------------------------------- organizers

/// Whether `organizer` is verified.
pub fn is_verified(env: &Env, organizer: &Address) -> bool {
    storage::load::<bool>(env, &key::organizer(env, organizer.clone())).unwrap_or(false)
}

/// Marks `organizer` verified (the caller checked the admin's auth).
///
/// # Errors
/// * [`TicketingError::OrganizerAlreadyVerified`]
pub fn verify_organizer(env: &Env, organizer: &Address) -> Result<(), TicketingError> {
    if is_verified(env, organizer) {
        return Err(TicketingError::OrganizerAlreadyVerified);
    }
    storage::save(env, &key::organizer(env, organizer.clone()), &true);
    OrganizerVerified {
        organizer: organizer.clone(),
    }
    .publish(env);
    Ok(())
}

/// Removes `organizer`'s verification (the caller checked the admin's auth). Events already
/// published go on; the organizer cannot publish new ones.
///
/// # Errors
/// * [`TicketingError::OrganizerNotVerified`]
pub fn revoke_organizer(env: &Env, organizer: &Address) -> Result<(), TicketingError> {
    if !is_verified(env, organizer) {
        return Err(TicketingError::OrganizerNotVerified);
    }
    storage::drop_entry(env, &key::organizer(env, organizer.clone()));
    OrganizerRevoked {
        organizer: organizer.clone(),
    }
    .publish(env);
    Ok(())
}

// ---------------------------------------------------------------- publication

/// Validates one tier.
///
/// # Errors
/// * [`TicketingError::InvalidTier`]
fn validate_tier(tier: &TierConfig) -> Result<(), TicketingError> {
    if tier.price < 0 || tier.supply == 0 || tier.max_per_wallet == 0 {
        return Err(TicketingError::InvalidTier);
    }
    Ok(())
}

/// Validates the tiers and returns the total capacity.
///
/// Iterates with `try_iter` (a malformed element is `InvalidTier`): `Vec::iter` unwraps each
/// conversion with `Debug`, which links `core::fmt` (~1.5 KB) into the wasm.
///
/// # Errors
/// * [`TicketingError::InvalidTierCount`], [`TicketingError::InvalidTier`],
///   [`TicketingError::DuplicateTierCode`], [`TicketingError::Overflow`]
fn validate_tiers(tiers: &Vec<TierConfig>) -> Result<u32, TicketingError> {
    if tiers.is_empty() || tiers.len() > MAX_TIERS {
        return Err(TicketingError::InvalidTierCount);
    }
    let mut codes: [Option<Symbol>; MAX_TIERS as usize] = Default::default();
    let mut capacity: u32 = 0;
    for (i, tier) in tiers.try_iter().enumerate() {
        let tier = tier.map_err(|_| TicketingError::InvalidTier)?;
        validate_tier(&tier)?;
        if codes
            .iter()
            .take(i)
            .flatten()
            .any(|code| *code == tier.code)
        {
            return Err(TicketingError::DuplicateTierCode);
        }
        capacity = capacity
            .checked_add(tier.supply)
            .ok_or(TicketingError::Overflow)?;
        // (no indexing: a bounds check's panic would link `core::fmt` too; i < MAX_TIERS)
        if let Some(slot) = codes.get_mut(i) {
            *slot = Some(tier.code);
        }
    }
    Ok(capacity)
}

/// Validates times, basis points and metadata of a config.
///
/// # Errors
/// * [`TicketingError::InvalidSchedule`], [`TicketingError::InvalidResaleCap`],
///   [`TicketingError::InvalidBps`], [`TicketingError::InvalidMetadataUri`]
fn validate_terms(env: &Env, config: &EventConfig) -> Result<(), TicketingError> {
    let now = passa_common::time::now(env);
    if config.start >= config.end
        || config.end <= now
        || config.sales_start >= config.sales_end
        || config.sales_end > config.end
    {
        return Err(TicketingError::InvalidSchedule);
    }
    if config.resale_cap_bps < BPS_DENOMINATOR {
        return Err(TicketingError::InvalidResaleCap);
    }
    if config.royalty_bps > BPS_DENOMINATOR {
        return Err(TicketingError::InvalidBps);
    }
    let uri_len = config.metadata_uri.len();
    if uri_len == 0 || uri_len > MAX_URI_LEN {
        return Err(TicketingError::InvalidMetadataUri);
    }
    Ok(())
}

fn new_tier(config: &TierConfig) -> Tier {
    Tier {
        code: config.code.clone(),
        price: config.price,
        supply: config.supply,
        max_per_wallet: config.max_per_wallet,
        sold: 0,
        gross_sales: 0,
        royalties: 0,
        refunds: 0,
        commissions: 0,
    }
}

fn new_record(organizer: &Address, config: &EventConfig) -> EventRecord {
    EventRecord {
        organizer: organizer.clone(),
        payment_token: config.payment_token.clone(),
        sales_start: config.sales_start,
        sales_end: config.sales_end,
        start: config.start,
        end: config.end,
        transferable: config.transferable,
        resaleable: config.resaleable,
        refundable: config.refundable,
        resale_cap_bps: config.resale_cap_bps,
        royalty_bps: config.royalty_bps,
        metadata_uri: config.metadata_uri.clone(),
        tier_count: config.tiers.len(),
        status: Stage::Published,
        refund_deadline: 0,
    }
}

/// Publishes an event (the caller checked the organizer's auth).
///
/// # Errors
/// * [`TicketingError::OrganizerNotVerified`], [`TicketingError::EventExists`], and every
///   validation error of the config.
pub fn create_event(
    env: &Env,
    organizer: &Address,
    event_id: &EventId,
    config: &EventConfig,
) -> Result<(), TicketingError> {
    if !is_verified(env, organizer) {
        return Err(TicketingError::OrganizerNotVerified);
    }
    if env
        .storage()
        .persistent()
        .has(&key::event(env, event_id.clone()))
    {
        return Err(TicketingError::EventExists);
    }
    let capacity = validate_tiers(&config.tiers)?;
    validate_terms(env, config)?;
    storage::save_event(env, event_id, &new_record(organizer, config));
    for (index, tier) in config.tiers.try_iter().enumerate() {
        let tier = tier.map_err(|_| TicketingError::InvalidTier)?;
        storage::save_tier(env, event_id, index as u32, &new_tier(&tier));
    }
    EventCreated {
        event_id: event_id.clone(),
        organizer: organizer.clone(),
        payment_token: config.payment_token.clone(),
        tiers: config.tiers.clone(),
        capacity,
        sales_start: config.sales_start,
        sales_end: config.sales_end,
        start: config.start,
        end: config.end,
        transferable: config.transferable,
        resaleable: config.resaleable,
        refundable: config.refundable,
        resale_cap_bps: config.resale_cap_bps,
        royalty_bps: config.royalty_bps,
        metadata_uri: config.metadata_uri.clone(),
    }
    .publish(env);
    Ok(())
}

// ---------------------------------------------------------------- organizer actions

/// Loads an event and checks that `organizer` is its organizer.
///
/// # Errors
/// * [`TicketingError::EventNotFound`], [`TicketingError::NotOrganizer`]
pub fn organizer_event(
    env: &Env,
    organizer: &Address,
    event_id: &EventId,
) -> Result<EventRecord, TicketingError> {
    let event = storage::load_event(env, event_id)?;
    if event.organizer != *organizer {
        return Err(TicketingError::NotOrganizer);
    }
    Ok(event)
}

/// Fails unless the event is still open (neither cancelled nor over).
///
/// # Errors
/// * [`TicketingError::AlreadyCancelled`], [`TicketingError::EventEnded`]
fn ensure_open(env: &Env, event: &EventRecord) -> Result<(), TicketingError> {
    match event.status_at(passa_common::time::now(env)) {
        EventStatus::Cancelled => Err(TicketingError::AlreadyCancelled),
        EventStatus::Completed => Err(TicketingError::EventEnded),
        _ => Ok(()),
    }
}

/// Cancels an event; refunds open for [`REFUND_WINDOW_SECS`]. Listings die (buying needs a
/// live event).
///
/// # Errors
/// * see [`organizer_event`]; [`TicketingError::AlreadyCancelled`],
///   [`TicketingError::EventEnded`]
pub fn cancel_event(
    env: &Env,
    organizer: &Address,
    event_id: &EventId,
) -> Result<(), TicketingError> {
    let mut event = organizer_event(env, organizer, event_id)?;
    ensure_open(env, &event)?;
    let now = passa_common::time::now(env);
    event.status = Stage::Cancelled;
    event.refund_deadline = now
        .checked_add(REFUND_WINDOW_SECS)
        .ok_or(TicketingError::Overflow)?;
    storage::save_event(env, event_id, &event);
    EventCancelled {
        event_id: event_id.clone(),
        refund_deadline: event.refund_deadline,
    }
    .publish(env);
    Ok(())
}

/// Moves an event to a later window; while postponed, a refundable event's holders may claim
/// refunds until the new start.
///
/// # Errors
/// * see [`organizer_event`]; [`TicketingError::AlreadyCancelled`],
///   [`TicketingError::EventEnded`], [`TicketingError::InvalidPostponement`]
pub fn postpone_event(
    env: &Env,
    organizer: &Address,
    event_id: &EventId,
    new_start: u64,
    new_end: u64,
) -> Result<(), TicketingError> {
    let mut event = organizer_event(env, organizer, event_id)?;
    ensure_open(env, &event)?;
    let now = passa_common::time::now(env);
    if new_end <= new_start || new_start <= now || new_start < event.start || new_end < event.end {
        return Err(TicketingError::InvalidPostponement);
    }
    event.status = Stage::Postponed;
    event.start = new_start;
    event.end = new_end;
    event.refund_deadline = new_start;
    storage::save_event(env, event_id, &event);
    EventPostponed {
        event_id: event_id.clone(),
        start: new_start,
        end: new_end,
    }
    .publish(env);
    Ok(())
}

/// Appoints a gate operator (the caller checked the organizer's auth).
///
/// # Errors
/// * see [`organizer_event`]
pub fn set_gate_operator(
    env: &Env,
    organizer: &Address,
    event_id: &EventId,
    operator: &Address,
) -> Result<(), TicketingError> {
    organizer_event(env, organizer, event_id)?;
    let key = key::gate_operator(env, event_id.clone(), operator.clone());
    storage::save(env, &key, &true);
    GateOperatorSet {
        event_id: event_id.clone(),
        operator: operator.clone(),
    }
    .publish(env);
    Ok(())
}

/// Removes a gate operator (the caller checked the organizer's auth).
///
/// # Errors
/// * see [`organizer_event`]; [`TicketingError::NotGateOperator`] - not an operator.
pub fn remove_gate_operator(
    env: &Env,
    organizer: &Address,
    event_id: &EventId,
    operator: &Address,
) -> Result<(), TicketingError> {
    organizer_event(env, organizer, event_id)?;
    let key = key::gate_operator(env, event_id.clone(), operator.clone());
    if !env.storage().persistent().has(&key) {
        return Err(TicketingError::NotGateOperator);
    }
    storage::drop_entry(env, &key);
    GateOperatorRemoved {
        event_id: event_id.clone(),
        operator: operator.clone(),
    }
    .publish(env);
    Ok(())
}

/// Whether `operator` is a gate operator of the event.
pub fn is_gate_operator(env: &Env, event_id: &EventId, operator: &Address) -> bool {
    storage::load::<bool>(
        env,
        &key::gate_operator(env, event_id.clone(), operator.clone()),
    )
    .unwrap_or(false)
}

// ---------------------------------------------------------------- reads

/// The event's money and status as revenue reads it; sums the (≤ [`MAX_TIERS`]) tiers.
///
/// # Errors
/// * [`TicketingError::EventNotFound`], [`TicketingError::Overflow`]
pub fn event_ledger(env: &Env, event_id: &EventId) -> Result<EventLedger, TicketingError> {
    let event = storage::load_event(env, event_id)?;
    let mut ledger = EventLedger {
        organizer: event.organizer.clone(),
        payment_token: event.payment_token.clone(),
        status: event.status_at(passa_common::time::now(env)),
        start: event.start,
        end: event.end,
        refund_deadline: event.refund_deadline,
        gross_sales: 0,
        royalties: 0,
        refunds: 0,
        commissions: 0,
    };
    for index in 0..event.tier_count {
        let tier = storage::load_tier(env, event_id, index)?;
        ledger.gross_sales = add(ledger.gross_sales, tier.gross_sales)?;
        ledger.royalties = add(ledger.royalties, tier.royalties)?;
        ledger.refunds = add(ledger.refunds, tier.refunds)?;
        ledger.commissions = add(ledger.commissions, tier.commissions)?;
    }
    Ok(ledger)
}
