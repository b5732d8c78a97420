//! refund (against the test-only revenue mock).

use super::*;
use crate::events::{Burn, Refunded};
use crate::types::TicketStatus;
use crate::TicketingError as E;
use mock_revenue::MockRevenueClient;
use soroban_sdk::IntoVal;

#[test]
fn refund_after_cancellation_burns_and_pays_face_value() {
    let s = Setup::new();
    let e = s.create(1);
    let promoter = Address::generate(&s.env);
    s.client.set_referral_rate(&e, &promoter, &1_000);
    let holder = s.wallet();
    s.client
        .purchase(&holder, &e, &0, &s.ids(2), &2, &Some(promoter.clone()));
    let per_ticket = GA_PRICE / 10;
    s.client.cancel_event(&s.organizer, &e);
    let before = s.token.balance(&holder);

    assert_eq!(s.client.refund(&holder, &1), GA_PRICE);
    assert_eq!(
        s.events(),
        std::vec![
            s.xdr(&Burn {
                from: holder.clone(),
                token_id: 1
            }),
            s.xdr(&Refunded {
                event_id: e.clone(),
                holder: holder.clone(),
                token_id: 1,
                amount: GA_PRICE,
                commission_reversed: per_ticket,
            }),
        ]
    );
    // The holder signs the refund; revenue's pay_refund is authorized by ticketing itself.
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &holder,
            "refund",
            (holder.clone(), 1u32).into_val(&s.env)
        )]
    );
    assert_eq!(s.token.balance(&holder), before + GA_PRICE);
    assert_eq!(s.token.balance(&s.revenue), GA_PRICE);
    assert_eq!(
        MockRevenueClient::new(&s.env, &s.revenue).refunded(),
        GA_PRICE
    );
    assert_eq!(s.client.balance(&holder), 1);
    assert_eq!(s.client.ticket(&1).status, TicketStatus::Refunded);
    assert_eq!(
        s.client.try_owner_of(&1),
        Err(Ok(aborted(E::NonExistentToken)))
    );
    assert_eq!(s.client.referral_commission(&e, &promoter), per_ticket);
    let ledger = s.client.event_ledger(&e);
    assert_eq!(ledger.refunds, GA_PRICE);
    assert_eq!(ledger.commissions, per_ticket);
    assert_eq!(ledger.gross_sales, 2 * GA_PRICE);
    // Never twice.
    assert_eq!(
        s.client.try_refund(&holder, &1),
        Err(Ok(E::NonExistentToken))
    );
    // A refunded ticket's id is never minted again (the mirror keys tickets by id), for any
    // event of the deployment.
    let other = s.create(2);
    assert_eq!(
        s.client.try_purchase(&holder, &other, &0, &1, &1, &None),
        Err(Ok(E::TokenIdTaken))
    );
}

#[test]
fn refund_needs_the_holders_signature() {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 1);
    s.client.cancel_event(&s.organizer, &e);
    let thief = s.wallet();
    refused(
        &s,
        &thief,
        "refund",
        (holder.clone(), 1u32).into_val(&s.env),
    );
    assert_eq!(s.client.try_refund(&thief, &1), Err(Ok(E::IncorrectOwner)));
    assert_eq!(s.client.owner_of(&1), holder);
}

#[test]
fn no_refund_while_the_event_goes_ahead() {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 1);
    assert_eq!(
        s.client.try_refund(&holder, &1),
        Err(Ok(E::RefundNotAllowed))
    );
    s.set_time(END + 1);
    assert_eq!(
        s.client.try_refund(&holder, &1),
        Err(Ok(E::RefundNotAllowed))
    );
}

#[test]
fn refund_window_closes_after_the_deadline() {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 2);
    s.client.cancel_event(&s.organizer, &e);
    let deadline = s.client.event_ledger(&e).refund_deadline;
    s.set_time(deadline);
    s.client.refund(&holder, &1);
    s.set_time(deadline + 1);
    assert_eq!(
        s.client.try_refund(&holder, &2),
        Err(Ok(E::RefundWindowClosed))
    );
}

#[test]
fn postponed_refundable_event_refunds_until_the_new_start() {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 2);
    let (new_start, new_end) = (END + 86_400, END + 2 * 86_400);
    s.client
        .postpone_event(&s.organizer, &e, &new_start, &new_end);
    s.client.refund(&holder, &1);
    s.set_time(new_start + 1);
    assert_eq!(
        s.client.try_refund(&holder, &2),
        Err(Ok(E::RefundWindowClosed))
    );
}

#[test]
fn postponed_non_refundable_event_does_not_refund() {
    let s = Setup::new();
    let mut config = s.config();
    config.refundable = false;
    let e = s.create_with(1, &config);
    let holder = s.wallet();
    s.buy(&holder, &e, 1);
    s.client
        .postpone_event(&s.organizer, &e, &(START + 100), &(END + 100));
    assert_eq!(
        s.client.try_refund(&holder, &1),
        Err(Ok(E::RefundNotAllowed))
    );
    // A cancellation always refunds.
    s.client.cancel_event(&s.organizer, &e);
    s.client.refund(&holder, &1);
}

#[test]
fn used_tickets_are_not_refunded() {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 1);
    s.set_time(START);
    s.client.check_in(&s.organizer, &1);
    s.client.cancel_event(&s.organizer, &e);
    assert_eq!(s.client.try_refund(&holder, &1), Err(Ok(E::TicketUsed)));
}

#[test]
fn resold_ticket_refunds_face_value_to_the_current_holder() {
    let s = Setup::new();
    let e = s.create(1);
    let seller = s.wallet();
    let buyer = s.wallet();
    s.buy(&seller, &e, 1);
    s.client.list(&seller, &1, &(GA_PRICE * 11 / 10));
    s.client.buy_listing(&buyer, &1);
    s.client.cancel_event(&s.organizer, &e);
    let before = s.token.balance(&buyer);
    assert_eq!(s.client.refund(&buyer, &1), GA_PRICE);
    assert_eq!(s.token.balance(&buyer), before + GA_PRICE);
}

#[test]
fn a_refund_the_revenue_contract_refuses_changes_nothing() {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 1);
    s.client.cancel_event(&s.organizer, &e);
    MockRevenueClient::new(&s.env, &s.revenue).refuse();
    let before = s.token.balance(&holder);
    assert_eq!(
        s.client.try_refund(&holder, &1),
        Err(Ok(E::RefundPaymentFailed))
    );
    assert_eq!(s.client.owner_of(&1), holder);
    assert_eq!(s.client.balance(&holder), 1);
    assert_eq!(s.client.event_ledger(&e).refunds, 0);
    assert_eq!(s.token.balance(&holder), before);
}
