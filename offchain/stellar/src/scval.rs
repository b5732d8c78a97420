//! Soroban values (`ScVal`) as the contracts encode them, built and read from Rust.
//!
//! A `#[contracttype]` struct is a map with symbol keys in sorted order; an enum with
//! `#[repr(u32)]` is a `u32`; an enum with data is a vector `[symbol, fields…]`; `Option` is
//! the value or `Void`; `BytesN<N>` is bytes; `i128` has a `hi`/`lo` pair.

use stellar_xdr::{self as xdr};

/// Building a value failed (a string, symbol or vector too long for XDR).
#[derive(Debug, thiserror::Error)]
#[error("cannot encode a contract value: {0}")]
pub struct EncodeError(#[from] xdr::Error);

/// A value's shape is not what the contract's type says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, found {found}")]
pub struct DecodeError {
    /// What was expected.
    pub expected: &'static str,
    /// What was there (abbreviated).
    pub found: String,
}

fn decode_error(expected: &'static str, found: &xdr::ScVal) -> DecodeError {
    let mut found = format!("{found:?}");
    found.truncate(120);
    DecodeError { expected, found }
}

/// An address.
pub fn address(a: &xdr::ScAddress) -> xdr::ScVal {
    xdr::ScVal::Address(a.clone())
}

/// A `u32`.
pub fn u32(n: u32) -> xdr::ScVal {
    xdr::ScVal::U32(n)
}

/// A `u64`.
pub fn u64(n: u64) -> xdr::ScVal {
    xdr::ScVal::U64(n)
}

/// An `i128`.
pub fn i128(n: i128) -> xdr::ScVal {
    xdr::ScVal::I128(xdr::Int128Parts {
        hi: (n >> 64) as i64,
        lo: n as u64,
    })
}

/// A `bool`.
pub fn bool(b: bool) -> xdr::ScVal {
    xdr::ScVal::Bool(b)
}

/// A `String`.
///
/// # Errors
/// [`EncodeError`] past XDR's length limit.
pub fn string(s: &str) -> Result<xdr::ScVal, EncodeError> {
    Ok(xdr::ScVal::String(xdr::ScString(s.try_into()?)))
}

/// A `Symbol`.
///
/// # Errors
/// [`EncodeError`] for more than 32 characters.
pub fn symbol(s: &str) -> Result<xdr::ScVal, EncodeError> {
    Ok(xdr::ScVal::Symbol(xdr::ScSymbol(s.try_into()?)))
}

/// `Bytes` / `BytesN<N>`.
///
/// # Errors
/// [`EncodeError`] past XDR's length limit.
pub fn bytes(b: &[u8]) -> Result<xdr::ScVal, EncodeError> {
    Ok(xdr::ScVal::Bytes(xdr::ScBytes(b.to_vec().try_into()?)))
}

/// A `Vec`.
///
/// # Errors
/// [`EncodeError`] past XDR's length limit.
pub fn vec(items: Vec<xdr::ScVal>) -> Result<xdr::ScVal, EncodeError> {
    Ok(xdr::ScVal::Vec(Some(xdr::ScVec(items.try_into()?))))
}

/// An `Option`: the value, or `Void`.
pub fn option(value: Option<xdr::ScVal>) -> xdr::ScVal {
    value.unwrap_or(xdr::ScVal::Void)
}

/// A `#[contracttype]` struct: a map with its field names as symbol keys, sorted.
///
/// # Errors
/// [`EncodeError`] for a field name longer than a symbol.
pub fn record(fields: Vec<(&str, xdr::ScVal)>) -> Result<xdr::ScVal, EncodeError> {
    let mut fields = fields;
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let entries = fields
        .into_iter()
        .map(|(k, v)| {
            Ok(xdr::ScMapEntry {
                key: symbol(k)?,
                val: v,
            })
        })
        .collect::<Result<Vec<_>, EncodeError>>()?;
    Ok(xdr::ScVal::Map(Some(xdr::ScMap(entries.try_into()?))))
}

/// A variant of an enum with data: `[symbol, fields…]`.
///
/// # Errors
/// [`EncodeError`] for a variant name longer than a symbol.
pub fn variant(name: &str, fields: Vec<xdr::ScVal>) -> Result<xdr::ScVal, EncodeError> {
    let mut items = vec![symbol(name)?];
    items.extend(fields);
    vec(items)
}

/// Reads an `i128`.
///
/// # Errors
/// [`DecodeError`] for any other value.
pub fn to_i128(v: &xdr::ScVal) -> Result<i128, DecodeError> {
    match v {
        xdr::ScVal::I128(parts) => Ok(i128::from(parts.hi) << 64 | i128::from(parts.lo)),
        other => Err(decode_error("i128", other)),
    }
}

/// Reads a `u32`.
///
/// # Errors
/// [`DecodeError`] for any other value.
pub fn to_u32(v: &xdr::ScVal) -> Result<u32, DecodeError> {
    match v {
        xdr::ScVal::U32(n) => Ok(*n),
        other => Err(decode_error("u32", other)),
    }
}

/// Reads a `Vec<u32>`.
///
/// # Errors
/// [`DecodeError`] for any other value.
pub fn to_u32_vec(v: &xdr::ScVal) -> Result<Vec<u32>, DecodeError> {
    match v {
        xdr::ScVal::Vec(Some(items)) => items.iter().map(to_u32).collect(),
        other => Err(decode_error("Vec<u32>", other)),
    }
}

/// Reads an address.
///
/// # Errors
/// [`DecodeError`] for any other value.
pub fn to_address(v: &xdr::ScVal) -> Result<xdr::ScAddress, DecodeError> {
    match v {
        xdr::ScVal::Address(a) => Ok(a.clone()),
        other => Err(decode_error("address", other)),
    }
}

/// The field `name` of a struct value.
///
/// # Errors
/// [`DecodeError`] when the value is not a map or lacks the field.
pub fn field<'a>(v: &'a xdr::ScVal, name: &str) -> Result<&'a xdr::ScVal, DecodeError> {
    let xdr::ScVal::Map(Some(map)) = v else {
        return Err(decode_error("a struct (map)", v));
    };
    map.iter()
        .find(|e| matches!(&e.key, xdr::ScVal::Symbol(s) if s.0.as_slice() == name.as_bytes()))
        .map(|e| &e.val)
        .ok_or_else(|| decode_error("a struct with the field", v))
}

