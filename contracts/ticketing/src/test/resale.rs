//! list, delist, buy_listing.

use super::*;
use crate::events::{Delisted, Listed, Resold, Transfer};
use crate::storage::LISTING_LEDGERS;
use crate::types::{Listing, TicketStatus};
use crate::TicketingError as E;
use soroban_sdk::IntoVal;

fn with_ticket() -> (Setup, EventId, Address) {
    let s = Setup::new();
    let e = s.create(1);
    let seller = s.wallet();
    s.buy(&seller, &e, 2);
    (s, e, seller)
}

/// 110 % of the GA face value: the cap of the default config.
const CAP_PRICE: i128 = GA_PRICE * 11 / 10;

#[test]
fn list_and_delist() {
    let (s, _, seller) = with_ticket();
    let until = s.client.list(&seller, &1, &CAP_PRICE);
    assert_eq!(until, SEQ0 + LISTING_LEDGERS);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&Listed {
            token_id: 1,
            seller: seller.clone(),
            price: CAP_PRICE,
            live_until_ledger: until,
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &seller,
            "list",
            (seller.clone(), 1u32, CAP_PRICE).into_val(&s.env)
        )]
    );
    assert_eq!(s.client.ticket(&1).status, TicketStatus::Listed);
    assert_eq!(
        s.client.get_listing(&1),
        Some(Listing {
            seller: seller.clone(),
            price: CAP_PRICE,
            live_until_ledger: until,
            nonce: 0,
        })
    );

    s.client.delist(&seller, &1);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&Delisted {
            token_id: 1,
            seller: seller.clone(),
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &seller,
            "delist",
            (seller.clone(), 1u32).into_val(&s.env)
        )]
    );
    assert_eq!(s.client.ticket(&1).status, TicketStatus::Purchased);
    assert_eq!(s.client.get_listing(&1), None);
    assert_eq!(s.client.try_delist(&seller, &1), Err(Ok(E::NotListed)));
}

#[test]
fn list_and_delist_need_the_owners_signature() {
    let (s, _, seller) = with_ticket();
    let other = s.wallet();
    refused(
        &s,
        &other,
        "list",
        (seller.clone(), 1u32, GA_PRICE).into_val(&s.env),
    );
    s.client.list(&seller, &1, &GA_PRICE);
    refused(
        &s,
        &other,
        "delist",
        (seller.clone(), 1u32).into_val(&s.env),
    );
    assert_eq!(
        s.client.try_list(&other, &1, &GA_PRICE),
        Err(Ok(E::IncorrectOwner))
    );
    assert_eq!(s.client.try_delist(&other, &1), Err(Ok(E::IncorrectOwner)));
    assert!(s.client.get_listing(&1).is_some());
}

#[test]
fn list_enforces_the_price_cap_and_flags() {
    let (s, _, seller) = with_ticket();
    assert_eq!(
        s.client.try_list(&seller, &1, &(CAP_PRICE + 1)),
        Err(Ok(E::PriceAboveCap))
    );
    assert_eq!(s.client.try_list(&seller, &1, &0), Err(Ok(E::InvalidPrice)));
    assert_eq!(
        s.client.try_list(&seller, &9, &1),
        Err(Ok(E::NonExistentToken))
    );

    let mut config = s.config();
    config.resaleable = false;
    let e2 = s.create_with(2, &config);
    let holder = s.wallet();
    let ids = s.buy(&holder, &e2, 1);
    assert_eq!(
        s.client.try_list(&holder, &ids.get(0).unwrap(), &GA_PRICE),
        Err(Ok(E::NotResaleable))
    );
}

