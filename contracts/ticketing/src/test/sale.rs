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

    let ids = s.client.purchase(&buyer, &e, &0, &s.ids(2), &2, &None);

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
    let args: Vec<Val> =
        (buyer.clone(), e.clone(), 0u32, 1u32, 2u32, None::<Address>).into_val(&s.env);
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
    assert_eq!(
        s.client.try_owner_of(&3),
        Err(Ok(aborted(E::NonExistentToken)))
    );
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
fn purchase_mints_the_ids_the_buyer_chose() {
    let s = Setup::new();
    let e = s.create(1);
    let (a, b) = (s.wallet(), s.wallet());
    // Any free u32 range, in any order: ids do not depend on earlier purchases.
    let high = u32::MAX - 2;
    let ids = s.client.purchase(&a, &e, &0, &high, &3, &None);
    assert_eq!(ids, vec![&s.env, high, high + 1, u32::MAX]);
    assert_eq!(
        s.events(),
        std::vec![
            s.xdr(&Mint {
                to: a.clone(),
                token_id: high
            }),
            s.xdr(&Mint {
                to: a.clone(),
                token_id: high + 1
            }),
            s.xdr(&Mint {
                to: a.clone(),
                token_id: u32::MAX
            }),
            purchased(&s, &e, &a, 3, high, None, 0),
        ]
    );
    assert_eq!(
        s.client.purchase(&b, &e, &0, &0, &1, &None),
        vec![&s.env, 0]
    );
    assert_eq!(
        s.events(),
        std::vec![
            s.xdr(&Mint {
                to: b.clone(),
                token_id: 0
            }),
            purchased(&s, &e, &b, 1, 0, None, 0),
        ]
    );
    let ids = s.client.purchase(&b, &e, &0, &7, &2, &None);
    assert_eq!(ids, vec![&s.env, 7, 8]);
    assert_eq!(s.client.owner_of(&high), a);
    assert_eq!(s.client.owner_of(&u32::MAX), a);
    assert_eq!(s.client.owner_of(&0), b);
    assert_eq!(s.client.owner_of(&8), b);
    assert_eq!(s.client.balance(&a), 3);
    assert_eq!(s.client.balance(&b), 3);
    assert_eq!(s.client.tier_sold(&e, &0), 6);
    assert_eq!(s.client.ticket(&7).owner, b);
}

#[test]
fn purchase_fails_on_a_taken_id_and_changes_nothing() {
    let s = Setup::new();
    let e = s.create(1);
    let promoter = Address::generate(&s.env);
    s.client.set_referral_rate(&e, &promoter, &1_000);
    let (first, second) = (s.wallet(), s.wallet());
    s.client
        .purchase(&first, &e, &0, &10, &2, &Some(promoter.clone()));
    let sold = s.client.tier(&e, &0);
    let commission = s.client.referral_commission(&e, &promoter);
    let paid = s.token.balance(&second);
    let escrow = s.token.balance(&s.revenue);

    // Overlapping the taken ids 10 and 11 anywhere in the range fails, whoever buys.
    for (buyer, start, quantity) in [(&second, 8, 3), (&second, 11, 1), (&first, 9, 2)] {
        assert_eq!(
            s.client
                .try_purchase(buyer, &e, &0, &start, &quantity, &Some(promoter.clone())),
            Err(Ok(E::TokenIdTaken)),
            "{start}+{quantity}"
        );
        assert!(s.events().is_empty());
    }
    assert_eq!(s.client.tier(&e, &0), sold);
    assert_eq!(s.client.referral_commission(&e, &promoter), commission);
    assert_eq!(s.token.balance(&second), paid);
    assert_eq!(s.token.balance(&s.revenue), escrow);
    assert_eq!(s.client.balance(&second), 0);
    assert_eq!(s.client.balance(&first), 2);
    assert_eq!(s.bought(&e, 0, &second), 0);
    assert_eq!(s.bought(&e, 0, &first), 2);
    for id in [8, 9, 12] {
        assert_eq!(s.client.try_ticket(&id), Err(Ok(E::NonExistentToken)));
    }
    assert_eq!(s.client.owner_of(&10), first);
    assert_eq!(s.client.owner_of(&11), first);
    // The ids just before and after are free.
    assert_eq!(
        s.client.purchase(&second, &e, &0, &8, &2, &None),
        vec![&s.env, 8, 9]
    );
    assert_eq!(
        s.client.purchase(&second, &e, &0, &12, &1, &None),
        vec![&s.env, 12]
    );
}

