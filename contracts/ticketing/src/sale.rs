//! Primary sale and referral commissions.
//!
//! `purchase` touches, besides the instance: the event (read), its tier (read + write: sold
//! count and money totals), the buyer's bought-count for the tier (read + write, skipped when
//! the per-wallet limit cannot bind), the buyer's balance (read + write) and one new entry per
//! ticket, at the ids the caller chose; with a referrer that has a rate, also the rate (read)
//! and the referrer's commission (read + write). Its only cross-contract call is the SEP-41
//! payment. Every key it writes is named by its arguments (event, tier, buyer, ids,
//! referrer) and the event's immutable config, never by a counter another purchase moves, so
//! purchases simulated on the same ledger state all apply (see `contracts/INTERFACES.md`,
//! "Token ids").

use passa_common::call;
use passa_common::{EventId, EventStatus};
use soroban_sdk::unwrap::UnwrapInfallible;
use soroban_sdk::{Address, Env, EnvBase, TryFromVal, Val, Vec};

use crate::errors::TicketingError;
use crate::events::{Mint, Purchased, ReferralRateSet};
use crate::math::{add, bps_of, mul};
use crate::storage::{self, key, MAX_PER_PURCHASE};
use crate::types::{EventRecord, Ticket, TicketStatus, Tier};
use passa_common::ttl::{PERSISTENT_EXTEND_TO, PERSISTENT_TTL_THRESHOLD};

/// Fails unless the event sells now.
///
/// # Errors
/// * [`TicketingError::EventCancelled`], [`TicketingError::EventEnded`],
///   [`TicketingError::SalesClosed`]
fn ensure_on_sale(env: &Env, event: &EventRecord) -> Result<(), TicketingError> {
    let now = passa_common::time::now(env);
    match event.status_at(now) {
        EventStatus::Cancelled => return Err(TicketingError::EventCancelled),
        EventStatus::Completed => return Err(TicketingError::EventEnded),
        _ => {}
    }
    if now < event.sales_start || now >= event.sales_end {
        return Err(TicketingError::SalesClosed);
    }
    Ok(())
}

/// Adds `quantity` to the tier's sold count, within supply.
///
/// # Errors
/// * [`TicketingError::SoldOut`]
fn take_supply(tier: &mut Tier, quantity: u32) -> Result<(), TicketingError> {
    match tier.sold.checked_add(quantity) {
        Some(sold) if sold <= tier.supply => {
            tier.sold = sold;
            Ok(())
        }
        _ => Err(TicketingError::SoldOut),
    }
}

/// Counts `quantity` more tickets bought by `buyer` in the tier, within its per-wallet limit.
/// A limit at or above the supply cannot bind, so nothing is stored for it.
///
/// # Errors
/// * [`TicketingError::WalletLimitExceeded`]
fn count_wallet(
    env: &Env,
    event_id: &EventId,
    tier_index: u32,
    tier: &Tier,
    buyer: &Address,
    quantity: u32,
) -> Result<(), TicketingError> {
    if tier.max_per_wallet >= tier.supply {
        return Ok(());
    }
    let key = key::bought(env, event_id.clone(), tier_index, buyer.clone());
    let bought: u32 = storage::peek(env, &key).unwrap_or(0);
    match bought.checked_add(quantity) {
        Some(total) if total <= tier.max_per_wallet => {
            storage::save(env, &key, &total);
            Ok(())
        }
        _ => Err(TicketingError::WalletLimitExceeded),
    }
}

/// Credits the referrer's commission for a purchase; returns the commission per ticket and for
/// the whole purchase (zeros when there is no referrer or it has no rate). Commission is
/// floored per ticket, so a refund reverses exactly what its ticket earned.
///
/// # Errors
/// * [`TicketingError::SelfReferral`], [`TicketingError::Overflow`]
fn credit_referrer(
    env: &Env,
    event_id: &EventId,
    tier: &mut Tier,
    buyer: &Address,
    referrer: &Option<Address>,
    quantity: u32,
) -> Result<(i128, i128), TicketingError> {
    let Some(referrer) = referrer else {
        return Ok((0, 0));
    };
    if referrer == buyer {
        return Err(TicketingError::SelfReferral);
    }
    let rate_key = key::referral_rate(env, event_id.clone(), referrer.clone());
    let bps: u32 = storage::load(env, &rate_key).unwrap_or(0);
    let per_ticket = bps_of(tier.price, bps)?;
    if per_ticket == 0 {
        return Ok((0, 0));
    }
    let total = mul(per_ticket, quantity)?;
    let key = key::commission(env, event_id.clone(), referrer.clone());
    let owed: i128 = storage::peek(env, &key).unwrap_or(0);
    storage::save(env, &key, &add(owed, total)?);
    tier.commissions = add(tier.commissions, total)?;
    Ok((per_ticket, total))
}

