//! Secondary market: `list`, `delist`, `buy_listing`.
//!
//! A listing lives in temporary storage for [`LISTING_LEDGERS`] and remembers the ticket's
//! nonce: any transfer, check-in or refund bumps the nonce and so kills the listing, and a
//! cancelled or finished event refuses the purchase.

use passa_common::call;
use soroban_sdk::{Address, Env, Val};

use crate::errors::TicketingError;
use crate::events::{Delisted, Listed, Resold};
use crate::math::{add, bps_of, sub};
use crate::nft;
use crate::storage::{self, key, LISTING_LEDGERS};
use crate::types::{EventRecord, Listing, Ticket};

/// The live listing of `ticket` (token `token_id`), if any.
pub fn live_listing(env: &Env, ticket: &Ticket, token_id: u32) -> Option<Listing> {
    let listing: Listing = env
        .storage()
        .temporary()
        .get(&key::listing(env, token_id))?;
    let live = listing.nonce == ticket.nonce
        && listing.seller == ticket.owner
        && listing.live_until_ledger >= env.ledger().sequence();
    live.then_some(listing)
}

/// Fails unless the event allows resale at `price` for a ticket of face value `face`.
///
/// # Errors
/// * [`TicketingError::NotResaleable`], [`TicketingError::InvalidPrice`],
///   [`TicketingError::PriceAboveCap`], [`TicketingError::Overflow`]
fn ensure_price(event: &EventRecord, face: i128, price: i128) -> Result<(), TicketingError> {
    if !event.resaleable {
        return Err(TicketingError::NotResaleable);
    }
    if price <= 0 {
        return Err(TicketingError::InvalidPrice);
    }
    if price > bps_of(face, event.resale_cap_bps)? {
        return Err(TicketingError::PriceAboveCap);
    }
    Ok(())
}

/// Lists `token_id` for resale at `price` (the caller checked the owner's auth); replaces any
/// earlier listing. Returns the last ledger the listing lives.
///
/// # Errors
/// * every movement rule of [`nft::movable_ticket`]; see [`ensure_price`].
pub fn list(env: &Env, owner: &Address, token_id: u32, price: i128) -> Result<u32, TicketingError> {
    let ticket = nft::live_ticket(env, token_id)?;
    nft::ensure_ticket_movable(&ticket, owner)?;
    let event = storage::load_event(env, &ticket.event_id)?;
    nft::ensure_event_movable(env, &event)?;
    ensure_price(&event, ticket.face, price)?;
    let live_until_ledger = env.ledger().sequence().saturating_add(LISTING_LEDGERS);
    let listing = Listing {
        seller: owner.clone(),
        price,
        live_until_ledger,
        nonce: ticket.nonce,
    };
    let key: Val = key::listing(env, token_id);
    env.storage().temporary().set(&key, &listing);
    env.storage()
        .temporary()
        .extend_ttl(&key, LISTING_LEDGERS, LISTING_LEDGERS);
    Listed {
        token_id,
        seller: owner.clone(),
        price,
        live_until_ledger,
    }
    .publish(env);
    Ok(live_until_ledger)
}

/// Withdraws the live listing of `token_id` (the caller checked the owner's auth).
///
/// # Errors
/// * [`TicketingError::NonExistentToken`], [`TicketingError::IncorrectOwner`],
///   [`TicketingError::NotListed`]
pub fn delist(env: &Env, owner: &Address, token_id: u32) -> Result<(), TicketingError> {
    let ticket = nft::live_ticket(env, token_id)?;
    if ticket.owner != *owner {
        return Err(TicketingError::IncorrectOwner);
    }
    live_listing(env, &ticket, token_id).ok_or(TicketingError::NotListed)?;
    env.storage()
        .temporary()
        .remove(&key::listing(env, token_id));
    Delisted {
        token_id,
        seller: owner.clone(),
    }
    .publish(env);
    Ok(())
}

/// Pays a resale: royalty to the escrow (revenue), the rest to the seller; records the royalty
/// on the ticket's tier. Returns the royalty.
///
/// # Errors
/// * [`TicketingError::Overflow`], [`TicketingError::TierNotFound`],
///   [`TicketingError::PaymentFailed`]
fn pay_resale(
    env: &Env,
    event: &EventRecord,
    ticket: &Ticket,
    buyer: &Address,
    price: i128,
) -> Result<i128, TicketingError> {
    let royalty = bps_of(price, event.royalty_bps)?;
    let proceeds = sub(price, royalty)?;
    let token = &event.payment_token;
    if royalty > 0 {
        let mut tier = storage::peek_tier(env, &ticket.event_id, ticket.tier)?;
        tier.royalties = add(tier.royalties, royalty)?;
        storage::save_tier(env, &ticket.event_id, ticket.tier, &tier);
        if !call::transfer(env, token, buyer, &storage::revenue(env), royalty) {
            return Err(TicketingError::PaymentFailed);
        }
    }
    if proceeds > 0 && !call::transfer(env, token, buyer, &ticket.owner, proceeds) {
        return Err(TicketingError::PaymentFailed);
    }
    Ok(royalty)
}

/// Buys the live listing of `token_id` (the caller checked pause and the buyer's auth).
///
/// # Errors
/// * [`TicketingError::NotListed`], [`TicketingError::BuyerIsSeller`], every movement rule of
///   [`nft::movable_ticket`], and see [`pay_resale`].
pub fn buy_listing(env: &Env, buyer: &Address, token_id: u32) -> Result<(), TicketingError> {
    let ticket = nft::live_ticket(env, token_id)?;
    let listing = live_listing(env, &ticket, token_id).ok_or(TicketingError::NotListed)?;
    if listing.seller == *buyer {
        return Err(TicketingError::BuyerIsSeller);
    }
    nft::ensure_ticket_movable(&ticket, &listing.seller)?;
    let event = storage::load_event(env, &ticket.event_id)?;
    nft::ensure_event_movable(env, &event)?;
    if !event.resaleable {
        return Err(TicketingError::NotResaleable);
    }
    let royalty = pay_resale(env, &event, &ticket, buyer, listing.price)?;
    env.storage()
        .temporary()
        .remove(&key::listing(env, token_id));
    nft::move_ticket(env, ticket, buyer, token_id)?;
    Resold {
        token_id,
        seller: listing.seller,
        buyer: buyer.clone(),
        price: listing.price,
        royalty,
    }
    .publish(env);
    Ok(())
}
