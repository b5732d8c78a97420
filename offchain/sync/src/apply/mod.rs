//! Applying one decoded event to the mirror's tables (DESIGN §4.2's mapping). Every statement
//! is a constant below; the caller runs each event inside a savepoint of the page's
//! transaction and rolls the savepoint back when the event is parked (by us or by a refusing
//! constraint), so a parked event leaves no trace but its `parked_events` row.
//!
//! Amounts: raw token units in the `*_raw` columns; the human columns divide by 10^7 (Stellar
//! assets have 7 decimals, DESIGN §3).
//!
//! | event (contract) | rows | parked when |
//! |---|---|---|
//! | `organizer_verified` / `organizer_revoked` (ticketing) | `organizers.is_verified`, `verified_at`, `stellar_address` | no organizer has that stellar wallet |
//! | `event_created` | `events`: contract, status published, dates, sales window, capacity, tiers, min/max price, organizer and token addresses, ticket terms (transfers, resale cap and royalty, refunds, metadata URI) | no row with that UUID; the address is not a wallet of the row's organizer; the publication trigger refuses (organizer not verified in the mirror) |
//! | `event_postponed` / `event_cancelled` | `events` status and dates, `cancelled_at`, `refund_deadline` | the event is not published in the mirror |
//! | `purchased` | one `tickets` row per token (owner address and user through `wallets`, tier, face value, referrer, commission, purchase transaction); `events.tickets_sold` and raw sales / commission totals | the event is not published in the mirror |
//! | `transfer` | `tickets` owner, `transfer_count`, listing cleared; a `ticket_transfers` row | no such ticket; the mirror has another holder |
//! | `listed` / `delisted` / `resold` | `tickets` listing and `current_price`; the resale's price and royalty on its `ticket_transfers` row; `events.royalties_raw` | as transfer |
//! | `checked_in` / `refunded` | `tickets` status, `used_at` / `refunded_at`; `events.refunds_raw`, commission reversed | no such ticket of that event |
//! | `contribution_proposed` / `_submitted` / `_approved` / `_rejected` (attribution) | `attribution` by (event, contributor address): share (bps = share × 10 000 exactly), status, proposer, approver, rejecter | no such event; no contribution to approve or reject |
//! | `settled` (revenue) | `attribution.amount_earned` of the approved contributions | no such event |
//! | `claimed` (revenue) | `attribution` paid: amounts, `last_payout_at`, payout transaction (the organizer's claim has no row) | no contribution of that payee |
//! | mint, burn, approvals, gate operators, referral rates, locks, refund payments, admin, pause, upgrade | nothing (their facts arrive with the events above) | — |
//!
//! Every applied event also confirms its transaction in `transactions` (ledger, type, amount;
//! sender and fee from getTransaction) and appends to `audit_logs` (`chain.<event>`).

mod attribution;
mod events;
mod organizers;
mod revenue;
mod support;
mod tickets;

use sqlx::PgConnection;

use crate::decode::Decoded;
use crate::purchases::{self, Purchase};
use crate::rows::{record_transaction, Origin};
use attribution::Contribution;
use events::Publication;
use revenue::Settlement;
use support::Change;
pub(crate) use support::Outcome;
use tickets::Refund;

/// Applies `decoded` to the mirror. `Err` only for database errors; the caller parks the
/// event when the database refused it (a constraint or a rule trigger).
pub(crate) async fn apply(
    db: &mut PgConnection,
    origin: &Origin<'_>,
    decoded: &Decoded,
    value_json: &serde_json::Value,
) -> Result<Outcome, sqlx::Error> {
    let c = &mut Change {
        db,
        origin,
        value_json,
    };
    let outcome = match decoded {
        Decoded::Ignored => return Ok(Outcome::Ignored),
        // Both record their transaction themselves.
        Decoded::Purchased { .. } => return purchased(c, decoded).await,
        Decoded::Claimed {
            event,
            payee,
            amount: _,
            total_paid,
        } => return revenue::claimed(c, decoded, event, payee, *total_paid).await,
        Decoded::OrganizerVerified { organizer } => {
            organizers::set_verified(c, organizer, true).await?
        }
        Decoded::OrganizerRevoked { organizer } => {
            organizers::set_verified(c, organizer, false).await?
        }
        Decoded::EventCreated { .. }
        | Decoded::EventPostponed { .. }
        | Decoded::EventCancelled { .. } => event_changed(c, decoded).await?,
        Decoded::Transfer { .. }
        | Decoded::Listed { .. }
        | Decoded::Delisted { .. }
        | Decoded::Resold { .. }
        | Decoded::CheckedIn { .. }
        | Decoded::Refunded { .. } => ticket_changed(c, decoded).await?,
        Decoded::ContributionOpened { .. }
        | Decoded::ContributionApproved { .. }
        | Decoded::ContributionRejected { .. } => contribution_changed(c, decoded).await?,
        Decoded::Settled {
            event,
            pool,
            pct_pool,
            commissions,
            fixed_total,
            scaled,
        } => {
            let settlement = Settlement {
                event,
                pool: *pool,
                pct_pool: *pct_pool,
                commissions: *commissions,
                fixed_total: *fixed_total,
                scaled: *scaled,
            };
            revenue::settled(c, &settlement).await?
        }
    };
    if outcome == Outcome::Applied {
        record_transaction(c.db, origin, decoded).await?;
    }
    Ok(outcome)
}

