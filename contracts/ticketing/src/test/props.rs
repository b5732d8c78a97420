//! Property test: random sequences of purchases, transfers, listings, resales, cancellations
//! and refunds keep the ticketing invariants.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const WALLETS: usize = 4;

#[derive(Clone, Debug)]
enum Op {
    Buy {
        wallet: usize,
        tier: u32,
        quantity: u32,
        referred: bool,
        /// The first token id the buyer names, from a small space so that ranges collide.
        first: u32,
    },
    Transfer {
        token: usize,
        to: usize,
    },
    List {
        token: usize,
        markup_bps: u32,
    },
    BuyListing {
        token: usize,
        buyer: usize,
    },
    Cancel,
    Refund {
        token: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..WALLETS, 0..2u32, 1..4u32, any::<bool>(), 0..16u32).prop_map(|(wallet, tier, quantity, referred, first)| Op::Buy { wallet, tier, quantity, referred, first }),
        3 => (0..64usize, 0..WALLETS).prop_map(|(token, to)| Op::Transfer { token, to }),
        2 => (0..64usize, 0..1_200u32).prop_map(|(token, markup_bps)| Op::List { token, markup_bps }),
        2 => (0..64usize, 0..WALLETS).prop_map(|(token, buyer)| Op::BuyListing { token, buyer }),
        1 => Just(Op::Cancel),
        2 => (0..64usize).prop_map(|token| Op::Refund { token }),
    ]
}

struct Model {
    /// token id → holder (None once refunded).
    owners: BTreeMap<u32, Option<Address>>,
    initial_total: i128,
}

fn check_invariants(s: &Setup, e: &EventId, wallets: &[Address], promoter: &Address, m: &Model) {
    // Sold counts within supply.
    let sold0 = s.client.tier_sold(e, &0);
    let sold1 = s.client.tier_sold(e, &1);
    assert!(sold0 <= 6 && sold1 <= 3);
    assert_eq!((sold0 + sold1) as usize, m.owners.len());
    // Every live ticket has exactly one owner, the one the model expects; burned ones none.
    let mut live = 0u32;
    for (id, owner) in &m.owners {
        match owner {
            Some(owner) => {
                live += 1;
                assert_eq!(&s.client.owner_of(id), owner);
            }
            None => assert!(s.client.try_owner_of(id).is_err()),
        }
    }
    // Balances sum to the live tickets, and match the model per wallet.
    let mut sum = 0;
    for w in wallets {
        let held = m.owners.values().filter(|o| o.as_ref() == Some(w)).count() as u32;
        assert_eq!(s.client.balance(w), held);
        sum += s.client.balance(w);
    }
    assert_eq!(sum, live);
    // Token conservation: what wallets paid is in the escrow or with sellers; the escrow holds
    // exactly sales + royalties − refunds.
    let ledger = s.client.event_ledger(e);
    let escrow = s.token.balance(&s.revenue);
    assert_eq!(
        escrow,
        ledger.gross_sales + ledger.royalties - ledger.refunds
    );
    let wallets_total: i128 = wallets.iter().map(|w| s.token.balance(w)).sum();
    assert_eq!(wallets_total + escrow, m.initial_total);
    // Commissions: never negative, the referrer's total is the event's.
    assert!(ledger.commissions >= 0);
    assert_eq!(
        s.client.referral_commission(e, promoter),
        ledger.commissions
    );
}

fn pick(m: &Model, token: usize) -> Option<u32> {
    if m.owners.is_empty() {
        return None;
    }
    m.owners.keys().nth(token % m.owners.len()).copied()
}

fn run(ops: std::vec::Vec<Op>) {
    let s = Setup::new();
    let mut config = s.config();
    let mut ga = config.tiers.get(0).unwrap();
    ga.supply = 6;
    ga.max_per_wallet = 3;
    config.tiers.set(0, ga);
    let mut vip = config.tiers.get(1).unwrap();
    vip.supply = 3;
    config.tiers.set(1, vip);
    let e = s.create_with(1, &config);
    let promoter = Address::generate(&s.env);
    s.client.set_referral_rate(&e, &promoter, &750);
    let wallets: std::vec::Vec<Address> = (0..WALLETS).map(|_| s.wallet()).collect();
    let initial_total: i128 = wallets.iter().map(|w| s.token.balance(w)).sum();
    let mut m = Model {
        owners: BTreeMap::new(),
        initial_total,
    };

    for op in ops {
        match op {
            Op::Buy {
                wallet,
                tier,
                quantity,
                referred,
                first,
            } => {
                let referrer = referred.then(|| promoter.clone());
                let buyer = &wallets[wallet];
                let taken = (first..first + quantity).any(|id| m.owners.contains_key(&id));
                match s
                    .client
                    .try_purchase(buyer, &e, &tier, &first, &quantity, &referrer)
                {
                    Ok(Ok(ids)) => {
                        // Never an id minted before, refunded ones included.
                        assert!(!taken, "{first}+{quantity} re-minted");
                        assert_eq!(ids.len(), quantity);
                        for (id, expected) in ids.iter().zip(first..) {
                            assert_eq!(id, expected);
                            m.owners.insert(id, Some(buyer.clone()));
                        }
                    }
                    Err(Ok(err)) => assert!(
                        err != crate::TicketingError::TokenIdTaken || taken,
                        "{first}+{quantity}: {err:?}"
                    ),
                    other => panic!("{other:?}"),
                }
            }
            Op::Transfer { token, to } => {
                let Some(id) = pick(&m, token) else { continue };
                let Some(from) = m.owners[&id].clone() else {
                    continue;
                };
                let to = &wallets[to];
                if s.client.try_transfer(&from, to, &id).is_ok() {
                    m.owners.insert(id, Some(to.clone()));
                }
            }
            Op::List { token, markup_bps } => {
                let Some(id) = pick(&m, token) else { continue };
                let Some(owner) = m.owners[&id].clone() else {
                    continue;
                };
                let price = GA_PRICE * (10_000 + markup_bps as i128) / 10_000;
                let _ = s.client.try_list(&owner, &id, &price);
            }
            Op::BuyListing { token, buyer } => {
                let Some(id) = pick(&m, token) else { continue };
                let buyer = &wallets[buyer];
                if s.client.try_buy_listing(buyer, &id).is_ok() {
                    m.owners.insert(id, Some(buyer.clone()));
                }
            }
            Op::Cancel => {
                let _ = s.client.try_cancel_event(&s.organizer, &e);
            }
            Op::Refund { token } => {
                let Some(id) = pick(&m, token) else { continue };
                let Some(holder) = m.owners[&id].clone() else {
                    continue;
                };
                if s.client.try_refund(&holder, &id).is_ok() {
                    m.owners.insert(id, None);
                }
            }
        }
        check_invariants(&s, &e, &wallets, &promoter, &m);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn ticketing_invariants_hold(ops in proptest::collection::vec(op(), 1..30)) {
        run(ops);
    }
}
