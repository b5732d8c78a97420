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

/// `floor(amount × bps / 10 000)`, checked.
///
/// # Errors
/// * [`TicketingError::Overflow`]
pub fn bps_of(amount: i128, bps: u32) -> Result<i128, TicketingError> {
    amount
        .checked_mul(bps as i128)
        .map(|v| v / BPS_DENOMINATOR as i128)
        .ok_or(TicketingError::Overflow)
}
