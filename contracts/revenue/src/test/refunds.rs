use passa_common::testutils::auth;
use passa_common::Share;
use soroban_sdk::testutils::Address as _;
use soroban_sdk::{Address, IntoVal};

use super::setup;
use crate::events::RefundPaid;
use crate::RevenueError as E;

#[test]
fn ticketing_pays_a_refund_from_escrow() {
    let s = setup();
    let promoter = s.contributor(Share::Commission(1_000));
    let holder = Address::generate(&s.env);
    let commission = s.sell(1_000, Some(&promoter));
    s.sell(1_000, None);
    s.ticketing.refund(
        &s.event_id,
        &holder,
        &1_000,
        &Some(promoter.clone()),
        &commission,
    );
    s.assert_events(&[&RefundPaid {
        event_id: s.event_id.clone(),
        holder: holder.clone(),
        token: s.token.address.clone(),
        amount: 1_000,
    }]);
    assert_eq!(s.balance(&holder), 1_000);
    assert_eq!(s.balance(&s.id()), 1_000);
    assert_eq!(s.revenue.refunds_paid(&s.event_id), 1_000);
    assert_eq!(s.ticketing.referral_commission(&s.event_id, &promoter), 0);
}

#[test]
fn direct_call_signed_by_ticketing() {
    let s = setup();
    s.sell(500, None);
    let holder = Address::generate(&s.env);
    let tk = s.token.address.clone();
    let args = (&s.event_id, &tk, &holder, 200i128).into_val(&s.env);
    auth::sign(&s.env, &s.ticketing.address, &s.id(), "pay_refund", args);
    s.revenue.pay_refund(&s.event_id, &tk, &holder, &200);
    let args = (&s.event_id, &tk, &holder, 200i128).into_val(&s.env);
    auth::assert_only(&s.env, &s.ticketing.address, &s.id(), "pay_refund", args);
    assert_eq!(s.balance(&holder), 200);
}

#[test]
fn refund_errors() {
    let s = setup();
    s.sell(500, None);
    let holder = Address::generate(&s.env);
    let tk = s.token.address.clone();
    s.env.mock_all_auths();
    assert_eq!(
        s.revenue.try_pay_refund(&s.event_id, &tk, &holder, &0),
        Err(Ok(E::InvalidAmount))
    );
    assert_eq!(
        s.revenue.try_pay_refund(&s.event_id, &tk, &holder, &-1),
        Err(Ok(E::InvalidAmount))
    );
    s.revenue.pause();
    assert_eq!(
        s.revenue.try_pay_refund(&s.event_id, &tk, &holder, &1),
        Err(Ok(E::Paused))
    );
    s.revenue.unpause();
    s.settle();
    s.env.mock_all_auths();
    assert_eq!(
        s.revenue.try_pay_refund(&s.event_id, &tk, &holder, &1),
        Err(Ok(E::AlreadySettled))
    );
}
