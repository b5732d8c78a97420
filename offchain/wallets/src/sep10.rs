//! SEP-10 challenge transactions, for wallets that can sign transactions but not messages
//! (Ledger, Trezor): the server builds a transaction that can never run (sequence 0), bound to
//! the client account, the home domain, the web auth domain, a nonce and the network, and signs
//! it; the client signs it back; the server checks both signatures and that the client's carry
//! the account's medium threshold (for an account that exists; its master key otherwise).

use std::collections::HashSet;

use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};
use stellar_xdr::{self as xdr, Limits, ReadXdr, WriteXdr};

use crate::sep53::account_key;
use crate::WalletError;
use passa_stellar::keys::Signer;

/// The nonce's length before base64: 48 random bytes, 64 characters encoded (as SEP-10 says).
pub const NONCE_BYTES: usize = 48;

/// What a challenge binds.
#[derive(Debug, Clone)]
pub struct Binding<'a> {
    /// The client account (`G…`) whose control is proven.
    pub client: &'a str,
    /// The home domain: the first operation's key is `"<home domain> auth"`.
    pub home_domain: &'a str,
    /// The server's domain (the `web_auth_domain` operation).
    pub web_auth_domain: &'a str,
    /// The network's passphrase: the signatures cover the network id.
    pub network_passphrase: &'a str,
    /// The nonce, base64 of [`NONCE_BYTES`] random bytes.
    pub nonce: &'a str,
}

