//! The attribution contract's public interface.

use passa_common::admin_api::AdminApi;
use passa_common::{admin, pause, ttl, AttributionTotals, EventId, Share};
use soroban_sdk::{contract, contractimpl, Address, Env};

use crate::errors::AttributionError;
use crate::logic;
use crate::storage;
use crate::types::{Contribution, ContributionKind, EventTotals, Initiator};

/// Who contributed to an event and what share of its revenue they earn.
#[contract]
pub struct Attribution;

#[contractimpl]
impl Attribution {
    /// Wires the contract at deployment.
    ///
    /// # Arguments
    /// * `admin` - the platform admin (pause, upgrade, admin transfer).
    /// * `ticketing` - the ticketing contract (organizers, referral rates).
    /// * `revenue` - the revenue contract (the only caller of `lock`).
    pub fn __constructor(env: Env, admin: Address, ticketing: Address, revenue: Address) {
        admin::set_admin(&env, &admin);
        storage::set_wiring(&env, &ticketing, &revenue);
        ttl::extend_instance(&env);
    }

    // ---- consent ------------------------------------------------------------------------

    /// The organizer proposes a contribution; the contributor must [`accept`](Self::accept).
    /// A rejected contribution may be proposed again.
    ///
    /// # Arguments
    /// * `event_id` - the event (its organizer, from ticketing, must authorize).
    /// * `contributor` - who contributed.
    /// * `kind` - what they did.
    /// * `share` - what they earn.
    ///
    /// # Errors
    /// * [`AttributionError::Paused`], [`AttributionError::EventNotFound`],
    ///   [`AttributionError::EventLocked`], [`AttributionError::InvalidShare`],
    ///   [`AttributionError::OrganizerCannotContribute`],
    ///   [`AttributionError::ContributionExists`], [`AttributionError::PercentageOverflow`]
    ///
    /// # Events
    /// * [`ContributionProposed`](crate::events::ContributionProposed)
    pub fn propose(
        env: Env,
        event_id: EventId,
        contributor: Address,
        kind: ContributionKind,
        share: Share,
    ) -> Result<(), AttributionError> {
        Self::open(
            env,
            event_id,
            contributor,
            kind,
            share,
            Initiator::Organizer,
        )
    }

    /// The contributor submits a contribution; the organizer must [`approve`](Self::approve).
    ///
    /// # Arguments
    /// * `event_id` - the event.
    /// * `contributor` - who contributed; must authorize.
    /// * `kind` - what they did.
    /// * `share` - what they ask for.
    ///
    /// # Errors
    /// * as [`propose`](Self::propose).
    ///
    /// # Events
    /// * [`ContributionSubmitted`](crate::events::ContributionSubmitted)
    pub fn submit(
        env: Env,
        event_id: EventId,
        contributor: Address,
        kind: ContributionKind,
        share: Share,
    ) -> Result<(), AttributionError> {
        Self::open(
            env,
            event_id,
            contributor,
            kind,
            share,
            Initiator::Contributor,
        )
    }

