//! Property tests: random sequences of sales, royalties, refunds, settlement and claims
//! against the mock ticketing, checking the money invariants after every step:
//! * before settlement the escrow holds exactly gross + royalties − refunds;
//! * after it, escrow balance = net − fee − Σ paid, and ≥ Σ still owed (what every unpaid
//!   payee and the organizer could claim now);
//! * nothing is paid twice (a second claim fails; a payee's total never changes);
//! * in the end Σ paid + fee = net and the escrow is empty (no value created or destroyed);
//! * each payee receives exactly what the documented formula says.

use std::vec::Vec;

use passa_common::Share;
use proptest::prelude::*;
use soroban_sdk::testutils::Address as _;
use soroban_sdk::Address;

use super::{setup, Setup, FEE_BPS};
use crate::RevenueError;

#[derive(Clone, Debug)]
enum Op {
    Sale {
        amount: i128,
        referrer: Option<usize>,
    },
    Royalty {
        amount: i128,
    },
    Refund {
        sale: usize,
    },
    Claim {
        payee: usize,
    },
    Settle,
}

fn share() -> impl Strategy<Value = Share> {
    prop_oneof![
        (1u32..=4_000).prop_map(Share::Percentage),
        (1i128..=20_000).prop_map(Share::Fixed),
        (1u32..=3_000).prop_map(Share::Commission),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1i128..=10_000, proptest::option::of(0usize..8))
            .prop_map(|(amount, referrer)| Op::Sale { amount, referrer }),
        1 => (1i128..=2_000).prop_map(|amount| Op::Royalty { amount }),
        1 => (0usize..64).prop_map(|sale| Op::Refund { sale }),
        2 => (0usize..9).prop_map(|payee| Op::Claim { payee }),
        1 => Just(Op::Settle),
    ]
}

struct Sale {
    amount: i128,
    referrer: Option<Address>,
    commission: i128,
    refunded: bool,
}

struct World {
    s: Setup,
    payees: Vec<(Address, Share)>,
    sales: Vec<Sale>,
    paid: Vec<Option<i128>>,
    organizer_paid: i128,
    settled: bool,
}

impl World {
    fn new(shares: Vec<Share>) -> Self {
        let s = setup();
        let mut payees = Vec::new();
        let mut pct = 0;
        for share in shares {
            if let Share::Percentage(bps) = share {
                if pct + bps > 10_000 {
                    continue; // the 100 % rule would refuse it
                }
                pct += bps;
            }
            payees.push((s.contributor(share.clone()), share));
        }
        let n = payees.len();
        World {
            s,
            payees,
            sales: Vec::new(),
            paid: std::vec![None; n],
            organizer_paid: 0,
            settled: false,
        }
    }

    fn step(&mut self, op: &Op) {
        match op.clone() {
            Op::Sale { amount, referrer } if !self.settled => {
                let referrer = referrer
                    .and_then(|i| self.payees.get(i))
                    .map(|p| p.0.clone());
                let commission = self.s.sell(amount, referrer.as_ref());
                self.sales.push(Sale {
                    amount,
                    referrer,
                    commission,
                    refunded: false,
                });
            }
            Op::Royalty { amount } if !self.settled => {
                self.s.sac.mock_all_auths().mint(&self.s.id(), &amount);
                self.s.ticketing.record_royalty(&self.s.event_id, &amount);
            }
            Op::Refund { sale } if !self.settled => {
                let n = self.sales.len();
                if let Some(sale) = self.sales.get_mut(sale % n.max(1)).filter(|x| !x.refunded) {
                    sale.refunded = true;
                    let holder = Address::generate(&self.s.env);
                    self.s.ticketing.refund(
                        &self.s.event_id,
                        &holder,
                        &sale.amount,
                        &sale.referrer,
                        &sale.commission,
                    );
                    assert_eq!(self.s.balance(&holder), sale.amount);
                }
            }
            Op::Settle if !self.settled => {
                self.s.settle();
                self.settled = true;
            }
            Op::Claim { payee } => self.claim(payee),
            _ => {}
        }
        self.check();
    }