/// A single purchase goes through the statements of a run of them.
async fn purchased(c: &mut Change<'_, '_>, decoded: &Decoded) -> Result<Outcome, sqlx::Error> {
    let purchase = Purchase {
        origin: c.origin,
        decoded,
        value_json: c.value_json,
    };
    Ok(match purchases::apply(c.db, &[purchase]).await? {
        Ok(()) => Outcome::Applied,
        Err((_, refusal)) => Outcome::Parked(refusal.code, refusal.reason),
    })
}

async fn event_changed(c: &mut Change<'_, '_>, decoded: &Decoded) -> Result<Outcome, sqlx::Error> {
    match decoded {
        Decoded::EventCreated {
            event,
            organizer,
            payment_token,
            tiers,
            capacity,
            sales_start,
            sales_end,
            start,
            end,
            terms,
        } => {
            let publication = Publication {
                event,
                organizer,
                payment_token,
                tiers,
                capacity: *capacity,
                sales: (*sales_start, *sales_end),
                dates: (*start, *end),
                terms: terms.as_ref(),
            };
            events::created(c, &publication).await
        }
        Decoded::EventPostponed { event, start, end } => {
            events::postponed(c, event, *start, *end).await
        }
        Decoded::EventCancelled {
            event,
            refund_deadline,
        } => events::cancelled(c, event, *refund_deadline).await,
        _ => Ok(Outcome::Ignored),
    }
}

async fn ticket_changed(c: &mut Change<'_, '_>, decoded: &Decoded) -> Result<Outcome, sqlx::Error> {
    match decoded {
        Decoded::Transfer { from, to, token_id } => {
            tickets::transferred(c, from, to, *token_id).await
        }
        Decoded::Listed {
            token_id,
            seller,
            price,
            live_until_ledger,
        } => tickets::listed(c, *token_id, seller, *price, *live_until_ledger).await,
        Decoded::Delisted { token_id, seller } => tickets::delisted(c, *token_id, seller).await,
        Decoded::Resold {
            token_id,
            seller: _,
            buyer,
            price,
            royalty,
        } => tickets::resold(c, *token_id, buyer, *price, *royalty).await,
        Decoded::CheckedIn {
            event,
            token_id,
            operator,
        } => tickets::checked_in(c, event, *token_id, operator).await,
        Decoded::Refunded {
            event,
            holder,
            token_id,
            amount,
            commission_reversed,
        } => {
            let refund = Refund {
                event,
                holder,
                token_id: *token_id,
                amount: *amount,
                commission_reversed: *commission_reversed,
            };
            tickets::refunded(c, &refund).await
        }
        _ => Ok(Outcome::Ignored),
    }
}

async fn contribution_changed(
    c: &mut Change<'_, '_>,
    decoded: &Decoded,
) -> Result<Outcome, sqlx::Error> {
    match decoded {
        Decoded::ContributionOpened {
            event,
            contributor,
            organizer,
            kind,
            share,
            submitted,
        } => {
            let contribution = Contribution {
                event,
                contributor,
                kind,
                share: *share,
            };
            attribution::opened(c, &contribution, organizer, *submitted).await
        }
        Decoded::ContributionApproved {
            event,
            contributor,
            approved_by,
            kind,
            share,
        } => {
            let contribution = Contribution {
                event,
                contributor,
                kind,
                share: *share,
            };
            attribution::approved(c, &contribution, approved_by).await
        }
        Decoded::ContributionRejected {
            event,
            contributor,
            rejected_by,
        } => attribution::rejected(c, event, contributor, rejected_by).await,
        _ => Ok(Outcome::Ignored),
    }
}