#[test]
fn buy_listing_pays_royalty_and_seller() {
    let (s, e, seller) = with_ticket();
    let buyer = s.wallet();
    s.client.list(&seller, &1, &CAP_PRICE);
    let (seller_before, buyer_before, escrow_before) = (
        s.token.balance(&seller),
        s.token.balance(&buyer),
        s.token.balance(&s.revenue),
    );
    s.client.buy_listing(&buyer, &1);
    let royalty = CAP_PRICE * 500 / 10_000;
    assert_eq!(
        s.events(),
        std::vec![
            s.xdr(&Transfer {
                from: seller.clone(),
                to: buyer.clone(),
                token_id: 1
            }),
            s.xdr(&Resold {
                token_id: 1,
                seller: seller.clone(),
                buyer: buyer.clone(),
                price: CAP_PRICE,
                royalty,
            }),
        ]
    );
    let transfer = |to: &Address, amount: i128| AuthorizedInvocation {
        function: AuthorizedFunction::Contract((
            s.token.address.clone(),
            Symbol::new(&s.env, "transfer"),
            (buyer.clone(), to.clone(), amount).into_val(&s.env),
        )),
        sub_invocations: std::vec![],
    };
    let mut expected = auth_of(
        &s,
        &buyer,
        "buy_listing",
        (buyer.clone(), 1u32).into_val(&s.env),
    );
    expected.1.sub_invocations = std::vec![
        transfer(&s.revenue, royalty),
        transfer(&seller, CAP_PRICE - royalty),
    ];
    assert_eq!(s.env.auths(), std::vec![expected]);
    assert_eq!(s.token.balance(&buyer), buyer_before - CAP_PRICE);
    assert_eq!(
        s.token.balance(&seller),
        seller_before + CAP_PRICE - royalty
    );
    assert_eq!(s.token.balance(&s.revenue), escrow_before + royalty);
    assert_eq!(s.client.owner_of(&1), buyer);
    assert_eq!(s.client.balance(&seller), 1);
    assert_eq!(s.client.balance(&buyer), 1);
    assert_eq!(s.client.get_listing(&1), None);
    assert_eq!(s.client.ticket(&1).status, TicketStatus::Purchased);
    assert_eq!(s.client.event_ledger(&e).royalties, royalty);
    // The face value stays the original price (refunds pay face value).
    assert_eq!(s.client.ticket(&1).face, GA_PRICE);
}

#[test]
fn buy_listing_refusals() {
    let (s, _, seller) = with_ticket();
    let buyer = s.wallet();
    assert_eq!(s.client.try_buy_listing(&buyer, &1), Err(Ok(E::NotListed)));
    s.client.list(&seller, &1, &GA_PRICE);
    assert_eq!(
        s.client.try_buy_listing(&seller, &1),
        Err(Ok(E::BuyerIsSeller))
    );
    assert_eq!(
        s.client.try_buy_listing(&buyer, &50),
        Err(Ok(E::NonExistentToken))
    );
    refused(
        &s,
        &seller,
        "buy_listing",
        (buyer.clone(), 1u32).into_val(&s.env),
    );
    let broke = Address::generate(&s.env);
    assert_eq!(
        s.client.try_buy_listing(&broke, &1),
        Err(Ok(E::PaymentFailed))
    );
    assert_eq!(s.client.owner_of(&1), seller);
}

#[test]
fn a_listing_dies_with_a_transfer() {
    let (s, _, seller) = with_ticket();
    let friend = s.wallet();
    let buyer = s.wallet();
    s.client.list(&seller, &1, &GA_PRICE);
    s.client.transfer(&seller, &friend, &1);
    assert_eq!(s.client.get_listing(&1), None);
    assert_eq!(s.client.try_buy_listing(&buyer, &1), Err(Ok(E::NotListed)));
    // Even when the ticket comes back to the seller.
    s.client.transfer(&friend, &seller, &1);
    assert_eq!(s.client.get_listing(&1), None);
    assert_eq!(s.client.try_buy_listing(&buyer, &1), Err(Ok(E::NotListed)));
}

#[test]
fn a_listing_dies_with_check_in_and_cancellation() {
    let (s, e, seller) = with_ticket();
    let buyer = s.wallet();
    s.client.list(&seller, &1, &GA_PRICE);
    s.client.list(&seller, &2, &GA_PRICE);
    s.client.cancel_event(&s.organizer, &e);
    assert_eq!(
        s.client.try_buy_listing(&buyer, &2),
        Err(Ok(E::EventCancelled))
    );

    let (s, _, seller) = with_ticket();
    s.client.list(&seller, &1, &GA_PRICE);
    s.set_time(START);
    s.client.check_in(&s.organizer, &1);
    assert_eq!(s.client.get_listing(&1), None);
    assert_eq!(
        s.client.try_buy_listing(&s.wallet(), &1),
        Err(Ok(E::NotListed))
    );
}

#[test]
fn a_listing_expires() {
    let (s, _, seller) = with_ticket();
    let until = s.client.list(&seller, &1, &GA_PRICE);
    s.env.ledger().set_sequence_number(until + 1);
    assert_eq!(s.client.get_listing(&1), None);
    assert_eq!(s.client.ticket(&1).status, TicketStatus::Purchased);
    assert_eq!(
        s.client.try_buy_listing(&s.wallet(), &1),
        Err(Ok(E::NotListed))
    );
}