    /// The contributor accepts the organizer's proposal; the contribution is approved. A
    /// `Commission` share sets the referral rate in ticketing.
    ///
    /// # Arguments
    /// * `event_id` - the event.
    /// * `contributor` - the contributor; must authorize.
    ///
    /// # Errors
    /// * [`AttributionError::Paused`], [`AttributionError::EventLocked`],
    ///   [`AttributionError::ContributionNotFound`], [`AttributionError::NotPending`],
    ///   [`AttributionError::WrongParty`] (it was submitted by the contributor),
    ///   [`AttributionError::Overflow`], [`AttributionError::CallFailed`]
    ///
    /// # Events
    /// * [`ContributionApproved`](crate::events::ContributionApproved) with
    ///   `approved_by = contributor`
    pub fn accept(
        env: Env,
        event_id: EventId,
        contributor: Address,
    ) -> Result<(), AttributionError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        contributor.require_auth();
        logic::approve(
            &env,
            &event_id,
            &contributor,
            Initiator::Organizer,
            &contributor,
        )
    }

    /// The organizer approves the contributor's submission; the contribution is approved. A
    /// `Commission` share sets the referral rate in ticketing.
    ///
    /// # Arguments
    /// * `event_id` - the event (its organizer must authorize).
    /// * `contributor` - the contributor.
    ///
    /// # Errors
    /// * as [`accept`](Self::accept), plus [`AttributionError::EventNotFound`];
    ///   [`AttributionError::WrongParty`] when it was proposed by the organizer.
    ///
    /// # Events
    /// * [`ContributionApproved`](crate::events::ContributionApproved) with
    ///   `approved_by = organizer`
    pub fn approve(
        env: Env,
        event_id: EventId,
        contributor: Address,
    ) -> Result<(), AttributionError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        let organizer = logic::require_organizer(&env, &event_id)?;
        logic::approve(
            &env,
            &event_id,
            &contributor,
            Initiator::Contributor,
            &organizer,
        )
    }

    /// The party whose consent a pending contribution awaits refuses it: the contributor for
    /// a proposal, the organizer for a submission. Its percentage no longer counts.
    ///
    /// # Arguments
    /// * `event_id` - the event.
    /// * `contributor` - the contributor.
    ///
    /// # Errors
    /// * [`AttributionError::Paused`], [`AttributionError::EventLocked`],
    ///   [`AttributionError::ContributionNotFound`], [`AttributionError::NotPending`],
    ///   [`AttributionError::EventNotFound`]
    ///
    /// # Events
    /// * [`ContributionRejected`](crate::events::ContributionRejected)
    pub fn reject(
        env: Env,
        event_id: EventId,
        contributor: Address,
    ) -> Result<(), AttributionError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        logic::reject(&env, &event_id, &contributor)
    }

    // ---- settlement -----------------------------------------------------------------------

    /// Locks the event's attribution for good and returns its approved totals; revenue only
    /// (at settlement). Calling it again returns the same totals.
    ///
    /// # Arguments
    /// * `event_id` - the event.
    ///
    /// # Errors
    /// * [`AttributionError::Paused`]; host `Error(Auth, …)` unless revenue authorized.
    ///
    /// # Events
    /// * [`AttributionLocked`](crate::events::AttributionLocked) (first call only)
    pub fn lock(env: Env, event_id: EventId) -> Result<AttributionTotals, AttributionError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        storage::revenue(&env).require_auth();
        Ok(logic::lock(&env, &event_id))
    }

    // ---- getters ---------------------------------------------------------------------------

    /// The approved share of `contributor` for the event, if any.
    pub fn approved_share(env: Env, event_id: EventId, contributor: Address) -> Option<Share> {
        ttl::extend_instance(&env);
        logic::approved_share(&env, &event_id, &contributor)
    }

    /// The contribution of `contributor` for the event, whatever its status.
    pub fn contribution(env: Env, event_id: EventId, contributor: Address) -> Option<Contribution> {
        ttl::extend_instance(&env);
        storage::contribution(&env, &event_id, &contributor)
    }

    /// The event's running totals (zero for an event without contributions).
    pub fn totals(env: Env, event_id: EventId) -> EventTotals {
        ttl::extend_instance(&env);
        storage::totals(&env, &event_id)
    }

    /// The ticketing contract this contract was wired with.
    pub fn ticketing(env: Env) -> Address {
        ttl::extend_instance(&env);
        storage::ticketing(&env)
    }

    /// The revenue contract this contract was wired with.
    pub fn revenue(env: Env) -> Address {
        ttl::extend_instance(&env);
        storage::revenue(&env)
    }
}

/// `admin`, `pending_admin`, `transfer_admin`, `accept_admin`, `paused`, `pause`, `unpause`,
/// `upgrade`: the shared entry points of [`AdminApi`]. The pause stops every consent path and
/// `lock`.
#[contractimpl(contracttrait)]
impl AdminApi for Attribution {}

impl Attribution {
    fn open(
        env: Env,
        event_id: EventId,
        contributor: Address,
        kind: ContributionKind,
        share: Share,
        initiator: Initiator,
    ) -> Result<(), AttributionError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        let organizer = logic::open(&env, &event_id, &contributor, kind, &share, initiator)?;
        logic::emit_opened(
            &env,
            &event_id,
            &contributor,
            organizer,
            kind,
            share,
            initiator,
        );
        Ok(())
    }
}
