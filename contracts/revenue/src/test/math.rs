//! `mul_div` (guest-side 256-bit product and division) against the host's `I256`.

use proptest::prelude::*;
use soroban_sdk::{Env, I256};

use crate::logic::mul_div;
use crate::RevenueError;

fn reference(env: &Env, a: i128, b: i128, c: i128) -> Option<i128> {
    let w = |v: i128| I256::from_i128(env, v);
    w(a).mul(&w(b)).div(&w(c)).to_i128()
}

#[test]
fn edges() {
    let env = Env::default();
    let cases = [
        (0, 0, 1),
        (1, 1, 1),
        (10_000, 250, 10_000),
        (i128::MAX, 1, 1),
        (i128::MAX, i128::MAX, i128::MAX),
        (i128::MAX, 10_000, 10_000),
        (i128::MAX, 2, 3),
        (u64::MAX as i128, u64::MAX as i128, u64::MAX as i128),
        (1 << 100, 1 << 100, 1 << 90),
        (-7, 3, 2),
        (7, -3, 2),
        (-7, -3, -2),
        (i128::MIN + 1, 1, 1),
    ];
    for (a, b, c) in cases {
        assert_eq!(
            mul_div(a, b, c).ok(),
            reference(&env, a, b, c),
            "{a} {b} {c}"
        );
    }
    // quotients beyond i128
    assert_eq!(mul_div(i128::MAX, 2, 1), Err(RevenueError::Overflow));
    assert_eq!(
        mul_div(i128::MAX, i128::MAX, 1),
        Err(RevenueError::Overflow)
    );
    assert_eq!(mul_div(1, 1, 0), Err(RevenueError::Overflow));
}

proptest! {
    #[test]
    fn agrees_with_i256(a in any::<i128>(), b in any::<i128>(), c in any::<i128>()) {
        prop_assume!(c != 0);
        let env = Env::default();
        prop_assert_eq!(mul_div(a, b, c).ok(), reference(&env, a, b, c));
    }

    #[test]
    fn agrees_with_i256_on_money(
        a in 0..i128::MAX >> 20,
        b in 0..i128::MAX >> 60,
        c in 1..i128::MAX >> 40,
    ) {
        let env = Env::default();
        prop_assert_eq!(mul_div(a, b, c).ok(), reference(&env, a, b, c));
    }
}
