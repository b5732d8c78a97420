//! SEP-53 signed messages: the key of address `G…` signs, with ed25519, the SHA-256 of
//! `"Stellar Signed Message:\n"` followed by the message's bytes. The prefix keeps such a
//! signature from ever being a valid transaction or authorization signature.

use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::WalletError;
use passa_stellar::keys::Signer;

/// What every signed message starts with.
pub const PREFIX: &[u8] = b"Stellar Signed Message:\n";

/// The 32 bytes a wallet signs for `message`.
pub fn message_hash(message: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(PREFIX);
    hash.update(message);
    hash.finalize().into()
}

/// Signs `message` as a wallet would (for tests and the demo: users sign in their wallets).
pub fn sign(signer: &Signer, message: &[u8]) -> [u8; 64] {
    signer.sign(&message_hash(message))
}

/// A signature as wallets hand it over: base64 (Freighter, Stellar Wallets Kit, the stellar
/// CLI) or hex, 64 bytes either way.
///
/// # Errors
/// [`WalletError::BadSignature`].
pub fn parse_signature(text: &str) -> Result<[u8; 64], WalletError> {
    let text = text.trim();
    let bad = |why: &str| WalletError::BadSignature(why.to_owned());
    let bytes = if text.len() == 128 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(text).map_err(|_| bad("not hex"))?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| bad("neither base64 nor 128 hex digits"))?
    };
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| bad(&format!("{} bytes", b.len())))
}

/// The ed25519 key of account address `address`.
///
/// # Errors
/// [`WalletError::BadAddress`].
pub fn account_key(address: &str) -> Result<VerifyingKey, WalletError> {
    let bad = || WalletError::BadAddress(address.to_owned());
    let key = stellar_strkey::ed25519::PublicKey::from_string(address.trim()).map_err(|_| bad())?;
    VerifyingKey::from_bytes(&key.0).map_err(|_| bad())
}

/// Checks that `signature` is `address`'s key's signature of `message`.
///
/// # Errors
/// [`WalletError::BadAddress`], [`WalletError::SignatureMismatch`].
pub fn verify(address: &str, message: &[u8], signature: &[u8; 64]) -> Result<(), WalletError> {
    let key = account_key(address)?;
    key.verify_strict(&message_hash(message), &Signature::from_bytes(signature))
        .map_err(|_| WalletError::SignatureMismatch {
            address: address.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "SAKICEVQLYWGSOJS4WW7HZJWAHZVEEBS527LHK5V4MLJALYKICQCJXMW";
    const ADDRESS: &str = "GBXFXNDLV4LSWA4VB7YIL5GBD7BVNR22SGBTDKMO2SBZZHDXSKZYCP7L";

    /// SEP-53's published test cases: message, signature in base64 and in hex.
    fn vectors() -> Vec<(Vec<u8>, &'static str, &'static str)> {
        let binary = base64::engine::general_purpose::STANDARD
            .decode("2zZDP1sa1BVBfLP7TeeMk3sUbaxAkUhBhDiNdrksaFo=")
            .unwrap();
        vec![
            (
                b"Hello, World!".to_vec(),
                "fO5dbYhXUhBMhe6kId/cuVq/AfEnHRHEvsP8vXh03M1uLpi5e46yO2Q8rEBzu3feXQewcQE5GArp88u6ePK6BA==",
                "7cee5d6d885752104c85eea421dfdcb95abf01f1271d11c4bec3fcbd7874dccd6e2e98b97b8eb23b643cac4073bb77de5d07b0710139180ae9f3cbba78f2ba04",
            ),
            (
                "こんにちは、世界！".as_bytes().to_vec(),
                "CDU265Xs8y3OWbB/56H9jPgUss5G9A0qFuTqH2zs2YDgTm+++dIfmAEceFqB7bhfN3am59lCtDXrCtwH2k1GBA==",
                "083536eb95ecf32dce59b07fe7a1fd8cf814b2ce46f40d2a16e4ea1f6cecd980e04e6fbef9d21f98011c785a81edb85f3776a6e7d942b435eb0adc07da4d4604",
            ),
            (
                binary,
                "VA1+7hefNwv2NKScH6n+Sljj15kLAge+M2wE7fzFOf+L0MMbssA1mwfJZRyyrhBORQRle10X1Dxpx+UOI4EbDQ==",
                "540d7eee179f370bf634a49c1fa9fe4a58e3d7990b0207be336c04edfcc539ff8bd0c31bb2c0359b07c9651cb2ae104e4504657b5d17d43c69c7e50e23811b0d",
            ),
        ]
    }

    #[test]
    fn the_published_test_vectors_sign_and_verify() {
        let signer = Signer::from_secret(SEED, "test").unwrap();
        assert_eq!(signer.address(), ADDRESS);
        for (message, b64, hex_sig) in vectors() {
            let from_b64 = parse_signature(b64).unwrap();
            let from_hex = parse_signature(hex_sig).unwrap();
            assert_eq!(from_b64, from_hex);
            assert_eq!(sign(&signer, &message), from_b64, "deterministic ed25519");
            verify(ADDRESS, &message, &from_b64).unwrap();
        }
    }

    #[test]
    fn another_message_key_or_a_flipped_bit_is_refused() {
        let (message, b64, _) = vectors().remove(0);
        let signature = parse_signature(b64).unwrap();
        let mismatch = |r: Result<(), WalletError>| {
            assert!(
                matches!(r, Err(WalletError::SignatureMismatch { .. })),
                "{r:?}"
            )
        };
        mismatch(verify(ADDRESS, b"Hello, World?", &signature));
        mismatch(verify(
            "GAREAZZQWHOCBJS236KIE3AWYBVFLSBK7E5UW3ICI3TCRWQKT5LNLCEZ",
            &message,
            &signature,
        ));
        let mut flipped = signature;
        flipped[10] ^= 1;
        mismatch(verify(ADDRESS, &message, &flipped));
        // Without the prefix, a plain ed25519 signature of the message is not a SEP-53 one.
        let signer = Signer::from_secret(SEED, "test").unwrap();
        let digest: [u8; 32] = Sha256::digest(&message).into();
        mismatch(verify(ADDRESS, &message, &signer.sign(&digest)));
    }

    #[test]
    fn malformed_input_is_named() {
        assert!(matches!(
            parse_signature("not a signature"),
            Err(WalletError::BadSignature(_))
        ));
        assert!(matches!(
            parse_signature("AAAA"),
            Err(WalletError::BadSignature(_))
        ));
        assert!(matches!(
            verify("GNOTANADDRESS", b"x", &[0; 64]),
            Err(WalletError::BadAddress(_))
        ));
        // A contract address is no wallet.
        assert!(matches!(
            account_key("CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC"),
            Err(WalletError::BadAddress(_))
        ));
    }
}