    fn claim(&mut self, payee: usize) {
        let who = match self.payees.get(payee) {
            Some(p) => p.0.clone(),
            None => self.s.organizer.clone(),
        };
        let r = self.s.revenue.try_claim(&self.s.event_id, &who);
        if !self.settled {
            assert_eq!(r, Err(Ok(RevenueError::NotSettled)));
            return;
        }
        match (self.payees.get(payee), r) {
            (Some(_), Ok(Ok(amount))) => {
                assert!(self.paid[payee].is_none(), "paid twice");
                self.paid[payee] = Some(amount);
            }
            (Some(_), Err(Ok(RevenueError::AlreadyClaimed))) => {
                assert!(self.paid[payee].is_some());
            }
            (None, Ok(Ok(amount))) => self.organizer_paid += amount,
            (None, Err(Ok(RevenueError::NothingToClaim))) => {}
            (_, other) => panic!("unexpected claim result {other:?}"),
        }
    }

    fn net(&self) -> i128 {
        let l = self.s.ticketing.event_ledger(&self.s.event_id);
        l.gross_sales + l.royalties - l.refunds
    }

    fn check(&self) {
        let balance = self.s.balance(&self.s.id());
        let Some(st) = self.s.revenue.settlement(&self.s.event_id) else {
            assert_eq!(balance, self.net());
            return;
        };
        let paid: i128 = self.paid.iter().flatten().sum::<i128>() + self.organizer_paid;
        assert_eq!(balance, st.net - st.fee - paid);
        assert_eq!(st.paid_to_payees + st.organizer_paid, paid);
        let mut owed = 0;
        for (i, (who, _)) in self.payees.iter().enumerate() {
            match self.s.revenue.try_claimable(&self.s.event_id, who) {
                Ok(Ok(amount)) => {
                    assert!(self.paid[i].is_none());
                    owed += amount
                }
                Err(Ok(RevenueError::AlreadyClaimed)) => assert!(self.paid[i].is_some()),
                other => panic!("unexpected claimable {other:?}"),
            }
            assert_eq!(
                self.s.revenue.paid(&self.s.event_id, who),
                self.paid[i].unwrap_or(0)
            );
        }
        if let Ok(Ok(amount)) = self
            .s
            .revenue
            .try_claimable(&self.s.event_id, &self.s.organizer)
        {
            owed += amount;
        }
        assert!(balance >= owed, "escrow {balance} < owed {owed}");
    }

    /// Settles if needed, lets everybody claim (organizer last) and checks the end state
    /// against an independent computation of the formulas.
    fn finish(&mut self) {
        if !self.settled {
            self.step(&Op::Settle);
        }
        for i in 0..self.payees.len() {
            self.step(&Op::Claim { payee: i });
        }
        self.step(&Op::Claim { payee: usize::MAX });
        let st = self.s.revenue.settlement(&self.s.event_id).unwrap();
        assert_eq!(self.s.balance(&self.s.id()), 0);
        let paid: i128 = self.paid.iter().flatten().sum::<i128>() + self.organizer_paid;
        assert_eq!(paid + st.fee, st.net);
        assert_eq!(st.net, self.net());
        // the model
        let fee = st.net * FEE_BPS as i128 / 10_000;
        let pool = st.net - fee;
        let commission = |who: &Address| -> i128 {
            self.sales
                .iter()
                .filter(|x| !x.refunded && x.referrer.as_ref() == Some(who))
                .map(|x| x.commission)
                .sum()
        };
        let mut committed = 0;
        for (who, share) in &self.payees {
            match share {
                Share::Fixed(a) => committed += a,
                Share::Commission(_) => committed += commission(who),
                Share::Percentage(_) => {}
            }
        }
        let pct_pool = if committed > pool {
            0
        } else {
            pool - committed
        };
        for (i, (who, share)) in self.payees.iter().enumerate() {
            let base = match share {
                Share::Fixed(a) => *a,
                Share::Commission(_) => commission(who),
                Share::Percentage(b) => pct_pool * *b as i128 / 10_000,
            };
            let want = match share {
                Share::Percentage(_) => base,
                _ if committed > pool => base * pool / committed,
                _ => base,
            };
            assert_eq!(self.paid[i], Some(want), "payee {i} {share:?}");
        }
        assert_eq!(st.fee, fee);
        // a second round pays nothing
        for (who, _) in &self.payees {
            assert_eq!(
                self.s.revenue.try_claim(&self.s.event_id, who),
                Err(Ok(RevenueError::AlreadyClaimed))
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn money_invariants(
        shares in proptest::collection::vec(share(), 0..7),
        ops in proptest::collection::vec(op(), 0..40),
    ) {
        let mut w = World::new(shares);
        for op in &ops {
            w.step(op);
        }
        w.finish();
    }
}
