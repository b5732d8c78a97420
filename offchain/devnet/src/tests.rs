//! End-to-end tests of the node without the RPC layer: a client builds, simulates, signs and
//! submits transactions the way the stellar CLI or the JS SDK do.
use ed25519_dalek::{Signer, SigningKey};
use soroban_env_host::xdr::{
    AccountId, ContractExecutable, ContractId, ContractIdPreimage, ContractIdPreimageFromAddress,
    CreateContractArgsV2, DecoratedSignature, Hash, HashIdPreimage, HashIdPreimageContractId,
    HashIdPreimageSorobanAuthorization, HostFunction, InvokeContractArgs, InvokeHostFunctionOp,
    LedgerKey, LedgerKeyContractCode, Memo, MuxedAccount, Operation, OperationBody, Preconditions,
    ScAddress, ScBytes, ScMap, ScMapEntry, ScSymbol, ScVal, ScVec, SequenceNumber, Signature,
    SignatureHint, SorobanAuthorizationEntry, SorobanCredentials, Transaction, TransactionEnvelope,
    TransactionExt, TransactionResultResult, TransactionV1Envelope, Uint256, WriteXdr,
};

use crate::{
    accounts,
    genesis::TtlSettings,
    ledger::{sha256, XDR_LIMITS},
    node::{FundStatus, GenesisOptions, Node, SubmitStatus},
    simulate::{self, AuthMode},
};

const WASM: &[u8] = include_bytes!("../tests/fixtures/devnet_test_contract.wasm");
const NOW: u64 = 1_750_000_000;

struct Client {
    key: SigningKey,
}

impl Client {
    fn new(n: u8) -> Self {
        Self {
            key: SigningKey::from_bytes(&[n; 32]),
        }
    }
    fn id(&self) -> AccountId {
        accounts::account_id(self.key.verifying_key().to_bytes())
    }
    fn address(&self) -> ScAddress {
        ScAddress::Account(self.id())
    }

    /// Simulates, then builds a signed envelope with the simulated resources.
    fn prepare(
        &self,
        node: &Node,
        host_function: HostFunction,
        sign_auth: Option<&Client>,
    ) -> (TransactionEnvelope, ScVal) {
        let sim = simulate::invoke(
            &node.ledger,
            &self.id(),
            host_function.clone(),
            AuthMode::Record,
            vec![],
            NOW,
        )
        .unwrap();
        let ret = sim.invoke_result.clone().expect("simulation failed");
        let mut auth = sim.auth.clone();
        if let Some(signer) = sign_auth {
            for entry in &mut auth {
                *entry = signer.sign_auth(node, entry.clone());
            }
        }
        let data = sim.transaction_data.clone().unwrap();
        let fee = 100 + data.resource_fee as u32;
        (self.envelope(node, host_function, auth, data, fee), ret)
    }

    fn envelope(
        &self,
        node: &Node,
        host_function: HostFunction,
        auth: Vec<SorobanAuthorizationEntry>,
        data: soroban_env_host::xdr::SorobanTransactionData,
        fee: u32,
    ) -> TransactionEnvelope {
        let seq = accounts::load(&node.ledger, &self.id()).unwrap().seq_num.0 + 1;
        let tx = Transaction {
            source_account: MuxedAccount::Ed25519(Uint256(self.key.verifying_key().to_bytes())),
            fee,
            seq_num: SequenceNumber(seq),
            cond: Preconditions::None,
            memo: Memo::None,
            operations: vec![Operation {
                source_account: None,
                body: OperationBody::InvokeHostFunction(InvokeHostFunctionOp {
                    host_function,
                    auth: auth.try_into().unwrap(),
                }),
            }]
            .try_into()
            .unwrap(),
            ext: TransactionExt::V1(data),
        };
        self.sign(node, tx)
    }

    fn sign(&self, node: &Node, tx: Transaction) -> TransactionEnvelope {
        let mut env = TransactionEnvelope::Tx(TransactionV1Envelope {
            tx,
            signatures: Default::default(),
        });
        let hash = env.hash(node.ledger.network_id).unwrap();
        let pk = self.key.verifying_key().to_bytes();
        if let TransactionEnvelope::Tx(e) = &mut env {
            e.signatures = vec![DecoratedSignature {
                hint: SignatureHint(pk[28..].try_into().unwrap()),
                signature: Signature(self.key.sign(&hash).to_bytes().to_vec().try_into().unwrap()),
            }]
            .try_into()
            .unwrap();
        }
        env
    }

