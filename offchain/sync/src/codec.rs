//! Reading what the RPC server sends: XDR from base64, the sender of a transaction, one-line
//! error text.

use stellar_xdr::{self as xdr, Limits, ReadXdr};

const XDR_DEPTH: u32 = 500;

/// The account that sent a transaction (the inner transaction's source for a fee bump).
pub(crate) fn envelope_source(envelope: &xdr::TransactionEnvelope) -> Option<String> {
    let muxed = match envelope {
        xdr::TransactionEnvelope::Tx(e) => &e.tx.source_account,
        xdr::TransactionEnvelope::TxFeeBump(e) => match &e.tx.inner_tx {
            xdr::FeeBumpTransactionInnerTx::Tx(inner) => &inner.tx.source_account,
        },
        xdr::TransactionEnvelope::TxV0(e) => {
            return Some(format!(
                "{}",
                stellar_strkey::ed25519::PublicKey(e.tx.source_account_ed25519.0)
            ))
        }
    };
    Some(match muxed {
        xdr::MuxedAccount::Ed25519(key) => {
            format!("{}", stellar_strkey::ed25519::PublicKey(key.0))
        }
        xdr::MuxedAccount::MuxedEd25519(m) => format!(
            "{}",
            stellar_strkey::ed25519::MuxedAccount {
                ed25519: m.ed25519.0,
                id: m.id,
            }
        ),
    })
}

pub(crate) fn limits() -> Limits {
    Limits::depth(XDR_DEPTH)
}

/// A value from its base64 XDR, as `T::from_xdr_base64` reads it, but decoding the base64 in
/// one pass first: `from_xdr_base64` streams it through a reader a few bytes at a time, about
/// a tenth of this process's work in a backfill (every event's topics and value, every
/// transaction's envelope and result). Text that is not plain base64 (whitespace in it, or
/// not base64 at all) goes through `from_xdr_base64`, for the same result or error.
pub(crate) fn from_base64<T: ReadXdr>(b64: &str) -> Result<T, xdr::Error> {
    use base64::Engine as _;
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(bytes) => T::from_xdr(bytes, limits()),
        Err(_) => T::from_xdr_base64(b64, limits()),
    }
}

pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass decoding reads what `from_xdr_base64` reads, and refuses what it refuses.
    #[test]
    fn base64_xdr_decodes_as_the_streaming_reader_does() {
        use xdr::WriteXdr as _;
        let value = xdr::ScVal::Vec(Some(xdr::ScVec(
            vec![
                xdr::ScVal::Symbol("purchased".try_into().unwrap()),
                xdr::ScVal::U32(7),
                xdr::ScVal::I128(xdr::Int128Parts { hi: 1, lo: 2 }),
            ]
            .try_into()
            .unwrap(),
        )));
        let b64 = value.to_xdr_base64(Limits::none()).unwrap();
        let streamed = xdr::ScVal::from_xdr_base64(&b64, limits()).unwrap();
        assert_eq!(from_base64::<xdr::ScVal>(&b64).unwrap(), streamed);
        assert_eq!(streamed, value);
        // Whitespace, which the streaming reader skips.
        let spaced = format!("{} \n{}", &b64[..8], &b64[8..]);
        assert_eq!(from_base64::<xdr::ScVal>(&spaced).unwrap(), value);
        // Not base64; a U32 without its number; a value with bytes left over.
        let mut longer = value.to_xdr(Limits::none()).unwrap();
        longer.extend([0; 4]);
        let longer = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(longer)
        };
        for bad in ["not base64!".to_owned(), "AAAAAw==".to_owned(), longer] {
            assert!(from_base64::<xdr::ScVal>(&bad).is_err(), "{bad}");
            assert!(
                xdr::ScVal::from_xdr_base64(&bad, limits()).is_err(),
                "{bad}"
            );
        }
    }
}
