//! The rules of attribution, one small function per step. Callers (contract.rs) handle pause
//! and the instance TTL.

use passa_common::call::try_call;
use passa_common::{AttributionTotals, EventId, Share, BPS_DENOMINATOR};
use soroban_sdk::{symbol_short, Address, Env, IntoVal, Map, Symbol, TryFromVal, Val};

use crate::errors::AttributionError;
use crate::events::{
    AttributionLocked, ContributionApproved, ContributionProposed, ContributionRejected,
    ContributionSubmitted,
};
use crate::storage;
use crate::types::{Contribution, ContributionKind, ContributionStatus, EventTotals, Initiator};

/// The event's organizer, as ticketing reports it (`event_ledger(event_id).organizer`; only
/// that field of the map is decoded, which keeps the wasm small).
///
/// # Errors
/// * [`AttributionError::EventNotFound`] - ticketing does not know the event.
fn organizer(env: &Env, event_id: &EventId) -> Result<Address, AttributionError> {
    let args = (event_id,).into_val(env);
    let ledger: Map<Symbol, Val> = try_call(env, &storage::ticketing(env), "event_ledger", args)
        .ok_or(AttributionError::EventNotFound)?;
    ledger
        .get(symbol_short!("organizer"))
        .and_then(|v| Address::try_from_val(env, &v).ok())
        .ok_or(AttributionError::EventNotFound)
}

/// Checks a share's range: bps in 1..=10 000, fixed amount > 0.
///
/// # Errors
/// * [`AttributionError::InvalidShare`]
fn validate_share(share: &Share) -> Result<(), AttributionError> {
    let ok = match share {
        Share::Percentage(bps) | Share::Commission(bps) => *bps > 0 && *bps <= BPS_DENOMINATOR,
        Share::Fixed(amount) => *amount > 0,
    };
    if ok {
        Ok(())
    } else {
        Err(AttributionError::InvalidShare)
    }
}

/// An event's totals, failing when the event is locked.
///
/// # Errors
/// * [`AttributionError::EventLocked`]
fn open_totals(env: &Env, event_id: &EventId) -> Result<EventTotals, AttributionError> {
    let totals = storage::totals(env, event_id);
    if totals.locked {
        return Err(AttributionError::EventLocked);
    }
    Ok(totals)
}

/// Adds a new pending share to the totals, enforcing the seed's 100 % rule over pending +
/// approved percentage shares.
///
/// # Errors
/// * [`AttributionError::PercentageOverflow`]
fn add_pending(totals: &mut EventTotals, share: &Share) -> Result<(), AttributionError> {
    if let Share::Percentage(bps) = share {
        let sum = totals
            .pending_bps
            .checked_add(totals.approved_bps)
            .and_then(|s| s.checked_add(*bps))
            .ok_or(AttributionError::PercentageOverflow)?;
        if sum > BPS_DENOMINATOR {
            return Err(AttributionError::PercentageOverflow);
        }
        totals.pending_bps += bps;
    }
    Ok(())
}

/// Moves an approved share from pending to approved in the totals.
///
/// # Errors
/// * [`AttributionError::Overflow`]
fn add_approved(totals: &mut EventTotals, share: &Share) -> Result<(), AttributionError> {
    match share {
        Share::Percentage(bps) => {
            totals.pending_bps -= bps;
            totals.approved_bps += bps;
        }
        Share::Fixed(amount) => {
            totals.fixed_total = totals
                .fixed_total
                .checked_add(*amount)
                .ok_or(AttributionError::Overflow)?;
        }
        Share::Commission(_) => {}
    }
    totals.contributors = totals
        .contributors
        .checked_add(1)
        .ok_or(AttributionError::Overflow)?;
    Ok(())
}

/// Records a new pending contribution started by `initiator` and returns the organizer.
/// The caller has checked nothing but pause; this function requires the initiator's auth.
///
/// # Errors
/// * [`AttributionError::EventNotFound`], [`AttributionError::EventLocked`],
///   [`AttributionError::InvalidShare`], [`AttributionError::OrganizerCannotContribute`],
///   [`AttributionError::ContributionExists`], [`AttributionError::PercentageOverflow`]
pub fn open(
    env: &Env,
    event_id: &EventId,
    contributor: &Address,
    kind: ContributionKind,
    share: &Share,
    initiator: Initiator,
) -> Result<Address, AttributionError> {
    let organizer = organizer(env, event_id)?;
    match initiator {
        Initiator::Organizer => organizer.require_auth(),
        Initiator::Contributor => contributor.require_auth(),
    }
    if *contributor == organizer {
        return Err(AttributionError::OrganizerCannotContribute);
    }
    validate_share(share)?;
    let mut totals = open_totals(env, event_id)?;
    if let Some(existing) = storage::contribution(env, event_id, contributor) {
        if existing.status != ContributionStatus::Rejected {
            return Err(AttributionError::ContributionExists);
        }
    }
    add_pending(&mut totals, share)?;
    storage::set_totals(env, event_id, &totals);
    let contribution = Contribution {
        kind,
        share: share.clone(),
        status: ContributionStatus::Pending,
        initiator,
        updated_at: passa_common::time::now(env),
    };
    storage::set_contribution(env, event_id, contributor, &contribution);
    Ok(organizer)
}