    /// Signs a recorded `Address` auth entry (master key), valid for 100 ledgers.
    fn sign_auth(
        &self,
        node: &Node,
        mut entry: SorobanAuthorizationEntry,
    ) -> SorobanAuthorizationEntry {
        let SorobanCredentials::Address(creds) = &mut entry.credentials else {
            return entry;
        };
        creds.signature_expiration_ledger = node.ledger.next_sequence() + 100;
        let payload = sha256(
            &HashIdPreimage::SorobanAuthorization(HashIdPreimageSorobanAuthorization {
                network_id: Hash(node.ledger.network_id),
                nonce: creds.nonce,
                signature_expiration_ledger: creds.signature_expiration_ledger,
                invocation: entry.root_invocation.clone(),
            })
            .to_xdr(XDR_LIMITS)
            .unwrap(),
        );
        let sym = |s: &str| ScVal::Symbol(ScSymbol(s.try_into().unwrap()));
        let bytes = |b: &[u8]| ScVal::Bytes(ScBytes(b.to_vec().try_into().unwrap()));
        let map = ScMap(
            vec![
                ScMapEntry {
                    key: sym("public_key"),
                    val: bytes(&self.key.verifying_key().to_bytes()),
                },
                ScMapEntry {
                    key: sym("signature"),
                    val: bytes(&self.key.sign(&payload).to_bytes()),
                },
            ]
            .try_into()
            .unwrap(),
        );
        creds.signature = ScVal::Vec(Some(ScVec(vec![ScVal::Map(Some(map))].try_into().unwrap())));
        entry
    }
}

fn invoke_fn(contract: &ScAddress, name: &str, args: Vec<ScVal>) -> HostFunction {
    HostFunction::InvokeContract(InvokeContractArgs {
        contract_address: contract.clone(),
        function_name: ScSymbol(name.try_into().unwrap()),
        args: args.try_into().unwrap(),
    })
}

/// Submits, closes a ledger, and returns the transaction's result code and return value.
fn submit_and_close(
    node: &mut Node,
    env: &TransactionEnvelope,
) -> (bool, TransactionResultResult, i64) {
    let (status, hash) = node.submit(env, NOW).unwrap();
    assert_eq!(status, SubmitStatus::Pending);
    node.close_ledger(NOW).unwrap();
    let rec = node.transaction(&hash).unwrap();
    (
        rec.success,
        rec.result.result.clone(),
        rec.result.fee_charged,
    )
}

/// A devnet with two funded accounts and the test contract deployed (admin alice, start 10).
fn deployed(ttl: TtlSettings) -> (Node, Client, Client, ScAddress) {
    let mut node = Node::genesis(
        &GenesisOptions {
            ttl,
            ..Default::default()
        },
        NOW,
    )
    .unwrap();
    let (alice, bob) = (Client::new(1), Client::new(2));
    assert_eq!(node.fund(&alice.id()), FundStatus::Queued);
    assert_eq!(node.fund(&bob.id()), FundStatus::Queued);
    node.close_ledger(NOW).unwrap();
    assert_eq!(node.fund(&alice.id()), FundStatus::AlreadyFunded);

    let upload = HostFunction::UploadContractWasm(WASM.to_vec().try_into().unwrap());
    let (env, ret) = alice.prepare(&node, upload, None);
    assert_eq!(
        ret,
        ScVal::Bytes(ScBytes(sha256(WASM).to_vec().try_into().unwrap()))
    );
    let (ok, _, _) = submit_and_close(&mut node, &env);
    assert!(ok);
    let code_key = LedgerKey::ContractCode(LedgerKeyContractCode {
        hash: Hash(sha256(WASM)),
    });
    assert!(node.ledger.get(&code_key).is_some());

    let preimage = ContractIdPreimage::Address(ContractIdPreimageFromAddress {
        address: alice.address(),
        salt: Uint256([7; 32]),
    });
    let expected = sha256(
        &HashIdPreimage::ContractId(HashIdPreimageContractId {
            network_id: Hash(node.ledger.network_id),
            contract_id_preimage: preimage.clone(),
        })
        .to_xdr(XDR_LIMITS)
        .unwrap(),
    );
    let create = HostFunction::CreateContractV2(CreateContractArgsV2 {
        contract_id_preimage: preimage,
        executable: ContractExecutable::Wasm(Hash(sha256(WASM))),
        constructor_args: vec![ScVal::Address(alice.address()), ScVal::U32(10)]
            .try_into()
            .unwrap(),
    });
    let (env, _) = alice.prepare(&node, create, None);
    let (ok, _, _) = submit_and_close(&mut node, &env);
    assert!(ok);
    let contract = ScAddress::Contract(ContractId(Hash(expected)));
    (node, alice, bob, contract)
}

