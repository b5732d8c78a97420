//! Checked money arithmetic (i128 raw token units, u32 basis points).

use passa_common::BPS_DENOMINATOR;

use crate::errors::TicketingError;

/// Checked i128 addition.
///
/// # Errors
/// * [`TicketingError::Overflow`]
pub fn add(a: i128, b: i128) -> Result<i128, TicketingError> {
    a.checked_add(b).ok_or(TicketingError::Overflow)
}

/// Checked i128 subtraction.
///
/// # Errors
/// * [`TicketingError::Overflow`]
pub fn sub(a: i128, b: i128) -> Result<i128, TicketingError> {
    a.checked_sub(b).ok_or(TicketingError::Overflow)
}

/// `a × m`, checked (`m` small: a quantity or basis points).
///
/// Written with 64-bit halves: `i128::checked_mul` links compiler-builtins' `__rust_i128_mulo`
/// (~0.5 KB of wasm).
///
/// # Errors
/// * [`TicketingError::Overflow`]
pub fn mul(a: i128, m: u32) -> Result<i128, TicketingError> {
    let v = a.unsigned_abs();
    let m = m as u128;
    let lo = (v & u64::MAX as u128) * m; // < 2^96
    let hi = (v >> 64) * m; // < 2^96
    if hi >> 64 != 0 {
        return Err(TicketingError::Overflow);
    }
    let product = (hi << 64).checked_add(lo).ok_or(TicketingError::Overflow)?;
    if a < 0 {
        // down to i128::MIN = -2^127
        if product > 1u128 << 127 {
            return Err(TicketingError::Overflow);
        }
        Ok((product as i128).wrapping_neg())
    } else {
        i128::try_from(product).map_err(|_| TicketingError::Overflow)
    }
}

/// `v / 10 000` by long division in 32-bit steps (each step divides a value below
/// 10 000 × 2^32 < 2^64): i128 `/` links compiler-builtins' 128-bit division (~1.2 KB).
fn div_bps(v: u128) -> u128 {
    let d = BPS_DENOMINATOR as u64;
    let mut q: u128 = 0;
    let mut rem: u64 = 0;
    for shift in [96u32, 64, 32, 0] {
        let cur = (rem << 32) | ((v >> shift) as u64 & u32::MAX as u64);
        q = (q << 32) | (cur / d) as u128;
        rem = cur % d;
    }
    q
}

/// `amount × bps / 10 000`, truncated toward zero (a floor for the non-negative amounts the
/// contract handles), checked.
///
/// # Errors
/// * [`TicketingError::Overflow`]
pub fn bps_of(amount: i128, bps: u32) -> Result<i128, TicketingError> {
    let product = mul(amount, bps)?;
    // |product| ≤ i128::MAX, so the quotient fits
    let q = div_bps(product.unsigned_abs()) as i128;
    Ok(if product < 0 { -q } else { q })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;

    fn reference(amount: i128, bps: u32) -> Option<i128> {
        amount
            .checked_mul(bps as i128)
            .map(|v| v / BPS_DENOMINATOR as i128)
    }

    #[test]
    fn edges() {
        for (a, b) in [
            (0, 0),
            (1, 10_000),
            (9_999, 1),
            (i128::MAX, 1),
            (i128::MAX, 2),
            (i128::MAX / 10_000, 10_000),
            (i128::MIN, 1),
            (-12_345, 11_000),
            (u64::MAX as i128, u32::MAX),
        ] {
            assert_eq!(bps_of(a, b).ok(), reference(a, b), "{a} {b}");
            assert_eq!(mul(a, b).ok(), a.checked_mul(b as i128), "{a} {b}");
        }
    }

    proptest! {
        #[test]
        fn agree_with_i128(a in any::<i128>(), b in any::<u32>()) {
            prop_assert_eq!(bps_of(a, b).ok(), reference(a, b));
            prop_assert_eq!(mul(a, b).ok(), a.checked_mul(b as i128));
        }

        #[test]
        fn agree_on_money(a in 0..i128::MAX >> 40, b in 0..20_000u32) {
            prop_assert_eq!(bps_of(a, b).ok(), reference(a, b));
        }
    }
}