/// Raw units of a token with 7 decimals (every Stellar asset) as decimal text, `-1.2345678`:
/// the human amount columns and displays.
pub fn token_units(raw: i128) -> String {
    let sign = if raw < 0 { "-" } else { "" };
    let abs = raw.unsigned_abs();
    format!("{sign}{}.{:07}", abs / 10_000_000, abs % 10_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_sort_their_fields_and_numbers_round_trip() {
        let r = record(vec![("b", u32(2)), ("a", u32(1))]).unwrap();
        let xdr::ScVal::Map(Some(map)) = &r else {
            panic!()
        };
        assert_eq!(map[0].key, symbol("a").unwrap());
        assert_eq!(field(&r, "b").unwrap(), &u32(2));
        assert!(field(&r, "c").is_err());
        for n in [0, -1, i128::MAX, i128::MIN, 1 << 70] {
            assert_eq!(to_i128(&i128(n)).unwrap(), n);
        }
        assert!(to_u32(&i128(1)).is_err());
        let v = variant("Percentage", vec![u32(2_000)]).unwrap();
        assert_eq!(
            v,
            vec(vec![symbol("Percentage").unwrap(), u32(2_000)]).unwrap()
        );
        assert_eq!(
            to_u32_vec(&vec(vec![u32(1), u32(2)]).unwrap()).unwrap(),
            [1, 2]
        );
    }

    #[test]
    fn raw_units_read_as_seven_decimals() {
        assert_eq!(token_units(0), "0.0000000");
        assert_eq!(token_units(12_345_678), "1.2345678");
        assert_eq!(token_units(-5), "-0.0000005");
        assert_eq!(
            token_units(i128::MIN),
            "-17014118346046923173168730371588.4105728"
        );
    }
}