#[test]
fn genesis_has_configuration_root_and_native_contract() {
    let node = Node::genesis(&GenesisOptions::default(), NOW).unwrap();
    assert_eq!(node.ledger.latest().sequence(), 2);
    assert_eq!(node.ledger.config.tx_max_instructions, 400_000_000);
    let root = accounts::account_id(
        accounts::root_key(&node.ledger.network_id)
            .verifying_key()
            .to_bytes(),
    );
    assert_eq!(
        accounts::load(&node.ledger, &root).unwrap().balance,
        crate::genesis::TOTAL_COINS
    );
    // The native asset contract answers `symbol()`.
    let sac = sha256(
        &HashIdPreimage::ContractId(HashIdPreimageContractId {
            network_id: Hash(node.ledger.network_id),
            contract_id_preimage: ContractIdPreimage::Asset(soroban_env_host::xdr::Asset::Native),
        })
        .to_xdr(XDR_LIMITS)
        .unwrap(),
    );
    let sac = ScAddress::Contract(ContractId(Hash(sac)));
    let sim = simulate::invoke(
        &node.ledger,
        &root,
        invoke_fn(&sac, "symbol", vec![]),
        AuthMode::Record,
        vec![],
        NOW,
    )
    .unwrap();
    assert_eq!(
        sim.invoke_result.unwrap(),
        ScVal::String(soroban_env_host::xdr::ScString(
            "native".as_bytes().to_vec().try_into().unwrap()
        ))
    );
}

#[test]
fn invoke_with_auth_of_a_second_account() {
    let (mut node, alice, bob, contract) = deployed(TtlSettings::default());
    let bump = invoke_fn(
        &contract,
        "bump",
        vec![ScVal::Address(bob.address()), ScVal::U32(5)],
    );
    let before = accounts::load(&node.ledger, &alice.id()).unwrap();
    let (env, ret) = alice.prepare(&node, bump.clone(), Some(&bob));
    assert_eq!(ret, ScVal::U32(15));
    let TransactionEnvelope::Tx(e) = &env else {
        unreachable!()
    };
    let offered = i64::from(e.tx.fee);
    let (ok, result, charged) = submit_and_close(&mut node, &env);
    assert!(ok, "{result:?}");
    let after = accounts::load(&node.ledger, &alice.id()).unwrap();
    assert_eq!(after.seq_num.0, before.seq_num.0 + 1);
    assert_eq!(before.balance - after.balance, charged);
    assert!(
        charged > 100 && charged <= offered,
        "charged {charged} of {offered}"
    );
    // The event is stored with its contract and topics.
    let last = node.events.all().last().unwrap();
    assert_eq!(last.value(), &ScVal::U32(15));
    assert_eq!(last.topics()[1], ScVal::Address(bob.address()));
    // The counter reads back.
    let get = invoke_fn(&contract, "get", vec![ScVal::Address(bob.address())]);
    let sim = simulate::invoke(
        &node.ledger,
        &alice.id(),
        get,
        AuthMode::Record,
        vec![],
        NOW,
    )
    .unwrap();
    assert_eq!(sim.invoke_result.unwrap(), ScVal::U32(15));

    // Auth signed by the wrong key: the transaction fails in the ledger (fee charged).
    let (env, _) = alice.prepare(&node, bump, Some(&alice));
    let (ok, result, _) = submit_and_close(&mut node, &env);
    assert!(!ok);
    assert!(matches!(result, TransactionResultResult::TxFailed(_)));
}