#[test]
fn purchase_fails_when_the_id_range_passes_u32_max() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    for (start, quantity) in [(u32::MAX, 2), (u32::MAX - 2, 4), (u32::MAX - 1, 3)] {
        assert_eq!(
            s.client
                .try_purchase(&buyer, &e, &0, &start, &quantity, &None),
            Err(Ok(E::TokenIdOverflow)),
            "{start}+{quantity}"
        );
    }
    assert_eq!(s.client.tier_sold(&e, &0), 0);
    assert_eq!(s.client.balance(&buyer), 0);
    assert_eq!(s.client.try_ticket(&u32::MAX), Err(Ok(E::NonExistentToken)));
    // A quantity check comes first: 0 is not an overflow.
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &u32::MAX, &0, &None),
        Err(Ok(E::InvalidQuantity))
    );
    // The last id itself can be minted.
    assert_eq!(
        s.client
            .purchase(&buyer, &e, &0, &(u32::MAX - 3), &4, &None),
        vec![&s.env, u32::MAX - 3, u32::MAX - 2, u32::MAX - 1, u32::MAX]
    );
}

#[test]
fn purchase_fails_past_supply() {
    let s = Setup::new();
    let e = s.create(1);
    // VIP: supply 5, limit 5 per wallet.
    s.client.purchase(&s.wallet(), &e, &1, &s.ids(3), &3, &None);
    s.client.purchase(&s.wallet(), &e, &1, &s.ids(2), &2, &None);
    let late = s.wallet();
    assert_eq!(
        s.client.try_purchase(&late, &e, &1, &s.ids(1), &1, &None),
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
        s.client.try_purchase(&buyer, &e, &0, &s.ids(2), &2, &None),
        Err(Ok(E::WalletLimitExceeded))
    );
    s.buy(&buyer, &e, 1);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &s.ids(1), &1, &None),
        Err(Ok(E::WalletLimitExceeded))
    );
    // The limit follows purchases, not holdings: transferring does not reopen it.
    let friend = s.wallet();
    s.client.transfer(&buyer, &friend, &1);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &s.ids(1), &1, &None),
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
        s.client.try_purchase(&buyer, &e, &0, &s.ids(1), &1, &None),
        Err(Ok(E::SalesClosed))
    );
    s.set_time(T0 + 100);
    s.buy(&buyer, &e, 1);
    s.set_time(T0 + 200);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &s.ids(1), &1, &None),
        Err(Ok(E::SalesClosed))
    );
    s.set_time(END);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &s.ids(1), &1, &None),
        Err(Ok(E::EventEnded))
    );
}

#[test]
fn purchase_fails_on_cancelled_event() {
    let s = Setup::new();
    let e = s.create(1);
    s.client.cancel_event(&s.organizer, &e);
    assert_eq!(
        s.client
            .try_purchase(&s.wallet(), &e, &0, &s.ids(1), &1, &None),
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
        s.client.try_purchase(&buyer, &e, &0, &s.ids(1), &1, &None),
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
            s.client
                .try_purchase(&buyer, &e, &0, &s.ids(quantity), &quantity, &None),
            Err(Ok(E::InvalidQuantity))
        );
    }
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &2, &s.ids(1), &1, &None),
        Err(Ok(E::TierNotFound))
    );
    assert_eq!(
        s.client
            .try_purchase(&buyer, &event_id(&s.env, 9), &0, &s.ids(1), &1, &None),
        Err(Ok(E::EventNotFound))
    );
    assert_eq!(
        s.client
            .try_purchase(&buyer, &e, &0, &s.ids(1), &1, &Some(buyer.clone())),
        Err(Ok(E::SelfReferral))
    );
}

#[test]
fn purchase_fails_without_funds_and_changes_nothing() {
    let s = Setup::new();
    let e = s.create(1);
    let broke = Address::generate(&s.env);
    assert_eq!(
        s.client.try_purchase(&broke, &e, &0, &s.ids(1), &1, &None),
        Err(Ok(E::PaymentFailed))
    );
    assert_eq!(s.client.tier_sold(&e, &0), 0);
    assert_eq!(s.client.balance(&broke), 0);
    assert_eq!(s.client.try_ticket(&1), Err(Ok(E::NonExistentToken)));
}

#[test]
fn purchase_needs_the_buyers_signature() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    let thief = s.wallet();
    let args: Vec<Val> =
        (buyer.clone(), e.clone(), 0u32, 1u32, 1u32, None::<Address>).into_val(&s.env);
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
        .purchase(&buyer, &e, &0, &s.ids(3), &3, &Some(promoter.clone()));
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
        .purchase(&buyer, &e, &0, &s.ids(1), &1, &Some(promoter.clone()));
    assert_eq!(s.client.referral_commission(&e, &promoter), 0);
    assert_eq!(s.client.ticket(&1).referrer, None);
    // Removing a rate (0) stops commissions for later purchases.
    s.client.set_referral_rate(&e, &promoter, &500);
    s.client.set_referral_rate(&e, &promoter, &0);
    assert_eq!(s.rate(&e, &promoter), 0);
    s.client
        .purchase(&buyer, &e, &0, &s.ids(1), &1, &Some(promoter.clone()));
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
        s.client.purchase(&nobody, &e, &0, &s.ids(1), &1, &None),
        vec![&s.env, 1]
    );
    assert_eq!(s.client.event_ledger(&e).gross_sales, 0);
}