/// Emits the event for a contribution just opened.
pub fn emit_opened(
    env: &Env,
    event_id: &EventId,
    contributor: &Address,
    organizer: Address,
    kind: ContributionKind,
    share: Share,
    initiator: Initiator,
) {
    let (event_id, contributor) = (event_id.clone(), contributor.clone());
    match initiator {
        Initiator::Organizer => ContributionProposed {
            event_id,
            contributor,
            organizer,
            kind,
            share,
        }
        .publish(env),
        Initiator::Contributor => ContributionSubmitted {
            event_id,
            contributor,
            organizer,
            kind,
            share,
        }
        .publish(env),
    }
}

/// Loads a pending contribution and checks that it was started by `initiator` (so it awaits
/// the other party's consent).
///
/// # Errors
/// * [`AttributionError::ContributionNotFound`], [`AttributionError::NotPending`],
///   [`AttributionError::WrongParty`]
fn pending(
    env: &Env,
    event_id: &EventId,
    contributor: &Address,
    initiator: Initiator,
) -> Result<Contribution, AttributionError> {
    let c = storage::contribution(env, event_id, contributor)
        .ok_or(AttributionError::ContributionNotFound)?;
    if c.status != ContributionStatus::Pending {
        return Err(AttributionError::NotPending);
    }
    if c.initiator != initiator {
        return Err(AttributionError::WrongParty);
    }
    Ok(c)
}

/// Approves a pending contribution started by `initiator`; `approver` (the other party) has
/// already authorized. Sets the referral rate in ticketing for a commission share.
///
/// # Errors
/// * see [`pending`]; [`AttributionError::EventLocked`], [`AttributionError::Overflow`],
///   [`AttributionError::CallFailed`] (ticketing refused the referral rate)
///
/// # Events
/// * [`ContributionApproved`]
pub fn approve(
    env: &Env,
    event_id: &EventId,
    contributor: &Address,
    initiator: Initiator,
    approver: &Address,
) -> Result<(), AttributionError> {
    let mut totals = open_totals(env, event_id)?;
    let mut c = pending(env, event_id, contributor, initiator)?;
    add_approved(&mut totals, &c.share)?;
    storage::set_totals(env, event_id, &totals);
    c.status = ContributionStatus::Approved;
    c.updated_at = passa_common::time::now(env);
    storage::set_contribution(env, event_id, contributor, &c);
    if let Share::Commission(bps) = c.share {
        let args = (event_id, contributor, bps).into_val(env);
        try_call::<()>(env, &storage::ticketing(env), "set_referral_rate", args)
            .ok_or(AttributionError::CallFailed)?;
    }
    ContributionApproved {
        event_id: event_id.clone(),
        contributor: contributor.clone(),
        approved_by: approver.clone(),
        kind: c.kind,
        share: c.share,
    }
    .publish(env);
    Ok(())
}

/// Rejects a pending contribution. The party whose consent it awaits must authorize: the
/// contributor for a proposal, the organizer for a submission.
///
/// # Errors
/// * [`AttributionError::ContributionNotFound`], [`AttributionError::NotPending`],
///   [`AttributionError::EventLocked`], [`AttributionError::EventNotFound`]
///
/// # Events
/// * [`ContributionRejected`]
pub fn reject(
    env: &Env,
    event_id: &EventId,
    contributor: &Address,
) -> Result<(), AttributionError> {
    let mut totals = open_totals(env, event_id)?;
    let mut c = storage::contribution(env, event_id, contributor)
        .ok_or(AttributionError::ContributionNotFound)?;
    if c.status != ContributionStatus::Pending {
        return Err(AttributionError::NotPending);
    }
    let rejected_by = match c.initiator {
        Initiator::Organizer => contributor.clone(),
        Initiator::Contributor => organizer(env, event_id)?,
    };
    rejected_by.require_auth();
    if let Share::Percentage(bps) = c.share {
        totals.pending_bps -= bps;
        storage::set_totals(env, event_id, &totals);
    }
    c.status = ContributionStatus::Rejected;
    c.updated_at = passa_common::time::now(env);
    storage::set_contribution(env, event_id, contributor, &c);
    ContributionRejected {
        event_id: event_id.clone(),
        contributor: contributor.clone(),
        rejected_by,
    }
    .publish(env);
    Ok(())
}

/// Requires the organizer's auth and returns it.
///
/// # Errors
/// * [`AttributionError::EventNotFound`]
pub fn require_organizer(env: &Env, event_id: &EventId) -> Result<Address, AttributionError> {
    let organizer = organizer(env, event_id)?;
    organizer.require_auth();
    Ok(organizer)
}

/// Locks the event (revenue has authorized) and returns its approved totals. Locking twice
/// returns the same totals and emits nothing the second time.
///
/// # Events
/// * [`AttributionLocked`] (first call only)
pub fn lock(env: &Env, event_id: &EventId) -> AttributionTotals {
    let mut totals = storage::totals(env, event_id);
    if !totals.locked {
        totals.locked = true;
        storage::set_totals(env, event_id, &totals);
        AttributionLocked {
            event_id: event_id.clone(),
            fixed_total: totals.fixed_total,
            percentage_bps: totals.approved_bps,
            contributors: totals.contributors,
        }
        .publish(env);
    }
    AttributionTotals {
        fixed_total: totals.fixed_total,
        percentage_bps: totals.approved_bps,
        contributors: totals.contributors,
    }
}

/// The approved share of `contributor`, if any.
pub fn approved_share(env: &Env, event_id: &EventId, contributor: &Address) -> Option<Share> {
    match storage::contribution(env, event_id, contributor) {
        Some(c) if c.status == ContributionStatus::Approved => Some(c.share),
        _ => None,
    }
}