/// A fresh nonce.
///
/// # Errors
/// [`WalletError::NoRandomness`] when the OS has none to give.
pub fn new_nonce() -> Result<String, WalletError> {
    let mut bytes = [0u8; NONCE_BYTES];
    getrandom::getrandom(&mut bytes).map_err(|e| WalletError::NoRandomness(e.to_string()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The challenge for `binding`, valid from `now` for `ttl` seconds, signed by `server`:
/// base64 XDR of the transaction envelope.
///
/// # Errors
/// [`WalletError::BadAddress`] for a client that is not an account; a domain too long for a
/// data entry name is [`WalletError::MalformedChallenge`].
pub fn challenge(
    server: &Signer,
    binding: &Binding<'_>,
    now: u64,
    ttl: u64,
) -> Result<String, WalletError> {
    let client = account_key(binding.client)?;
    let malformed = |e: xdr::Error| WalletError::MalformedChallenge(e.to_string());
    let data =
        |source: [u8; 32], name: String, value: &[u8]| -> Result<xdr::Operation, WalletError> {
            Ok(xdr::Operation {
                source_account: Some(muxed(source)),
                body: xdr::OperationBody::ManageData(xdr::ManageDataOp {
                    data_name: xdr::String64(name.try_into().map_err(malformed)?),
                    data_value: Some(xdr::DataValue(
                        value.to_vec().try_into().map_err(malformed)?,
                    )),
                }),
            })
        };
    let operations = vec![
        data(
            client.to_bytes(),
            format!("{} auth", binding.home_domain),
            binding.nonce.as_bytes(),
        )?,
        data(
            server.public_key(),
            "web_auth_domain".to_owned(),
            binding.web_auth_domain.as_bytes(),
        )?,
    ];
    let tx = xdr::Transaction {
        source_account: muxed(server.public_key()),
        fee: 200,
        seq_num: xdr::SequenceNumber(0),
        cond: xdr::Preconditions::Time(xdr::TimeBounds {
            min_time: xdr::TimePoint(now),
            max_time: xdr::TimePoint(now.saturating_add(ttl)),
        }),
        memo: xdr::Memo::None,
        operations: operations.try_into().map_err(malformed)?,
        ext: xdr::TransactionExt::V0,
    };
    let hash = signature_hash(&tx, binding.network_passphrase)?;
    let envelope = xdr::TransactionEnvelope::Tx(xdr::TransactionV1Envelope {
        tx,
        signatures: vec![server.decorated_signature(&hash)]
            .try_into()
            .map_err(malformed)?,
    });
    envelope.to_xdr_base64(Limits::none()).map_err(malformed)
}

/// Who may sign for the client account, as the ledger says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientSigners {
    /// The account does not exist (yet): its master key alone proves control.
    Unfunded,
    /// It exists: its signers (ed25519 keys with their weights, the master key among them
    /// with the master weight) and the medium threshold they must reach.
    Account {
        /// (public key, weight).
        signers: Vec<([u8; 32], u32)>,
        /// The medium threshold (at least 1).
        medium_threshold: u32,
    },
}

impl ClientSigners {
    /// The signers and medium threshold of a ledger account entry.
    pub fn of(account: &xdr::AccountEntry) -> Self {
        let xdr::PublicKey::PublicKeyTypeEd25519(xdr::Uint256(master)) = account.account_id.0;
        let [master_weight, _low, medium, _high] = account.thresholds.0;
        let mut signers = vec![(master, u32::from(master_weight))];
        for signer in account.signers.iter() {
            if let xdr::SignerKey::Ed25519(xdr::Uint256(key)) = signer.key {
                signers.push((key, signer.weight));
            }
        }
        Self::Account {
            signers,
            medium_threshold: u32::from(medium).max(1),
        }
    }
}

/// Checks a signed challenge: issued by `server` for `binding` (client, domains, network and
/// nonce), within its time bounds at `now`, and signed back by the client with enough weight.
/// Returns the weight the client's signatures carry.
///
/// # Errors
/// One [`WalletError`] per way it can be wrong.
pub fn verify(
    signed: &str,
    server: &str,
    binding: &Binding<'_>,
    signers: &ClientSigners,
    now: u64,
) -> Result<u32, WalletError> {
    let (tx, signatures) = read(signed)?;
    let server_key = account_key(server)?;
    check_shape(&tx, &server_key, binding, now)?;
    let hash = signature_hash(&tx, binding.network_passphrase)?;
    let hint = |key: &VerifyingKey| key.to_bytes()[28..32].to_vec();
    let signed_by = |key: &VerifyingKey| {
        signatures.iter().any(|s| {
            s.hint.0.to_vec() == hint(key)
                && Signature::from_slice(&s.signature.0)
                    .is_ok_and(|sig| key.verify_strict(&hash, &sig).is_ok())
        })
    };
    if !signed_by(&server_key) {
        // The server's signature covers the network id too: name the likelier cause.
        return Err(
            if signatures
                .iter()
                .any(|s| s.hint.0.to_vec() == hint(&server_key))
            {
                WalletError::WrongNetwork(binding.network_passphrase.to_owned())
            } else {
                WalletError::WrongServer(server.to_owned())
            },
        );
    }
    client_weight(binding.client, signers, &signed_by)
}

/// The weight of the client's valid signatures, refused below what `signers` requires.
fn client_weight(
    client: &str,
    signers: &ClientSigners,
    signed_by: &dyn Fn(&VerifyingKey) -> bool,
) -> Result<u32, WalletError> {
    let (keys, needed) = match signers {
        ClientSigners::Unfunded => (vec![(account_key(client)?.to_bytes(), 1)], 1),
        ClientSigners::Account {
            signers,
            medium_threshold,
        } => (signers.clone(), *medium_threshold),
    };
    let mut seen = HashSet::new();
    let weight: u32 = keys
        .iter()
        .filter(|(key, weight)| *weight > 0 && seen.insert(*key))
        .filter_map(|(key, weight)| {
            let key = VerifyingKey::from_bytes(key).ok()?;
            signed_by(&key).then_some((*weight).min(255))
        })
        .sum();
    if weight < needed {
        return Err(WalletError::Underweighted {
            address: client.to_owned(),
            weight,
            needed,
        });
    }
    Ok(weight)
}

/// The transaction and its signatures from base64 XDR.
fn read(signed: &str) -> Result<(xdr::Transaction, Vec<xdr::DecoratedSignature>), WalletError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(signed.trim())
        .map_err(|_| WalletError::MalformedChallenge("not base64".to_owned()))?;
    match xdr::TransactionEnvelope::from_xdr(bytes, Limits::depth(100)) {
        Ok(xdr::TransactionEnvelope::Tx(e)) => Ok((e.tx, e.signatures.to_vec())),
        Ok(_) => Err(WalletError::MalformedChallenge(
            "not a v1 transaction envelope".to_owned(),
        )),
        Err(e) => Err(WalletError::MalformedChallenge(format!(
            "unreadable XDR ({e})"
        ))),
    }
}

/// Everything SEP-10 requires of the transaction itself.
fn check_shape(
    tx: &xdr::Transaction,
    server: &VerifyingKey,
    binding: &Binding<'_>,
    now: u64,
) -> Result<(), WalletError> {
    let malformed = |why: &str| WalletError::MalformedChallenge(why.to_owned());
    if tx.source_account != muxed(server.to_bytes()) {
        return Err(WalletError::WrongServer(strkey(server.to_bytes())));
    }
    if tx.seq_num.0 != 0 {
        return Err(malformed("its sequence number is not 0"));
    }
    let xdr::Preconditions::Time(bounds) = &tx.cond else {
        return Err(malformed("it has no time bounds"));
    };
    if now > bounds.max_time.0 {
        return Err(WalletError::Expired {
            max_time: bounds.max_time.0,
            now,
        });
    }
    if now < bounds.min_time.0 {
        return Err(WalletError::NotYetValid {
            min_time: bounds.min_time.0,
            now,
        });
    }
    let (first, rest) = tx
        .operations
        .split_first()
        .ok_or_else(|| malformed("it has no operations"))?;
    check_first(first, binding)?;
    check_rest(rest, server, binding)
}

/// The first operation: `manage_data` by the client, `"<home domain> auth"`, the nonce.
fn check_first(op: &xdr::Operation, binding: &Binding<'_>) -> Result<(), WalletError> {
    let (source, name, value) = manage_data(op)?;
    let source = source.ok_or_else(|| {
        WalletError::MalformedChallenge("the first operation has no source account".to_owned())
    })?;
    let expected_client = account_key(binding.client)?.to_bytes();
    if source != expected_client {
        return Err(WalletError::WrongAccount {
            expected: binding.client.to_owned(),
            found: strkey(source),
        });
    }
    let expected_name = format!("{} auth", binding.home_domain);
    if name != expected_name {
        return Err(WalletError::WrongDomain {
            expected: expected_name,
            found: name,
        });
    }
    if value.as_deref() != Some(binding.nonce.as_bytes()) {
        return Err(WalletError::WrongNonce);
    }
    Ok(())
}

/// The other operations: `manage_data` by the server, one of them the web auth domain.
fn check_rest(
    ops: &[xdr::Operation],
    server: &VerifyingKey,
    binding: &Binding<'_>,
) -> Result<(), WalletError> {
    let mut web_auth_domain = None;
    for op in ops {
        let (source, name, value) = manage_data(op)?;
        if source != Some(server.to_bytes()) {
            return Err(WalletError::MalformedChallenge(
                "an operation after the first is not the server's".to_owned(),
            ));
        }
        if name == "web_auth_domain" {
            web_auth_domain = value.map(|v| String::from_utf8_lossy(&v).into_owned());
        }
    }
    match web_auth_domain {
        Some(found) if found == binding.web_auth_domain => Ok(()),
        Some(found) => Err(WalletError::WrongDomain {
            expected: binding.web_auth_domain.to_owned(),
            found,
        }),
        None => Err(WalletError::MalformedChallenge(
            "it has no web_auth_domain operation".to_owned(),
        )),
    }
}

/// A `manage_data` operation: its source's key, the entry's name and value.
type DataOp = (Option<[u8; 32]>, String, Option<Vec<u8>>);

/// The parts of a `manage_data` operation.
fn manage_data(op: &xdr::Operation) -> Result<DataOp, WalletError> {
    let xdr::OperationBody::ManageData(data) = &op.body else {
        return Err(WalletError::MalformedChallenge(
            "an operation is not manage_data".to_owned(),
        ));
    };
    let source = match &op.source_account {
        Some(xdr::MuxedAccount::Ed25519(key)) => Some(key.0),
        Some(xdr::MuxedAccount::MuxedEd25519(m)) => Some(m.ed25519.0),
        None => None,
    };
    let name = String::from_utf8_lossy(data.data_name.as_vec()).into_owned();
    Ok((source, name, data.data_value.as_ref().map(|v| v.0.to_vec())))
}

fn muxed(key: [u8; 32]) -> xdr::MuxedAccount {
    xdr::MuxedAccount::Ed25519(xdr::Uint256(key))
}

fn strkey(key: [u8; 32]) -> String {
    format!("{}", stellar_strkey::ed25519::PublicKey(key))
}

/// What signatures of `tx` on the network of `passphrase` sign.
fn signature_hash(tx: &xdr::Transaction, passphrase: &str) -> Result<[u8; 32], WalletError> {
    let network_id: [u8; 32] = Sha256::digest(passphrase.as_bytes()).into();
    tx.hash(network_id)
        .map_err(|e| WalletError::MalformedChallenge(e.to_string()))
}

/// Adds `signer`'s signature to a challenge (what a wallet does; for tests and the demo).
///
/// # Errors
/// [`WalletError::MalformedChallenge`].
pub fn sign(
    signed: &str,
    signer: &Signer,
    network_passphrase: &str,
) -> Result<String, WalletError> {
    let (tx, mut signatures) = read(signed)?;
    let hash = signature_hash(&tx, network_passphrase)?;
    signatures.push(signer.decorated_signature(&hash));
    let malformed = |e: xdr::Error| WalletError::MalformedChallenge(e.to_string());
    xdr::TransactionEnvelope::Tx(xdr::TransactionV1Envelope {
        tx,
        signatures: signatures.try_into().map_err(malformed)?,
    })
    .to_xdr_base64(Limits::none())
    .map_err(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &str = "Test SDF Network ; September 2015";
    const NOW: u64 = 1_796_600_000;

    struct Case {
        server: Signer,
        client: Signer,
        client_address: String,
        nonce: String,
    }

    impl Case {
        fn new() -> Self {
            let client = Signer::generate().unwrap();
            Self {
                server: Signer::generate().unwrap(),
                client_address: client.address(),
                client,
                nonce: new_nonce().unwrap(),
            }
        }

        fn binding(&self) -> Binding<'_> {
            Binding {
                client: &self.client_address,
                home_domain: "passa.example",
                web_auth_domain: "auth.passa.example",
                network_passphrase: PASSPHRASE,
                nonce: &self.nonce,
            }
        }

        fn issued(&self) -> String {
            challenge(&self.server, &self.binding(), NOW, 300).unwrap()
        }

        fn signed_back(&self) -> String {
            sign(&self.issued(), &self.client, PASSPHRASE).unwrap()
        }

        fn verify(
            &self,
            signed: &str,
            signers: &ClientSigners,
            now: u64,
        ) -> Result<u32, WalletError> {
            verify(
                signed,
                &self.server.address(),
                &self.binding(),
                signers,
                now,
            )
        }
    }

    #[test]
    fn a_challenge_signed_back_by_the_master_key_verifies() {
        let case = Case::new();
        let signed = case.signed_back();
        assert_eq!(
            case.verify(&signed, &ClientSigners::Unfunded, NOW + 10),
            Ok(1)
        );
        // Not signed back at all: only the server's signature.
        assert!(matches!(
            case.verify(&case.issued(), &ClientSigners::Unfunded, NOW),
            Err(WalletError::Underweighted { weight: 0, .. })
        ));
    }

    #[test]
    fn another_server_network_time_domain_nonce_or_account_is_refused() {
        let case = Case::new();
        let signed = case.signed_back();
        let unfunded = ClientSigners::Unfunded;
        let other = Signer::generate().unwrap();
        assert!(matches!(
            verify(&signed, &other.address(), &case.binding(), &unfunded, NOW),
            Err(WalletError::WrongServer(_))
        ));
        let mainnet = Binding {
            network_passphrase: "Public Global Stellar Network ; September 2015",
            ..case.binding()
        };
        assert!(matches!(
            verify(&signed, &case.server.address(), &mainnet, &unfunded, NOW),
            Err(WalletError::WrongNetwork(_))
        ));
        assert!(matches!(
            case.verify(&signed, &unfunded, NOW + 301),
            Err(WalletError::Expired { .. })
        ));
        assert!(matches!(
            case.verify(&signed, &unfunded, NOW - 1),
            Err(WalletError::NotYetValid { .. })
        ));
        let elsewhere = Binding {
            home_domain: "evil.example",
            ..case.binding()
        };
        assert!(matches!(
            verify(&signed, &case.server.address(), &elsewhere, &unfunded, NOW),
            Err(WalletError::WrongDomain { .. })
        ));
        let web = Binding {
            web_auth_domain: "auth.evil.example",
            ..case.binding()
        };
        assert!(matches!(
            verify(&signed, &case.server.address(), &web, &unfunded, NOW),
            Err(WalletError::WrongDomain { .. })
        ));
        let nonce = new_nonce().unwrap();
        let renonced = Binding {
            nonce: &nonce,
            ..case.binding()
        };
        assert!(matches!(
            verify(&signed, &case.server.address(), &renonced, &unfunded, NOW),
            Err(WalletError::WrongNonce)
        ));
        let someone = Signer::generate().unwrap().address();
        let other_account = Binding {
            client: &someone,
            ..case.binding()
        };
        assert!(matches!(
            verify(
                &signed,
                &case.server.address(),
                &other_account,
                &unfunded,
                NOW
            ),
            Err(WalletError::WrongAccount { .. })
        ));
    }

    #[test]
    fn a_tampered_challenge_or_signature_is_refused() {
        let case = Case::new();
        let signed = case.signed_back();
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(&signed)
            .unwrap();
        // The last byte is the client's signature's: flip it.
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let flipped = base64::engine::general_purpose::STANDARD.encode(&bytes);
        assert!(matches!(
            case.verify(&flipped, &ClientSigners::Unfunded, NOW),
            Err(WalletError::Underweighted { weight: 0, .. })
        ));
        // A longer time bound, re-signed by the client: the server's signature no longer holds.
        let (mut tx, signatures) = read(&signed).unwrap();
        if let xdr::Preconditions::Time(b) = &mut tx.cond {
            b.max_time = xdr::TimePoint(NOW + 86_400);
        }
        let forged = xdr::TransactionEnvelope::Tx(xdr::TransactionV1Envelope {
            tx,
            signatures: signatures.try_into().unwrap(),
        })
        .to_xdr_base64(Limits::none())
        .unwrap();
        let forged = sign(&forged, &case.client, PASSPHRASE).unwrap();
        assert!(matches!(
            case.verify(&forged, &ClientSigners::Unfunded, NOW + 1_000),
            Err(WalletError::WrongNetwork(_) | WalletError::WrongServer(_))
        ));
        assert!(matches!(
            case.verify("not xdr", &ClientSigners::Unfunded, NOW),
            Err(WalletError::MalformedChallenge(_))
        ));
    }

    #[test]
    fn a_multisig_account_needs_its_medium_threshold() {
        let case = Case::new();
        let cosigner = Signer::generate().unwrap();
        let signers = ClientSigners::Account {
            signers: vec![(case.client.public_key(), 1), (cosigner.public_key(), 1)],
            medium_threshold: 2,
        };
        let one = case.signed_back();
        assert_eq!(
            case.verify(&one, &signers, NOW),
            Err(WalletError::Underweighted {
                address: case.client_address.clone(),
                weight: 1,
                needed: 2,
            })
        );
        let both = sign(&one, &cosigner, PASSPHRASE).unwrap();
        assert_eq!(case.verify(&both, &signers, NOW), Ok(2));
        // The same signature twice counts once.
        let twice = sign(&one, &case.client, PASSPHRASE).unwrap();
        assert!(matches!(
            case.verify(&twice, &signers, NOW),
            Err(WalletError::Underweighted { weight: 1, .. })
        ));
        // A master key weighted 0 (a key handed over to other signers) proves nothing.
        let handed_over = ClientSigners::Account {
            signers: vec![(case.client.public_key(), 0), (cosigner.public_key(), 1)],
            medium_threshold: 1,
        };
        assert!(matches!(
            case.verify(&one, &handed_over, NOW),
            Err(WalletError::Underweighted { weight: 0, .. })
        ));
    }
}
