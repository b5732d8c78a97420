//! The revenue contract's public interface.

use passa_common::admin_api::AdminApi;
use passa_common::{admin, pause, ttl, EventId};
use soroban_sdk::{contract, contractimpl, panic_with_error, Address, Env, Vec};

use crate::errors::RevenueError;
use crate::logic;
use crate::storage;
use crate::types::{Config, Settlement};
use crate::MAX_DISTRIBUTE;

/// Escrow, settlement and claims of every event's money.
#[contract]
pub struct Revenue;

#[contractimpl]
impl Revenue {
    /// Wires and configures the contract at deployment.
    ///
    /// # Arguments
    /// * `admin` - the platform admin (pause, upgrade, co-signs high-value settlements).
    /// * `ticketing` - the ticketing contract (the only caller of `pay_refund`).
    /// * `attribution` - the attribution contract (shares, locked at settlement).
    /// * `treasury` - receives the platform fee.
    /// * `platform_fee_bps` - platform fee in bps of net (≤ 10 000).
    /// * `high_value_threshold` - above this net, settlement also needs the admin (≥ 0).
    ///
    /// # Errors
    /// * [`RevenueError::InvalidConfig`] (the deployment fails).
    pub fn __constructor(
        env: Env,
        admin: Address,
        ticketing: Address,
        attribution: Address,
        treasury: Address,
        platform_fee_bps: u32,
        high_value_threshold: i128,
    ) {
        if platform_fee_bps > passa_common::BPS_DENOMINATOR || high_value_threshold < 0 {
            panic_with_error!(&env, RevenueError::InvalidConfig);
        }
        admin::set_admin(&env, &admin);
        storage::set_config(
            &env,
            &Config {
                ticketing,
                attribution,
                treasury,
                platform_fee_bps,
                high_value_threshold,
            },
        );
        ttl::extend_instance(&env);
    }

    // ---- money -----------------------------------------------------------------------------

