//! purchase, referral rates and commissions.

use super::*;
use crate::events::{Mint, Purchased, ReferralRateSet};
use crate::types::{Ticket, TicketStatus};
use crate::TicketingError as E;
use soroban_sdk::IntoVal;

fn purchased(
    s: &Setup,
    event_id: &EventId,
    buyer: &Address,
    quantity: u32,
    first: u32,
    referrer: Option<Address>,
    commission: i128,
) -> ContractEvent {
    s.xdr(&Purchased {
        event_id: event_id.clone(),
        buyer: buyer.clone(),
        tier: 0,
        quantity,
        first_token_id: first,
        price: GA_PRICE,
        amount: GA_PRICE * quantity as i128,
        referrer,
        commission,
    })
}

#[test]
fn purchase_pays_escrow_mints_and_records() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    let before = s.token.balance(&buyer);

    let ids = s.client.purchase(&buyer, &e, &0, &2, &None);

    assert_eq!(ids, vec![&s.env, 1, 2]);
    assert_eq!(
        s.events(),
        std::vec![
            s.xdr(&Mint {
                to: buyer.clone(),
                token_id: 1
            }),
            s.xdr(&Mint {
                to: buyer.clone(),
                token_id: 2
            }),
            purchased(&s, &e, &buyer, 2, 1, None, 0),
        ]
    );
    // The buyer signs once: the purchase, with the payment as its sub-invocation.
    let args: Vec<Val> = (buyer.clone(), e.clone(), 0u32, 2u32, None::<Address>).into_val(&s.env);
    let mut expected = auth_of(&s, &buyer, "purchase", args);
    expected.1.sub_invocations = std::vec![AuthorizedInvocation {
        function: AuthorizedFunction::Contract((
            s.token.address.clone(),
            Symbol::new(&s.env, "transfer"),
            (buyer.clone(), s.revenue.clone(), 2 * GA_PRICE).into_val(&s.env),
        )),
        sub_invocations: std::vec![],
    }];
    assert_eq!(s.env.auths(), std::vec![expected]);

    assert_eq!(s.token.balance(&buyer), before - 2 * GA_PRICE);
    assert_eq!(s.token.balance(&s.revenue), 2 * GA_PRICE);
    assert_eq!(s.client.balance(&buyer), 2);
    assert_eq!(s.client.owner_of(&2), buyer);
    assert_eq!(s.client.tier_sold(&e, &0), 2);
    assert_eq!(s.bought(&e, 0, &buyer), 2);
    assert_eq!(s.next_id(), 3);
    assert_eq!(
        s.client.ticket(&1),
        Ticket {
            owner: buyer.clone(),
            event_id: e.clone(),
            tier: 0,
            face: GA_PRICE,
            status: TicketStatus::Purchased,
            nonce: 0,
            referrer: None,
            commission: 0,
        }
    );
    let ledger = s.client.event_ledger(&e);
    assert_eq!(ledger.gross_sales, 2 * GA_PRICE);
    assert_eq!(ledger.commissions, 0);
}

#[test]
fn purchase_fails_past_supply() {
    let s = Setup::new();
    let e = s.create(1);
    // VIP: supply 5, limit 5 per wallet.
    s.client.purchase(&s.wallet(), &e, &1, &3, &None);
    s.client.purchase(&s.wallet(), &e, &1, &2, &None);
    let late = s.wallet();
    assert_eq!(
        s.client.try_purchase(&late, &e, &1, &1, &None),
        Err(Ok(E::SoldOut))
    );
    assert_eq!(s.client.tier_sold(&e, &1), VIP_SUPPLY);
    assert_eq!(s.client.balance(&late), 0);
}

#[test]
fn purchase_fails_past_wallet_limit() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    s.buy(&buyer, &e, 3);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &2, &None),
        Err(Ok(E::WalletLimitExceeded))
    );
    s.buy(&buyer, &e, 1);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &1, &None),
        Err(Ok(E::WalletLimitExceeded))
    );
    // The limit follows purchases, not holdings: transferring does not reopen it.
    let friend = s.wallet();
    s.client.transfer(&buyer, &friend, &1);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &1, &None),
        Err(Ok(E::WalletLimitExceeded))
    );
}

#[test]
fn purchase_fails_outside_sales_window() {
    let s = Setup::new();
    let mut config = s.config();
    config.sales_start = T0 + 100;
    config.sales_end = T0 + 200;
    let e = s.create_with(1, &config);
    let buyer = s.wallet();
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &1, &None),
        Err(Ok(E::SalesClosed))
    );
    s.set_time(T0 + 100);
    s.buy(&buyer, &e, 1);
    s.set_time(T0 + 200);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &1, &None),
        Err(Ok(E::SalesClosed))
    );
    s.set_time(END);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &1, &None),
        Err(Ok(E::EventEnded))
    );
}

#[test]
fn purchase_fails_on_cancelled_event() {
    let s = Setup::new();
    let e = s.create(1);
    s.client.cancel_event(&s.organizer, &e);
    assert_eq!(
        s.client.try_purchase(&s.wallet(), &e, &0, &1, &None),
        Err(Ok(E::EventCancelled))
    );
}

#[test]
fn purchase_fails_when_paused() {
    let s = Setup::new();
    let e = s.create(1);
    s.client.pause();
    let buyer = s.wallet();
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &1, &None),
        Err(Ok(E::Paused))
    );
    s.client.unpause();
    s.buy(&buyer, &e, 1);
}