#[test]
fn refusals_leave_the_ledger_unchanged() {
    let (mut node, alice, bob, contract) = deployed(TtlSettings::default());
    let bump = invoke_fn(
        &contract,
        "bump",
        vec![ScVal::Address(alice.address()), ScVal::U32(1)],
    );
    let (good, _) = alice.prepare(&node, bump.clone(), Some(&alice));
    let TransactionEnvelope::Tx(good_tx) = &good else {
        unreachable!()
    };
    let account_before = accounts::load(&node.ledger, &alice.id()).unwrap();
    let refused =
        |node: &mut Node, env: &TransactionEnvelope| match node.submit(env, NOW).unwrap().0 {
            SubmitStatus::Error(r) => r.result,
            other => panic!("expected a refusal, got {other:?}"),
        };
    // Signed by someone else.
    let wrong = bob.sign(&node, good_tx.tx.clone());
    assert_eq!(
        refused(&mut node, &wrong),
        TransactionResultResult::TxBadAuth
    );
    // Stale sequence number.
    let mut stale = good_tx.tx.clone();
    stale.seq_num.0 -= 1;
    let env = alice.sign(&node, stale);
    assert_eq!(refused(&mut node, &env), TransactionResultResult::TxBadSeq);
    // Fee below resource fee + base fee.
    let mut cheap = good_tx.tx.clone();
    cheap.fee -= 50;
    let env = alice.sign(&node, cheap);
    assert_eq!(
        refused(&mut node, &env),
        TransactionResultResult::TxInsufficientFee
    );
    // Resource fee below its non-refundable part.
    let mut low = good_tx.tx.clone();
    if let TransactionExt::V1(d) = &mut low.ext {
        d.resource_fee = 1;
        low.fee = 101;
    }
    let env = alice.sign(&node, low);
    assert_eq!(
        refused(&mut node, &env),
        TransactionResultResult::TxSorobanInvalid
    );
    assert_eq!(node.pending_len(), 0);
    assert_eq!(
        accounts::load(&node.ledger, &alice.id()).unwrap(),
        account_before
    );
    // The good one goes in; the same again is a duplicate; another from alice must wait.
    assert_eq!(node.submit(&good, NOW).unwrap().0, SubmitStatus::Pending);
    assert_eq!(node.submit(&good, NOW).unwrap().0, SubmitStatus::Duplicate);
    let mut next = good_tx.tx.clone();
    next.memo = Memo::Id(1);
    assert_eq!(
        node.submit(&alice.sign(&node, next), NOW).unwrap().0,
        SubmitStatus::TryAgainLater
    );
}

#[test]
fn temporary_entries_expire() {
    let ttl = TtlSettings {
        min_temporary_ttl: 16,
        min_persistent_ttl: 100,
        max_entry_ttl: 10_000,
    };
    let (mut node, alice, _, contract) = deployed(ttl);
    let put = invoke_fn(&contract, "put_temp", vec![ScVal::U32(1), ScVal::U32(42)]);
    let (env, _) = alice.prepare(&node, put, None);
    assert!(submit_and_close(&mut node, &env).0);
    let get = invoke_fn(&contract, "get_temp", vec![ScVal::U32(1)]);
    let read = |node: &Node| {
        simulate::invoke(
            &node.ledger,
            &alice.id(),
            get.clone(),
            AuthMode::Record,
            vec![],
            NOW,
        )
        .unwrap()
        .invoke_result
        .unwrap()
    };
    assert_eq!(read(&node), ScVal::U32(42));
    let held = node.ledger.len();
    for _ in 0..16 {
        node.close_ledger(NOW).unwrap();
    }
    assert_eq!(read(&node), ScVal::Void);
    // Evicted, not only hidden: the next close drops it from the state (and from what
    // eviction looks at; a second close finds nothing more to drop).
    node.close_ledger(NOW).unwrap();
    assert_eq!(node.ledger.len(), held - 1);
    assert!(node.ledger.evict_expired_temporary(u32::MAX).is_empty());
}