    /// Pays a refund from the event's escrow to the ticket holder; ticketing only, before
    /// settlement.
    ///
    /// # Arguments
    /// * `event_id` - the event.
    /// * `token` - the event's payment token.
    /// * `holder` - who receives the refund.
    /// * `amount` - the ticket's face value (> 0).
    ///
    /// # Errors
    /// * [`RevenueError::Paused`], [`RevenueError::InvalidAmount`],
    ///   [`RevenueError::AlreadySettled`], [`RevenueError::Overflow`];
    ///   host `Error(Auth, …)` unless ticketing authorized.
    ///
    /// # Events
    /// * [`RefundPaid`](crate::events::RefundPaid) (and the token's `transfer`).
    pub fn pay_refund(
        env: Env,
        event_id: EventId,
        token: Address,
        holder: Address,
        amount: i128,
    ) -> Result<(), RevenueError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        storage::config(&env).ticketing.require_auth();
        logic::pay_refund(&env, &event_id, &token, &holder, amount)
    }

    /// Settles an event and freezes its pool; pays the platform fee to the treasury. The
    /// organizer signs; when net exceeds the high-value threshold the admin signs too.
    ///
    /// # Arguments
    /// * `event_id` - an event that ended, or was cancelled and whose refund window closed.
    ///
    /// # Errors
    /// * [`RevenueError::Paused`], [`RevenueError::AlreadySettled`],
    ///   [`RevenueError::EventNotFound`], [`RevenueError::EventNotOver`],
    ///   [`RevenueError::AccountingMismatch`], [`RevenueError::Overflow`];
    ///   host `Error(Auth, …)` for a missing signature.
    ///
    /// # Events
    /// * [`Settled`](crate::events::Settled), attribution's `AttributionLocked`, the token's
    ///   `transfer` of the fee.
    pub fn settle(env: Env, event_id: EventId) -> Result<Settlement, RevenueError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        logic::settle(&env, &event_id)
    }

    /// Pays `payee` what it is owed for a settled event: a contributor once, the organizer its
    /// remainder (and, after every contributor claimed, the rounding dust). Anyone may call;
    /// the funds always go to `payee`.
    ///
    /// # Arguments
    /// * `event_id` - a settled event.
    /// * `payee` - a contributor with an approved share, or the organizer.
    ///
    /// # Returns
    /// The amount paid (0 for a contributor whose share came to nothing).
    ///
    /// # Errors
    /// * [`RevenueError::Paused`], [`RevenueError::NotSettled`],
    ///   [`RevenueError::AlreadyClaimed`], [`RevenueError::NotAPayee`],
    ///   [`RevenueError::NothingToClaim`], [`RevenueError::AccountingMismatch`],
    ///   [`RevenueError::Overflow`]
    ///
    /// # Events
    /// * [`Claimed`](crate::events::Claimed) (and the token's `transfer` when > 0).
    pub fn claim(env: Env, event_id: EventId, payee: Address) -> Result<i128, RevenueError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        let mut st = logic::settled(&env, &event_id)?;
        let amount = logic::claim_in(&env, &mut st, &event_id, &payee)?;
        storage::set_settlement(&env, &event_id, &st);
        Ok(amount)
    }

    /// Claims for up to [`MAX_DISTRIBUTE`] payees at once; payees already paid (or, for the
    /// organizer, owed nothing now) are skipped. List the organizer last to sweep the dust.
    ///
    /// # Arguments
    /// * `event_id` - a settled event.
    /// * `payees` - contributors and/or the organizer.
    ///
    /// # Returns
    /// Σ paid by this call.
    ///
    /// # Errors
    /// * [`RevenueError::BatchTooLarge`], and as [`claim`](Self::claim) except
    ///   `AlreadyClaimed` / `NothingToClaim`; any error fails the whole batch.
    ///
    /// # Events
    /// * one [`Claimed`](crate::events::Claimed) per payee paid.
    pub fn distribute(
        env: Env,
        event_id: EventId,
        payees: Vec<Address>,
    ) -> Result<i128, RevenueError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        if payees.len() > MAX_DISTRIBUTE {
            return Err(RevenueError::BatchTooLarge);
        }
        let mut st = logic::settled(&env, &event_id)?;
        let mut total: i128 = 0;
        for i in 0..payees.len() {
            let payee = payees.get_unchecked(i);
            match logic::claim_in(&env, &mut st, &event_id, &payee) {
                Ok(amount) => total = total.checked_add(amount).ok_or(RevenueError::Overflow)?,
                Err(RevenueError::AlreadyClaimed) | Err(RevenueError::NothingToClaim) => {}
                Err(e) => return Err(e),
            }
        }
        storage::set_settlement(&env, &event_id, &st);
        Ok(total)
    }

    // ---- getters ---------------------------------------------------------------------------

    /// The event's settlement (frozen numbers and claim progress), if settled.
    pub fn settlement(env: Env, event_id: EventId) -> Option<Settlement> {
        ttl::extend_instance(&env);
        storage::settlement(&env, &event_id)
    }

    /// What a claim by `payee` would pay now.
    ///
    /// # Errors
    /// * as [`claim`](Self::claim), without recording anything.
    pub fn claimable(env: Env, event_id: EventId, payee: Address) -> Result<i128, RevenueError> {
        ttl::extend_instance(&env);
        let st = logic::settled(&env, &event_id)?;
        logic::due(&env, &st, &event_id, &payee)
    }

    /// Σ paid to `payee` for the event so far (0 if nothing).
    pub fn paid(env: Env, event_id: EventId, payee: Address) -> i128 {
        ttl::extend_instance(&env);
        match storage::settlement(&env, &event_id) {
            Some(st) if st.organizer == payee => st.organizer_paid,
            _ => storage::paid(&env, &event_id, &payee).unwrap_or(0),
        }
    }

    /// Σ refunds the escrow paid for the event.
    pub fn refunds_paid(env: Env, event_id: EventId) -> i128 {
        ttl::extend_instance(&env);
        storage::refunds(&env, &event_id)
    }

    /// The configuration (wiring, treasury, fee, high-value threshold).
    pub fn config(env: Env) -> Config {
        ttl::extend_instance(&env);
        storage::config(&env)
    }

    /// The ticketing contract.
    pub fn ticketing(env: Env) -> Address {
        Self::config(env).ticketing
    }

    /// The attribution contract.
    pub fn attribution(env: Env) -> Address {
        Self::config(env).attribution
    }

    /// The treasury.
    pub fn treasury(env: Env) -> Address {
        Self::config(env).treasury
    }

    /// The platform fee, bps.
    pub fn platform_fee_bps(env: Env) -> u32 {
        Self::config(env).platform_fee_bps
    }

    /// The high-value threshold.
    pub fn high_value_threshold(env: Env) -> i128 {
        Self::config(env).high_value_threshold
    }
}

/// `admin`, `pending_admin`, `transfer_admin`, `accept_admin`, `paused`, `pause`, `unpause`,
/// `upgrade`: the shared entry points of [`AdminApi`]. The pause stops `pay_refund`, `settle`,
/// `claim` and `distribute`.
#[contractimpl(contracttrait)]
impl AdminApi for Revenue {}