#[test]
fn purchase_rejects_bad_arguments() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    for quantity in [0, 11] {
        assert_eq!(
            s.client.try_purchase(&buyer, &e, &0, &quantity, &None),
            Err(Ok(E::InvalidQuantity))
        );
    }
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &2, &1, &None),
        Err(Ok(E::TierNotFound))
    );
    assert_eq!(
        s.client
            .try_purchase(&buyer, &event_id(&s.env, 9), &0, &1, &None),
        Err(Ok(E::EventNotFound))
    );
    assert_eq!(
        s.client
            .try_purchase(&buyer, &e, &0, &1, &Some(buyer.clone())),
        Err(Ok(E::SelfReferral))
    );
}

#[test]
fn purchase_fails_without_funds_and_changes_nothing() {
    let s = Setup::new();
    let e = s.create(1);
    let broke = Address::generate(&s.env);
    assert_eq!(
        s.client.try_purchase(&broke, &e, &0, &1, &None),
        Err(Ok(E::PaymentFailed))
    );
    assert_eq!(s.client.tier_sold(&e, &0), 0);
    assert_eq!(s.client.balance(&broke), 0);
    assert_eq!(s.next_id(), 1);
}

#[test]
fn purchase_needs_the_buyers_signature() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    let thief = s.wallet();
    let args: Vec<Val> = (buyer.clone(), e.clone(), 0u32, 1u32, None::<Address>).into_val(&s.env);
    refused(&s, &thief, "purchase", args);
    assert_eq!(s.client.balance(&buyer), 0);
}

#[test]
fn referral_commission_is_credited_per_ticket() {
    let s = Setup::new();
    let e = s.create(1);
    let promoter = Address::generate(&s.env);
    s.client.set_referral_rate(&e, &promoter, &1_000);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&ReferralRateSet {
            event_id: e.clone(),
            referrer: promoter.clone(),
            bps: 1_000
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &s.attribution,
            "set_referral_rate",
            (e.clone(), promoter.clone(), 1_000u32).into_val(&s.env)
        )]
    );
    assert_eq!(s.rate(&e, &promoter), 1_000);

    let buyer = s.wallet();
    s.client
        .purchase(&buyer, &e, &0, &3, &Some(promoter.clone()));
    let per_ticket = GA_PRICE / 10;
    let last = s.events().pop().unwrap();
    assert_eq!(
        last,
        purchased(&s, &e, &buyer, 3, 1, Some(promoter.clone()), 3 * per_ticket)
    );
    assert_eq!(s.client.referral_commission(&e, &promoter), 3 * per_ticket);
    assert_eq!(s.client.event_ledger(&e).commissions, 3 * per_ticket);
    let ticket = s.client.ticket(&2);
    assert_eq!(ticket.referrer, Some(promoter.clone()));
    assert_eq!(ticket.commission, per_ticket);
}

#[test]
fn referrer_without_rate_earns_nothing() {
    let s = Setup::new();
    let e = s.create(1);
    let promoter = Address::generate(&s.env);
    let buyer = s.wallet();
    s.client
        .purchase(&buyer, &e, &0, &1, &Some(promoter.clone()));
    assert_eq!(s.client.referral_commission(&e, &promoter), 0);
    assert_eq!(s.client.ticket(&1).referrer, None);
    // Removing a rate (0) stops commissions for later purchases.
    s.client.set_referral_rate(&e, &promoter, &500);
    s.client.set_referral_rate(&e, &promoter, &0);
    assert_eq!(s.rate(&e, &promoter), 0);
    s.client
        .purchase(&buyer, &e, &0, &1, &Some(promoter.clone()));
    assert_eq!(s.client.referral_commission(&e, &promoter), 0);
}

#[test]
fn set_referral_rate_is_for_attribution_only() {
    let s = Setup::new();
    let e = s.create(1);
    let promoter = Address::generate(&s.env);
    let args: Vec<Val> = (e.clone(), promoter.clone(), 1_000u32).into_val(&s.env);
    for wrong in [s.organizer.clone(), s.admin.clone(), promoter.clone()] {
        refused(&s, &wrong, "set_referral_rate", args.clone());
    }
    s.env.mock_all_auths();
    assert_eq!(s.rate(&e, &promoter), 0);
}

#[test]
fn set_referral_rate_validates() {
    let s = Setup::new();
    let e = s.create(1);
    let promoter = Address::generate(&s.env);
    assert_eq!(
        s.client.try_set_referral_rate(&e, &promoter, &10_001),
        Err(Ok(E::InvalidBps))
    );
    assert_eq!(
        s.client
            .try_set_referral_rate(&event_id(&s.env, 7), &promoter, &10),
        Err(Ok(E::EventNotFound))
    );
}

#[test]
fn free_tier_needs_no_payment() {
    let s = Setup::new();
    let mut config = s.config();
    let mut tier = config.tiers.get(0).unwrap();
    tier.price = 0;
    config.tiers.set(0, tier);
    let e = s.create_with(1, &config);
    let nobody = Address::generate(&s.env);
    assert_eq!(
        s.client.purchase(&nobody, &e, &0, &1, &None),
        vec![&s.env, 1]
    );
    assert_eq!(s.client.event_ledger(&e).gross_sales, 0);
}