/// Mints tokens `first_token_id .. first_token_id + quantity − 1` (`quantity` ≤
/// [`MAX_PER_PURCHASE`]) to `buyer`; returns the ids. The caller chooses the ids, so a
/// purchase's footprint depends only on its arguments and two purchases simulated on the
/// same ledger state never name the same new entry unless they name the same ids.
///
/// # Errors
/// * [`TicketingError::TokenIdOverflow`] - the range passes `u32::MAX`.
/// * [`TicketingError::TokenIdTaken`] - an id of the range is already minted (tickets are
///   never deleted, not even by a refund, so an id is never minted twice).
/// * [`TicketingError::Overflow`]
fn mint(
    env: &Env,
    buyer: &Address,
    template: &Ticket,
    first_token_id: u32,
    quantity: u32,
) -> Result<Vec<u32>, TicketingError> {
    let last = quantity
        .checked_sub(1)
        .and_then(|more| first_token_id.checked_add(more))
        .ok_or(TicketingError::TokenIdOverflow)?;
    let store = env.storage().persistent();
    let mut ids = [Val::VOID.to_val(); MAX_PER_PURCHASE as usize];
    for (slot, token_id) in ids.iter_mut().zip(first_token_id..=last) {
        // One key for the check, the write and the extension. A taken id fails the whole
        // call; the host rolls back what the call wrote (earlier ids of the range included).
        let key = key::ticket(env, token_id);
        if store.has(&key) {
            return Err(TicketingError::TokenIdTaken);
        }
        store.set(&key, template);
        store.extend_ttl(&key, PERSISTENT_TTL_THRESHOLD, PERSISTENT_EXTEND_TO);
        Mint {
            to: buyer.clone(),
            token_id,
        }
        .publish(env);
        *slot = token_id.into();
    }
    storage::add_balance(env, buyer, quantity)?;
    Ok(id_list(env, &ids[..quantity as usize]))
}

/// A `Vec<u32>` of already converted ids, in one host call (`Vec::from_slice` pushes one
/// element at a time and links two more host functions, each ~6.5k instructions per call).
fn id_list(env: &Env, ids: &[Val]) -> Vec<u32> {
    let obj = env.vec_new_from_slice(ids).unwrap_infallible();
    Vec::try_from_val(env, &obj.to_val())
        .unwrap_or_else(|_| soroban_sdk::panic_with_error!(env, TicketingError::Overflow))
}

/// Sells `quantity` tickets of tier `tier_index` to `buyer` as tokens `first_token_id ..
/// first_token_id + quantity − 1` (the caller checked pause and the buyer's auth); returns
/// the minted token ids.
///
/// # Errors
/// * [`TicketingError::InvalidQuantity`], [`TicketingError::EventNotFound`],
///   [`TicketingError::TierNotFound`], [`TicketingError::EventCancelled`],
///   [`TicketingError::EventEnded`], [`TicketingError::SalesClosed`],
///   [`TicketingError::SoldOut`], [`TicketingError::WalletLimitExceeded`],
///   [`TicketingError::SelfReferral`], [`TicketingError::TokenIdOverflow`],
///   [`TicketingError::TokenIdTaken`], [`TicketingError::Overflow`],
///   [`TicketingError::PaymentFailed`]
pub fn purchase(
    env: &Env,
    buyer: &Address,
    event_id: &EventId,
    tier_index: u32,
    first_token_id: u32,
    quantity: u32,
    referrer: &Option<Address>,
) -> Result<Vec<u32>, TicketingError> {
    if quantity == 0 || quantity > MAX_PER_PURCHASE {
        return Err(TicketingError::InvalidQuantity);
    }
    let event = storage::load_event(env, event_id)?;
    ensure_on_sale(env, &event)?;
    let mut tier = storage::peek_tier(env, event_id, tier_index)?;
    take_supply(&mut tier, quantity)?;
    count_wallet(env, event_id, tier_index, &tier, buyer, quantity)?;
    let amount = mul(tier.price, quantity)?;
    tier.gross_sales = add(tier.gross_sales, amount)?;
    let (commission, commission_total) =
        credit_referrer(env, event_id, &mut tier, buyer, referrer, quantity)?;
    storage::save_tier(env, event_id, tier_index, &tier);

    let template = Ticket {
        owner: buyer.clone(),
        event_id: event_id.clone(),
        tier: tier_index,
        face: tier.price,
        status: TicketStatus::Purchased,
        nonce: 0,
        referrer: if commission > 0 {
            referrer.clone()
        } else {
            None
        },
        commission,
    };
    let ids = mint(env, buyer, &template, first_token_id, quantity)?;
    if amount > 0
        && !call::transfer(
            env,
            &event.payment_token,
            buyer,
            &storage::revenue(env),
            amount,
        )
    {
        return Err(TicketingError::PaymentFailed);
    }
    Purchased {
        event_id: event_id.clone(),
        buyer: buyer.clone(),
        tier: tier_index,
        quantity,
        first_token_id,
        price: tier.price,
        amount,
        referrer: referrer.clone(),
        commission: commission_total,
    }
    .emit(env);
    Ok(ids)
}

/// Sets (or, with 0, removes) a referrer's commission rate for an event (the caller checked
/// the attribution contract's auth).
///
/// # Errors
/// * [`TicketingError::InvalidBps`], [`TicketingError::EventNotFound`]
pub fn set_referral_rate(
    env: &Env,
    event_id: &EventId,
    referrer: &Address,
    bps: u32,
) -> Result<(), TicketingError> {
    if bps > passa_common::BPS_DENOMINATOR {
        return Err(TicketingError::InvalidBps);
    }
    storage::load_event(env, event_id)?;
    let key = key::referral_rate(env, event_id.clone(), referrer.clone());
    if bps == 0 {
        storage::drop_entry(env, &key);
    } else {
        storage::save(env, &key, &bps);
    }
    ReferralRateSet {
        event_id: event_id.clone(),
        referrer: referrer.clone(),
        bps,
    }
    .publish(env);
    Ok(())
}

/// Commission owed to `referrer` for the event (net of refunded tickets).
pub fn referral_commission(env: &Env, event_id: &EventId, referrer: &Address) -> i128 {
    storage::load(
        env,
        &key::commission(env, event_id.clone(), referrer.clone()),
    )
    .unwrap_or(0)
}
