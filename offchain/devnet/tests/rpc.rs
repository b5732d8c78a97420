//! A devnet started in-process on 127.0.0.1:0, driven only through its HTTP port: the
//! JSON-RPC API with `stellar-rpc-client` (as stellar-cli does), the friendbot and raw
//! requests for what a well-behaved client never sends.
use std::{str::FromStr, time::Duration};

use ed25519_dalek::{Signer, SigningKey};
use passa_devnet::{Devnet, DevnetOptions};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use soroban_env_host::xdr::{
    AccountId, ContractDataDurability, ContractExecutable, ContractId, ContractIdPreimage,
    ContractIdPreimageFromAddress, CreateContractArgsV2, DecoratedSignature, Hash, HashIdPreimage,
    HashIdPreimageContractId, HashIdPreimageSorobanAuthorization, HostFunction, InvokeContractArgs,
    InvokeHostFunctionOp, LedgerCloseMeta, LedgerEntryData, LedgerKey, LedgerKeyContractData,
    Limits, Memo, MuxedAccount, Operation, OperationBody, Preconditions, PublicKey, ReadXdr,
    ScAddress, ScBytes, ScMap, ScMapEntry, ScSymbol, ScVal, ScVec, SequenceNumber, Signature,
    SignatureHint, SorobanAuthorizationEntry, SorobanCredentials, SorobanTransactionData,
    Transaction, TransactionEnvelope, TransactionExt, TransactionMeta, TransactionResult,
    TransactionResultResult, TransactionV1Envelope, Uint256, WriteXdr,
};
use stellar_rpc_client::{Client, EventStart, EventType, LedgerStart};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WASM: &[u8] = include_bytes!("fixtures/devnet_test_contract.wasm");
const PASSPHRASE: &str = "Standalone Network ; February 2017";

fn sha256(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

fn network_id() -> [u8; 32] {
    sha256(PASSPHRASE.as_bytes())
}

async fn start() -> Devnet {
    Devnet::start(DevnetOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        // Fast closes keep the test quick and leave empty ledgers between transactions.
        ledger_close: Duration::from_millis(200),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// One HTTP/1.1 request over a fresh connection; returns the status and the body.
async fn http(devnet: &Devnet, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let (status, _, body) = http_with(devnet, method, path, "", body).await;
    (status, body)
}

/// [`http`] with extra header lines (each ending in `\r\n`); also returns the head.
async fn http_with(
    devnet: &Devnet,
    method: &str,
    path: &str,
    headers: &str,
    body: &[u8],
) -> (u16, String, String) {
    let mut s = tokio::net::TcpStream::connect(devnet.addr()).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = vec![];
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text[9..12].parse().unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_lowercase(), body.to_string())
}

async fn rpc_raw(devnet: &Devnet, body: &[u8]) -> Value {
    let (status, body) = http(devnet, "POST", "/", body).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

struct Account {
    key: SigningKey,
}

impl Account {
    fn new(n: u8) -> Self {
        Self {
            key: SigningKey::from_bytes(&[n; 32]),
        }
    }
    fn id(&self) -> AccountId {
        AccountId(PublicKey::PublicKeyTypeEd25519(Uint256(
            self.key.verifying_key().to_bytes(),
        )))
    }
    fn strkey(&self) -> String {
        self.id().to_string()
    }
    fn address(&self) -> ScAddress {
        ScAddress::Account(self.id())
    }

    async fn fund(&self, devnet: &Devnet) {
        let (status, body) = http(
            devnet,
            "GET",
            &format!("/friendbot?addr={}", self.strkey()),
            b"",
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    fn tx(
        &self,
        seq: i64,
        fee: u32,
        op: InvokeHostFunctionOp,
        data: SorobanTransactionData,
    ) -> Transaction {
        self.tx_with(seq, fee, OperationBody::InvokeHostFunction(op), data)
    }

    fn tx_with(
        &self,
        seq: i64,
        fee: u32,
        body: OperationBody,
        data: SorobanTransactionData,
    ) -> Transaction {
        Transaction {
            source_account: MuxedAccount::Ed25519(Uint256(self.key.verifying_key().to_bytes())),
            fee,
            seq_num: SequenceNumber(seq),
            cond: Preconditions::None,
            memo: Memo::None,
            operations: vec![Operation {
                source_account: None,
                body,
            }]
            .try_into()
            .unwrap(),
            ext: TransactionExt::V1(data),
        }
    }

    fn sign(&self, tx: Transaction) -> TransactionEnvelope {
        let mut env = TransactionEnvelope::Tx(TransactionV1Envelope {
            tx,
            signatures: Default::default(),
        });
        let hash = env.hash(network_id()).unwrap();
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

    /// Simulates through the RPC, signs auth entries with `signer`, and builds the envelope
    /// with the simulated resources — what every SDK's `prepareTransaction` does.
    async fn prepare(
        &self,
        client: &Client,
        f: HostFunction,
        signer: Option<&Account>,
    ) -> TransactionEnvelope {
        let seq = client.get_account(&self.strkey()).await.unwrap().seq_num.0 + 1;
        let op = InvokeHostFunctionOp {
            host_function: f.clone(),
            auth: Default::default(),
        };
        let draft = self.sign(self.tx(seq, 100, op, SorobanTransactionData::default()));
        let sim = client
            .simulate_transaction_envelope(&draft, None)
            .await
            .unwrap();
        assert!(sim.error.is_none(), "{:?}", sim.error);
        let mut auth = sim.results().unwrap()[0].auth.clone();
        if let Some(signer) = signer {
            let latest = client.get_latest_ledger().await.unwrap().sequence;
            for a in &mut auth {
                *a = signer.sign_auth(a.clone(), latest + 100);
            }
        }
        let data = sim.transaction_data().unwrap();
        let fee = 100 + data.resource_fee as u32;
        let op = InvokeHostFunctionOp {
            host_function: f,
            auth: auth.try_into().unwrap(),
        };
        self.sign(self.tx(seq, fee, op, data))
    }

    fn sign_auth(
        &self,
        mut entry: SorobanAuthorizationEntry,
        expiration: u32,
    ) -> SorobanAuthorizationEntry {
        let SorobanCredentials::Address(creds) = &mut entry.credentials else {
            return entry;
        };
        creds.signature_expiration_ledger = expiration;
        let payload = sha256(
            &HashIdPreimage::SorobanAuthorization(HashIdPreimageSorobanAuthorization {
                network_id: Hash(network_id()),
                nonce: creds.nonce,
                signature_expiration_ledger: expiration,
                invocation: entry.root_invocation.clone(),
            })
            .to_xdr(Limits::none())
            .unwrap(),
        );
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

fn sym(s: &str) -> ScVal {
    ScVal::Symbol(ScSymbol(s.try_into().unwrap()))
}

fn invoke(contract: &ScAddress, name: &str, args: Vec<ScVal>) -> HostFunction {
    HostFunction::InvokeContract(InvokeContractArgs {
        contract_address: contract.clone(),
        function_name: ScSymbol(name.try_into().unwrap()),
        args: args.try_into().unwrap(),
    })
}

fn return_value(meta: &Option<TransactionMeta>) -> ScVal {
    match meta {
        Some(TransactionMeta::V4(m)) => m
            .soroban_meta
            .as_ref()
            .unwrap()
            .return_value
            .clone()
            .unwrap(),
        other => panic!("unexpected meta {other:?}"),
    }
}

/// Funds alice and bob, uploads and deploys the test contract (admin alice, start 10).
async fn deployed(devnet: &Devnet, client: &Client) -> (Account, Account, ScAddress) {
    let (alice, bob) = (Account::new(1), Account::new(2));
    alice.fund(devnet).await;
    bob.fund(devnet).await;

    let upload = HostFunction::UploadContractWasm(WASM.to_vec().try_into().unwrap());
    let env = alice.prepare(client, upload, None).await;
    let r = client.send_transaction_polling(&env).await.unwrap();
    assert_eq!(
        return_value(&r.result_meta),
        ScVal::Bytes(ScBytes(sha256(WASM).to_vec().try_into().unwrap()))
    );

    let preimage = ContractIdPreimage::Address(ContractIdPreimageFromAddress {
        address: alice.address(),
        salt: Uint256([7; 32]),
    });
    let id = sha256(
        &HashIdPreimage::ContractId(HashIdPreimageContractId {
            network_id: Hash(network_id()),
            contract_id_preimage: preimage.clone(),
        })
        .to_xdr(Limits::none())
        .unwrap(),
    );
    let contract = ScAddress::Contract(ContractId(Hash(id)));
    let create = HostFunction::CreateContractV2(CreateContractArgsV2 {
        contract_id_preimage: preimage,
        executable: ContractExecutable::Wasm(Hash(sha256(WASM))),
        constructor_args: vec![ScVal::Address(alice.address()), ScVal::U32(10)]
            .try_into()
            .unwrap(),
    });
    let env = alice.prepare(client, create, None).await;
    let r = client.send_transaction_polling(&env).await.unwrap();
    assert_eq!(
        return_value(&r.result_meta),
        ScVal::Address(contract.clone())
    );
    (alice, bob, contract)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_invoke_and_read_back_through_rpc() {
    let devnet = start().await;
    let client = Client::new(&devnet.rpc_url()).unwrap();

    let network = client.get_network().await.unwrap();
    assert_eq!(network.passphrase, PASSPHRASE);
    assert_eq!(
        network.friendbot_url.as_deref(),
        Some(devnet.friendbot_url().as_str())
    );
    assert_eq!(client.get_health().await.unwrap().status, "healthy");
    client.get_version_info().await.unwrap();
    let start_ledger = client.get_latest_ledger().await.unwrap().sequence;
    let v = rpc_raw(
        &devnet,
        br#"{"jsonrpc":"2.0","id":1,"method":"getLatestLedger"}"#,
    )
    .await;
    let meta = LedgerCloseMeta::from_xdr_base64(
        v["result"]["metadataXdr"].as_str().unwrap(),
        Limits::none(),
    )
    .unwrap();
    let LedgerCloseMeta::V2(meta) = meta else {
        panic!("not a v2 ledger close meta")
    };
    assert_eq!(
        meta.ledger_header.header.ledger_seq,
        v["result"]["sequence"].as_u64().unwrap() as u32
    );

    let (alice, bob, contract) = deployed(&devnet, &client).await;
    // What a deploy command reads back: the code by its hash, the instance (with the
    // constructor's storage) and the accounts, in one getLedgerEntries call.
    let code = LedgerKey::ContractCode(soroban_env_host::xdr::LedgerKeyContractCode {
        hash: Hash(sha256(WASM)),
    });
    let instance = LedgerKey::ContractData(LedgerKeyContractData {
        contract: contract.clone(),
        key: ScVal::LedgerKeyContractInstance,
        durability: ContractDataDurability::Persistent,
    });
    let account = LedgerKey::Account(soroban_env_host::xdr::LedgerKeyAccount {
        account_id: alice.id(),
    });
    let found = client
        .get_full_ledger_entries(&[code, instance, account])
        .await
        .unwrap();
    assert_eq!(found.entries.len(), 3);
    let LedgerEntryData::ContractCode(c) = &found.entries[0].val else {
        panic!("not contract code")
    };
    assert_eq!(c.code.as_slice(), WASM);
    let LedgerEntryData::ContractData(d) = &found.entries[1].val else {
        panic!("not contract data")
    };
    let ScVal::ContractInstance(i) = &d.val else {
        panic!("not an instance")
    };
    assert_eq!(i.executable, ContractExecutable::Wasm(Hash(sha256(WASM))));
    let storage = i.storage.as_ref().unwrap();
    assert!(storage.iter().any(|e| e.val == ScVal::U32(10)));
    assert!(matches!(found.entries[2].val, LedgerEntryData::Account(_)));
    assert!(found.entries[2].live_until_ledger_seq.is_none());
    // Funding twice is refused, as testnet's friendbot refuses.
    let (status, _) = http(
        &devnet,
        "GET",
        &format!("/friendbot?addr={}", bob.strkey()),
        b"",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = http(&devnet, "GET", "/friendbot?addr=nonsense", b"").await;
    assert_eq!(status, 400);
    // POST, as the JS SDK's requestAirdrop sends it: the meta shows the created account.
    let carol = Account::new(4);
    let (status, body) = http(
        &devnet,
        "POST",
        &format!("/friendbot?addr={}", carol.strkey()),
        b"",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    let meta =
        TransactionMeta::from_xdr_base64(body["result_meta_xdr"].as_str().unwrap(), Limits::none())
            .unwrap();
    let TransactionMeta::V4(meta) = meta else {
        panic!("unexpected meta")
    };
    let created = meta.operations[0]
        .changes
        .iter()
        .find_map(|c| match c {
            soroban_env_host::xdr::LedgerEntryChange::Created(e) => Some(e.clone()),
            _ => None,
        })
        .expect("an entry created");
    let LedgerEntryData::Account(created) = created.data else {
        panic!("not an account")
    };
    let carol_now = client.get_account(&carol.strkey()).await.unwrap();
    assert_eq!(created.seq_num, carol_now.seq_num);
    assert_eq!(carol_now.balance, 10_000 * 10_000_000);
    // The funding is a real transaction: getTransaction knows its hash (what the JS SDK's
    // fundAddress checks), a CreateAccount from the root account that emitted the CAP-67
    // `transfer` event of the native asset's contract.
    let funding = Hash::from_str(body["hash"].as_str().unwrap()).unwrap();
    let funding = client.get_transaction(&funding).await.unwrap();
    assert_eq!(funding.status, "SUCCESS");
    assert_eq!(funding.ledger, body["ledger"].as_u64().map(|l| l as u32));
    let TransactionEnvelope::Tx(funding_tx) = funding.envelope.unwrap() else {
        panic!("not a v1 envelope")
    };
    assert!(matches!(
        funding_tx.tx.operations[0].body,
        OperationBody::CreateAccount(_)
    ));
    assert_eq!(funding.events.contract_events[0].len(), 1);

    // Alice submits bumps of bob's counter, bob signs the auth entries.
    let rounds = 5u32;
    for i in 1..=rounds {
        let f = invoke(
            &contract,
            "bump",
            vec![ScVal::Address(bob.address()), ScVal::U32(1)],
        );
        let env = alice.prepare(&client, f, Some(&bob)).await;
        let r = client.send_transaction_polling(&env).await.unwrap();
        assert_eq!(r.status, "SUCCESS");
        let hash = Hash(env.hash(network_id()).unwrap());
        let again = client.get_transaction(&hash).await.unwrap();
        assert_eq!(again.status, "SUCCESS");
        assert_eq!(return_value(&again.result_meta), ScVal::U32(10 + i));
        assert_eq!(again.events.contract_events[0].len(), 1);
    }

    // Bob's auth entry signed by alice: accepted into the queue, failed in the ledger (fee
    // charged, counter unchanged), reported FAILED with the result code.
    let f = invoke(
        &contract,
        "bump",
        vec![ScVal::Address(bob.address()), ScVal::U32(1)],
    );
    let forged = alice.prepare(&client, f, Some(&alice)).await;
    let hash = client.send_transaction(&forged).await.unwrap();
    let failed = loop {
        let r = client.get_transaction(&hash).await.unwrap();
        if r.status != "NOT_FOUND" {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed.status, "FAILED");
    assert!(matches!(
        failed.result.unwrap().result,
        TransactionResultResult::TxFailed(_)
    ));

    // Events, two per page, until a page comes back empty; let a few empty ledgers close
    // first so the last pages span ledgers without events.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let contract_id = match &contract {
        ScAddress::Contract(c) => c.to_string(),
        _ => unreachable!(),
    };
    let mut seen = vec![];
    let mut page = client
        .get_events(
            EventStart::Ledger(start_ledger),
            Some(EventType::Contract),
            std::slice::from_ref(&contract_id),
            &[],
            Some(2),
        )
        .await
        .unwrap();
    let mut pages = 1;
    while !page.events.is_empty() {
        assert!(page.events.len() <= 2);
        seen.extend(
            page.events
                .iter()
                .map(|e| ScVal::from_xdr_base64(&e.value, Limits::none()).unwrap()),
        );
        page = client
            .get_events(
                EventStart::Cursor(page.cursor.clone()),
                Some(EventType::Contract),
                std::slice::from_ref(&contract_id),
                &[],
                Some(2),
            )
            .await
            .unwrap();
        pages += 1;
    }
    assert_eq!(seen, (11..=10 + rounds).map(ScVal::U32).collect::<Vec<_>>());
    assert!(pages >= 3);
    // The empty page's cursor moved past the scanned ledgers; nothing new past it.
    let after = client
        .get_events(
            EventStart::Cursor(page.cursor.clone()),
            None,
            &[],
            &[],
            Some(2),
        )
        .await
        .unwrap();
    assert!(after.events.is_empty());

    // Fee stats: the bumps bid the base fee for inclusion.
    let fees = client.get_fee_stats().await.unwrap();
    assert!(fees.soroban_inclusion_fee.transaction_count >= rounds);
    assert_eq!(fees.soroban_inclusion_fee.p50, "100");
    // And the friendbot's three CreateAccount transactions bid the base fee too.
    assert_eq!(fees.inclusion_fee.transaction_count, 3);
    assert_eq!(fees.inclusion_fee.p50, "100");

    // Ledgers, three per page: every transaction since the start is in some ledger's meta.
    let mut applied = 0;
    let mut classic_applied = 0;
    let mut page = client
        .get_ledgers(LedgerStart::Ledger(start_ledger), Some(3), None)
        .await
        .unwrap();
    loop {
        assert!(!page.ledgers.is_empty() && page.ledgers.len() <= 3);
        for l in &page.ledgers {
            let LedgerCloseMeta::V2(meta) =
                LedgerCloseMeta::from_xdr_base64(&l.metadata_xdr, Limits::none()).unwrap()
            else {
                panic!("not a v2 ledger close meta")
            };
            assert_eq!(meta.ledger_header.header.ledger_seq, l.sequence);
            applied += meta.tx_processing.len();
            let soroban_env_host::xdr::GeneralizedTransactionSet::V1(set) = &meta.tx_set;
            if let soroban_env_host::xdr::TransactionPhase::V0(classic) = &set.phases[0] {
                for c in classic.iter() {
                    let soroban_env_host::xdr::TxSetComponent::TxsetCompTxsMaybeDiscountedFee(c) =
                        c;
                    classic_applied += c.txs.len();
                }
            }
        }
        if page.cursor.parse::<u32>().unwrap() >= page.latest_ledger {
            break;
        }
        page = client
            .get_ledgers(LedgerStart::Cursor(page.cursor.clone()), Some(3), None)
            .await
            .unwrap();
    }
    // Three fundings (classic), upload, deploy, the bumps and the failed one.
    assert_eq!(applied, 3 + 2 + rounds as usize + 1);
    assert_eq!(classic_applied, 3);

    // The same transactions through getTransactions, three per page, in chain order.
    let mut seen = vec![];
    let mut request = stellar_rpc_client::GetTransactionsRequest {
        start_ledger: Some(start_ledger),
        pagination: Some(stellar_rpc_client::TransactionsPaginationOptions {
            cursor: None,
            limit: Some(3),
        }),
    };
    loop {
        let page = client.get_transactions(request.clone()).await.unwrap();
        assert!(page.transactions.len() <= 3);
        if page.transactions.is_empty() {
            break;
        }
        seen.extend(
            page.transactions
                .iter()
                .map(|t| (t.ledger.unwrap(), t.status.clone())),
        );
        request = stellar_rpc_client::GetTransactionsRequest {
            start_ledger: None,
            pagination: Some(stellar_rpc_client::TransactionsPaginationOptions {
                cursor: Some(page.cursor),
                limit: Some(3),
            }),
        };
    }
    assert_eq!(seen.len(), applied);
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(seen.iter().filter(|(_, s)| s == "FAILED").count(), 1);

    // Storage: bob's counter as a persistent contract data entry.
    let key = LedgerKey::ContractData(LedgerKeyContractData {
        contract: contract.clone(),
        key: ScVal::Vec(Some(ScVec(
            vec![sym("Counter"), ScVal::Address(bob.address())]
                .try_into()
                .unwrap(),
        ))),
        durability: ContractDataDurability::Persistent,
    });
    let entries = client.get_ledger_entries(&[key]).await.unwrap();
    let entries = entries.entries.unwrap();
    assert_eq!(entries.len(), 1);
    let data = LedgerEntryData::from_xdr_base64(&entries[0].xdr, Limits::none()).unwrap();
    let LedgerEntryData::ContractData(d) = data else {
        panic!("not contract data")
    };
    assert_eq!(d.val, ScVal::U32(10 + rounds));
    assert!(entries[0].live_until_ledger_seq_ledger_seq.is_some());

    devnet.shutdown().await;
}

fn error_code(v: &Value) -> i64 {
    v["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no error in {v}"))
}

fn result_code(v: &Value) -> TransactionResultResult {
    assert_eq!(v["result"]["status"], "ERROR", "{v}");
    let xdr = v["result"]["errorResultXdr"].as_str().unwrap();
    TransactionResult::from_xdr_base64(xdr, Limits::none())
        .unwrap()
        .result
}

fn send(env: &TransactionEnvelope) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": 1, "method": "sendTransaction",
           "params": {"transaction": env.to_xdr_base64(Limits::none()).unwrap()}})
    .to_string()
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_the_real_servers_errors() {
    let devnet = start().await;
    let client = Client::new(&devnet.rpc_url()).unwrap();

    // Protocol-level errors.
    // Not JSON: the Go server's bridge answers 500 with jrpc2's parse error as text.
    let (status, body) = http(&devnet, "POST", "/", b"this is not json").await;
    assert_eq!(status, 500);
    assert_eq!(body, "[-32700] invalid request value\n");
    // An empty batch gets no answer; a batch gets one answer per call, in order.
    let (status, _) = http(&devnet, "POST", "/", b"[]").await;
    assert_eq!(status, 204);
    let v = rpc_raw(
        &devnet,
        br#"[{"jsonrpc":"2.0","id":1,"method":"getHealth"},{"jsonrpc":"2.0","id":2,"method":"nope"}]"#,
    )
    .await;
    assert_eq!(v[0]["result"]["status"], "healthy");
    assert_eq!(error_code(&v[1]), -32601);
    let v = rpc_raw(
        &devnet,
        br#"{"jsonrpc":"2.0","id":1,"method":"noSuchMethod"}"#,
    )
    .await;
    assert_eq!(error_code(&v), -32601);
    assert_eq!(v["id"], 1);
    let v = rpc_raw(
        &devnet,
        br#"{"jsonrpc":"2.0","id":2,"method":"getEvents","params":{"startLedger":"x"}}"#,
    )
    .await;
    assert_eq!(error_code(&v), -32602);
    let v = rpc_raw(
        &devnet,
        br#"{"jsonrpc":"2.0","id":3,"method":"sendTransaction","params":{"transaction":"AAAA"}}"#,
    )
    .await;
    assert_eq!(error_code(&v), -32602);
    let v = rpc_raw(
        &devnet,
        br#"{"jsonrpc":"2.0","id":4,"method":"getTransaction","params":{"hash":"abc"}}"#,
    )
    .await;
    assert_eq!(error_code(&v), -32602);
    let v = rpc_raw(
        &devnet,
        br#"{"jsonrpc":"2.0","id":6,"method":"getEvents","params":{"startLedger":999999}}"#,
    )
    .await;
    assert_eq!(error_code(&v), -32600);
    let v = rpc_raw(
        &devnet,
        br#"{"jsonrpc":"2.0","id":6,"method":"getTransactions","params":{"startLedger":1,"pagination":{"limit":201}}}"#,
    )
    .await;
    assert_eq!(error_code(&v), -32600);
    // A web page on another origin may call it (preflight, then the request).
    let (status, head, _) = http_with(
        &devnet,
        "OPTIONS",
        "/",
        "Origin: http://localhost:3000\r\nAccess-Control-Request-Headers: content-type\r\n",
        b"",
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        head.contains("access-control-allow-origin: http://localhost:3000"),
        "{head}"
    );
    assert!(
        head.contains("access-control-allow-headers: content-type"),
        "{head}"
    );
    let (status, head, _) = http_with(
        &devnet,
        "POST",
        "/",
        "Origin: http://localhost:3000\r\n",
        br#"{"jsonrpc":"2.0","id":7,"method":"getHealth"}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        head.contains("access-control-allow-origin: http://localhost:3000"),
        "{head}"
    );
    // Over 512 KiB: refused as the Go server's MaxBytesHandler and JSON-RPC bridge refuse it.
    let huge = vec![b' '; 1024 * 1024];
    let (status, body) = http(&devnet, "POST", "/", &huge).await;
    assert_eq!(status, 500);
    assert_eq!(body, "http: request body too large\n");

    let alice = Account::new(1);
    let mallory = Account::new(3);
    alice.fund(&devnet).await;
    let before = client.get_account(&alice.strkey()).await.unwrap();
    let upload = HostFunction::UploadContractWasm(WASM.to_vec().try_into().unwrap());
    let good = alice.prepare(&client, upload, None).await;
    let TransactionEnvelope::Tx(good_tx) = &good else {
        unreachable!()
    };

    // Signed by the wrong key.
    let v = rpc_raw(&devnet, &send(&mallory.sign(good_tx.tx.clone()))).await;
    assert_eq!(result_code(&v), TransactionResultResult::TxBadAuth);
    // A corrupted signature.
    let mut corrupted = good_tx.clone();
    let mut sig = corrupted.signatures[0].signature.to_vec();
    sig[0] ^= 1;
    let mut sigs = corrupted.signatures.to_vec();
    sigs[0].signature = Signature(sig.try_into().unwrap());
    corrupted.signatures = sigs.try_into().unwrap();
    let v = rpc_raw(&devnet, &send(&TransactionEnvelope::Tx(corrupted))).await;
    assert_eq!(result_code(&v), TransactionResultResult::TxBadAuth);
    // A stale sequence number.
    let mut stale = good_tx.tx.clone();
    stale.seq_num.0 -= 1;
    let v = rpc_raw(&devnet, &send(&alice.sign(stale))).await;
    assert_eq!(result_code(&v), TransactionResultResult::TxBadSeq);
    // A memo on a Soroban transaction: malformed (and simulation says why).
    let mut memo = good_tx.tx.clone();
    memo.memo = Memo::Text("hello".try_into().unwrap());
    let v = rpc_raw(&devnet, &send(&alice.sign(memo.clone()))).await;
    assert_eq!(result_code(&v), TransactionResultResult::TxMalformed);
    let sim = client
        .simulate_transaction_envelope(&alice.sign(memo), None)
        .await
        .unwrap();
    assert!(sim.error.unwrap().contains("memo"));
    // An unknown authMode is reported in the result, as the Go server reports it.
    let body = json!({"jsonrpc": "2.0", "id": 8, "method": "simulateTransaction",
        "params": {"transaction": good.to_xdr_base64(Limits::none()).unwrap(), "authMode": "sometimes"}});
    let v = rpc_raw(&devnet, body.to_string().as_bytes()).await;
    assert!(
        v["result"]["error"].as_str().unwrap().contains("authMode"),
        "{v}"
    );
    // A fee below the resource fee plus the base fee.
    let mut cheap = good_tx.tx.clone();
    cheap.fee -= 50;
    let v = rpc_raw(&devnet, &send(&alice.sign(cheap))).await;
    assert_eq!(result_code(&v), TransactionResultResult::TxInsufficientFee);

    // None of it reached the ledger: after a close, alice is as she was.
    let closed = rpc_raw(
        &devnet,
        br#"{"jsonrpc":"2.0","id":5,"method":"devnet_closeLedger"}"#,
    )
    .await;
    assert!(closed["result"]["sequence"].as_u64().is_some());
    let after = client.get_account(&alice.strkey()).await.unwrap();
    assert_eq!(after.seq_num, before.seq_num);
    assert_eq!(after.balance, before.balance);

    // And the good one still goes through.
    let r = client.send_transaction_polling(&good).await.unwrap();
    assert_eq!(r.status, "SUCCESS");
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "passa-devnet-restart-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let options = DevnetOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        ledger_close: Duration::from_millis(200),
        state_dir: Some(dir.clone()),
        ..Default::default()
    };

    let devnet = Devnet::start(options.clone()).await.unwrap();
    let client = Client::new(&devnet.rpc_url()).unwrap();
    let (alice, bob, contract) = deployed(&devnet, &client).await;
    let bump = invoke(
        &contract,
        "bump",
        vec![ScVal::Address(bob.address()), ScVal::U32(1)],
    );
    let env = alice.prepare(&client, bump.clone(), Some(&bob)).await;
    client.send_transaction_polling(&env).await.unwrap();
    let hash = Hash(env.hash(network_id()).unwrap());
    let before = client.get_latest_ledger().await.unwrap().sequence;
    devnet.shutdown().await;

    // Same directory, new process state, new port.
    let devnet = Devnet::start(options).await.unwrap();
    let client = Client::new(&devnet.rpc_url()).unwrap();
    assert!(client.get_latest_ledger().await.unwrap().sequence >= before);
    let old = client.get_transaction(&hash).await.unwrap();
    assert_eq!(old.status, "SUCCESS");
    assert_eq!(return_value(&old.result_meta), ScVal::U32(11));
    let contract_id = match &contract {
        ScAddress::Contract(c) => c.to_string(),
        _ => unreachable!(),
    };
    let events = client
        .get_events(
            EventStart::Ledger(1),
            Some(EventType::Contract),
            std::slice::from_ref(&contract_id),
            &[],
            Some(10),
        )
        .await
        .unwrap();
    assert_eq!(events.events.len(), 1);
    // The contract still runs (its code was compiled again from the saved entry), and the
    // accounts kept their sequence numbers.
    let env = alice.prepare(&client, bump, Some(&bob)).await;
    let r = client.send_transaction_polling(&env).await.unwrap();
    assert_eq!(return_value(&r.result_meta), ScVal::U32(12));
    devnet.shutdown().await;

    // Another network's passphrase is refused rather than mixed in.
    let refused = Devnet::start(DevnetOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        genesis: passa_devnet::node::GenesisOptions {
            passphrase: "Another Network".into(),
            ..Default::default()
        },
        state_dir: Some(dir.clone()),
        ..Default::default()
    })
    .await;
    assert!(refused.is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A devnet with short TTLs (persistent entries archive 20 ledgers after a write, temporary
/// ones expire after 16), which `devnet_advanceLedgers` crosses at once.
async fn start_short_ttl() -> Devnet {
    Devnet::start(DevnetOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        ledger_close: Duration::from_millis(200),
        genesis: passa_devnet::node::GenesisOptions {
            ttl: passa_devnet::genesis::TtlSettings {
                min_temporary_ttl: 16,
                min_persistent_ttl: 20,
                max_entry_ttl: 10_000,
            },
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn advance(devnet: &Devnet, ledgers: u32) -> u32 {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "devnet_advanceLedgers",
                      "params": {"ledgers": ledgers}});
    let v = rpc_raw(devnet, body.to_string().as_bytes()).await;
    v["result"]["sequence"]
        .as_u64()
        .unwrap_or_else(|| panic!("{v}")) as u32
}

fn counter_key(contract: &ScAddress, who: &Account) -> LedgerKey {
    LedgerKey::ContractData(LedgerKeyContractData {
        contract: contract.clone(),
        key: ScVal::Vec(Some(ScVec(
            vec![sym("Counter"), ScVal::Address(who.address())]
                .try_into()
                .unwrap(),
        ))),
        durability: ContractDataDurability::Persistent,
    })
}

fn footprint_data(read_only: Vec<LedgerKey>, read_write: Vec<LedgerKey>) -> SorobanTransactionData {
    SorobanTransactionData {
        ext: soroban_env_host::xdr::SorobanTransactionDataExt::V0,
        resources: soroban_env_host::xdr::SorobanResources {
            footprint: soroban_env_host::xdr::LedgerFootprint {
                read_only: read_only.try_into().unwrap(),
                read_write: read_write.try_into().unwrap(),
            },
            instructions: 0,
            disk_read_bytes: 0,
            write_bytes: 0,
        },
        resource_fee: 0,
    }
}

/// The entry's `liveUntilLedgerSeq` through getLedgerEntries, `None` when it is gone.
async fn live_until(client: &Client, key: &LedgerKey) -> Option<u32> {
    let r = client
        .get_ledger_entries(std::slice::from_ref(key))
        .await
        .unwrap();
    let entries = r.entries.unwrap_or_default();
    entries
        .first()
        .map(|e| e.live_until_ledger_seq_ledger_seq.unwrap())
}

fn op_changes(meta: &Option<TransactionMeta>) -> Vec<soroban_env_host::xdr::LedgerEntryChange> {
    match meta {
        Some(TransactionMeta::V4(m)) => m.operations[0].changes.to_vec(),
        other => panic!("unexpected meta {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archived_entries_restore_extend_and_temporary_expiry() {
    use soroban_env_host::xdr::{
        ExtendFootprintTtlOp, ExtensionPoint, InvokeHostFunctionResult, LedgerEntryChange,
        OperationResult, OperationResultTr, RestoreFootprintOp, SorobanTransactionDataExt,
    };
    let devnet = start_short_ttl().await;
    let client = Client::new(&devnet.rpc_url()).unwrap();
    let (alice, bob, contract) = deployed(&devnet, &client).await;
    let bump = invoke(
        &contract,
        "bump",
        vec![ScVal::Address(bob.address()), ScVal::U32(1)],
    );
    let env = alice.prepare(&client, bump.clone(), Some(&bob)).await;
    let r = client.send_transaction_polling(&env).await.unwrap();
    assert_eq!(return_value(&r.result_meta), ScVal::U32(11));
    let counter = counter_key(&contract, &bob);
    let live = live_until(&client, &counter).await.unwrap();

    // Simulated while everything is live, sent once it has archived.
    let stale = alice.prepare(&client, bump.clone(), Some(&bob)).await;
    let latest = advance(&devnet, 25).await;
    assert!(latest > live);
    // An archived entry is still served, with its past TTL.
    assert!(live_until(&client, &counter).await.unwrap() < latest);

    // The stale invocation reads archived entries it does not restore: it is accepted, and
    // fails in the ledger with INVOKE_HOST_FUNCTION_ENTRY_ARCHIVED (fee charged, no change).
    let hash = client.send_transaction(&stale).await.unwrap();
    let failed = loop {
        let r = client.get_transaction(&hash).await.unwrap();
        if r.status != "NOT_FOUND" {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed.status, "FAILED");
    let TransactionResultResult::TxFailed(ops) = failed.result.unwrap().result else {
        panic!("not txFAILED")
    };
    assert_eq!(
        ops.as_slice(),
        [OperationResult::OpInner(
            OperationResultTr::InvokeHostFunction(InvokeHostFunctionResult::EntryArchived)
        )]
    );

    // Extending an archived entry: the simulation prices the extension as if restored, and
    // the restore comes back as a preamble, as the Go server answers it.
    let seq = client.get_account(&alice.strkey()).await.unwrap().seq_num.0 + 1;
    let extend_op = OperationBody::ExtendFootprintTtl(ExtendFootprintTtlOp {
        ext: ExtensionPoint::V0,
        extend_to: 1_000,
    });
    let draft = alice.sign(alice.tx_with(
        seq,
        100,
        extend_op.clone(),
        footprint_data(vec![counter.clone()], vec![]),
    ));
    let sim = client
        .simulate_transaction_envelope(&draft, None)
        .await
        .unwrap();
    assert!(sim.error.is_none(), "{:?}", sim.error);
    let preamble = sim.restore_preamble.clone().expect("a restore preamble");
    let restore_data =
        SorobanTransactionData::from_xdr_base64(&preamble.transaction_data, Limits::none())
            .unwrap();
    assert_eq!(
        restore_data.resources.footprint.read_write.as_slice(),
        std::slice::from_ref(&counter)
    );
    assert_eq!(restore_data.resource_fee, preamble.min_resource_fee as i64);

    // RestoreFootprint built from the preamble, then the extension.
    let restore = alice.sign(alice.tx_with(
        seq,
        100 + preamble.min_resource_fee as u32,
        OperationBody::RestoreFootprint(RestoreFootprintOp {
            ext: ExtensionPoint::V0,
        }),
        restore_data,
    ));
    let r = client.send_transaction_polling(&restore).await.unwrap();
    assert!(op_changes(&r.result_meta)
        .iter()
        .any(|c| matches!(c, LedgerEntryChange::Restored(_))));
    let restored_until = live_until(&client, &counter).await.unwrap();
    assert!(restored_until >= r.ledger.unwrap());

    let extend_data = sim.transaction_data().unwrap();
    let extend = alice.sign(alice.tx_with(
        seq + 1,
        100 + extend_data.resource_fee as u32,
        extend_op,
        extend_data,
    ));
    let r = client.send_transaction_polling(&extend).await.unwrap();
    assert_eq!(
        live_until(&client, &counter).await,
        Some(r.ledger.unwrap() + 1_000)
    );

    // The contract's instance and code are still archived: the invocation's own simulation
    // restores them in the same transaction (archivedSorobanEntries), with no preamble.
    let seq = client.get_account(&alice.strkey()).await.unwrap().seq_num.0 + 1;
    let draft = alice.sign(alice.tx(
        seq,
        100,
        InvokeHostFunctionOp {
            host_function: bump.clone(),
            auth: Default::default(),
        },
        SorobanTransactionData::default(),
    ));
    let sim = client
        .simulate_transaction_envelope(&draft, None)
        .await
        .unwrap();
    assert!(sim.error.is_none(), "{:?}", sim.error);
    assert!(sim.restore_preamble.is_none());
    let SorobanTransactionDataExt::V1(ext) = sim.transaction_data().unwrap().ext else {
        panic!("no archived entries marked for restore")
    };
    assert_eq!(ext.archived_soroban_entries.len(), 2);
    let env = alice.prepare(&client, bump.clone(), Some(&bob)).await;
    let r = client.send_transaction_polling(&env).await.unwrap();
    assert_eq!(return_value(&r.result_meta), ScVal::U32(12));
    assert!(op_changes(&r.result_meta)
        .iter()
        .any(|c| matches!(c, LedgerEntryChange::Restored(_))));

    // Temporary entries expire: gone, not archived, and not restorable.
    let put = invoke(&contract, "put_temp", vec![ScVal::U32(1), ScVal::U32(42)]);
    let env = alice.prepare(&client, put, None).await;
    client.send_transaction_polling(&env).await.unwrap();
    let temp = LedgerKey::ContractData(LedgerKeyContractData {
        contract: contract.clone(),
        key: ScVal::Vec(Some(ScVec(
            vec![sym("Temp"), ScVal::U32(1)].try_into().unwrap(),
        ))),
        durability: ContractDataDurability::Temporary,
    });
    assert!(live_until(&client, &temp).await.is_some());
    let read = |client: Client, seq: i64| {
        let get = invoke(&contract, "get_temp", vec![ScVal::U32(1)]);
        let draft = alice.sign(alice.tx(
            seq,
            100,
            InvokeHostFunctionOp {
                host_function: get,
                auth: Default::default(),
            },
            SorobanTransactionData::default(),
        ));
        async move {
            let sim = client
                .simulate_transaction_envelope(&draft, None)
                .await
                .unwrap();
            sim.results().unwrap()[0].xdr.clone()
        }
    };
    let seq = client.get_account(&alice.strkey()).await.unwrap().seq_num.0 + 1;
    assert_eq!(read(client.clone(), seq).await, ScVal::U32(42));
    advance(&devnet, 20).await;
    assert_eq!(live_until(&client, &temp).await, None);
    assert_eq!(read(client.clone(), seq).await, ScVal::Void);
    let draft = alice.sign(alice.tx_with(
        seq,
        100,
        OperationBody::RestoreFootprint(RestoreFootprintOp {
            ext: ExtensionPoint::V0,
        }),
        footprint_data(vec![], vec![temp]),
    ));
    let sim = client
        .simulate_transaction_envelope(&draft, None)
        .await
        .unwrap();
    assert!(sim.error.is_some(), "restoring a temporary entry simulated");

    devnet.shutdown().await;
}

/// A classic transaction (no Soroban data) of `ops`, signed by `from`.
fn classic_tx(from: &Account, seq: i64, fee: u32, ops: Vec<OperationBody>) -> TransactionEnvelope {
    from.sign(Transaction {
        source_account: MuxedAccount::Ed25519(Uint256(from.key.verifying_key().to_bytes())),
        fee,
        seq_num: SequenceNumber(seq),
        cond: Preconditions::None,
        memo: Memo::None,
        operations: ops
            .into_iter()
            .map(|body| Operation {
                source_account: None,
                body,
            })
            .collect::<Vec<_>>()
            .try_into()
            .unwrap(),
        ext: TransactionExt::V0,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_payments_and_create_account() {
    use soroban_env_host::xdr::{
        Asset, CreateAccountOp, CreateAccountResult, OperationResult, OperationResultTr, PaymentOp,
        PaymentResult,
    };
    let devnet = start().await;
    let client = Client::new(&devnet.rpc_url()).unwrap();
    let (alice, bob, dave) = (Account::new(1), Account::new(2), Account::new(5));
    alice.fund(&devnet).await;
    bob.fund(&devnet).await;
    let pay = |to: &Account, amount: i64| {
        OperationBody::Payment(PaymentOp {
            destination: MuxedAccount::Ed25519(Uint256(to.key.verifying_key().to_bytes())),
            asset: Asset::Native,
            amount,
        })
    };
    let balance = |a: &Account| {
        let client = client.clone();
        let id = a.strkey();
        async move { client.get_account(&id).await.unwrap().balance }
    };
    let (a0, b0) = (balance(&alice).await, balance(&bob).await);

    // Two operations: create dave with 20 XLM, pay bob 5 XLM; the base fee per operation.
    let seq = client.get_account(&alice.strkey()).await.unwrap().seq_num.0 + 1;
    let env = classic_tx(
        &alice,
        seq,
        200,
        vec![
            OperationBody::CreateAccount(CreateAccountOp {
                destination: dave.id(),
                starting_balance: 20 * 10_000_000,
            }),
            pay(&bob, 5 * 10_000_000),
        ],
    );
    let r = client.send_transaction_polling(&env).await.unwrap();
    assert_eq!(r.status, "SUCCESS");
    assert_eq!(r.result.as_ref().unwrap().fee_charged, 200);
    assert_eq!(balance(&alice).await, a0 - 200 - 25 * 10_000_000);
    assert_eq!(balance(&bob).await, b0 + 5 * 10_000_000);
    assert_eq!(balance(&dave).await, 20 * 10_000_000);
    assert_eq!(r.events.contract_events.len(), 2);

    // A fee below the base fee per operation is refused at the door.
    let v = rpc_raw(
        &devnet,
        &send(&classic_tx(
            &alice,
            seq + 1,
            150,
            vec![pay(&bob, 1), pay(&bob, 1)],
        )),
    )
    .await;
    assert_eq!(result_code(&v), TransactionResultResult::TxInsufficientFee);

    // A payment to an account that does not exist fails the whole transaction: the first
    // payment is undone, only the fee is charged.
    let (a1, b1) = (balance(&alice).await, balance(&bob).await);
    let nobody = Account::new(6);
    let env = classic_tx(&alice, seq + 1, 200, vec![pay(&bob, 7), pay(&nobody, 7)]);
    let hash = client.send_transaction(&env).await.unwrap();
    let failed = loop {
        let r = client.get_transaction(&hash).await.unwrap();
        if r.status != "NOT_FOUND" {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed.status, "FAILED");
    let TransactionResultResult::TxFailed(ops) = failed.result.unwrap().result else {
        panic!("not txFAILED")
    };
    assert_eq!(
        ops.as_slice(),
        [
            OperationResult::OpInner(OperationResultTr::Payment(PaymentResult::Success)),
            OperationResult::OpInner(OperationResultTr::Payment(PaymentResult::NoDestination)),
        ]
    );
    assert_eq!(balance(&alice).await, a1 - 200);
    assert_eq!(balance(&bob).await, b1);

    // A bid above the base fee is charged the base fee only (no surge pricing); paying
    // oneself moves nothing.
    let a2 = balance(&alice).await;
    let env = classic_tx(&alice, seq + 2, 1_000, vec![pay(&alice, 5)]);
    let r = client.send_transaction_polling(&env).await.unwrap();
    assert_eq!(r.result.as_ref().unwrap().fee_charged, 100);
    assert_eq!(balance(&alice).await, a2 - 100);

    // Creating an account that exists fails with CREATE_ACCOUNT_ALREADY_EXIST.
    let env = classic_tx(
        &alice,
        seq + 3,
        100,
        vec![OperationBody::CreateAccount(CreateAccountOp {
            destination: bob.id(),
            starting_balance: 20 * 10_000_000,
        })],
    );
    let hash = client.send_transaction(&env).await.unwrap();
    let failed = client.get_transaction_polling(&hash, None).await;
    assert!(failed.is_err());
    let r = client.get_transaction(&hash).await.unwrap();
    let TransactionResultResult::TxFailed(ops) = r.result.unwrap().result else {
        panic!("not txFAILED")
    };
    assert_eq!(
        ops.as_slice(),
        [OperationResult::OpInner(OperationResultTr::CreateAccount(
            CreateAccountResult::AlreadyExist
        ))]
    );
    devnet.shutdown().await;
}

/// `sendTransaction` statuses with the queue held open (ledgers close only on request).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_transaction_statuses_with_a_held_queue() {
    let devnet = Devnet::start(DevnetOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        ledger_close: Duration::from_secs(3_600),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(&devnet.rpc_url()).unwrap();
    let close = || async {
        let v = rpc_raw(
            &devnet,
            br#"{"jsonrpc":"2.0","id":9,"method":"devnet_closeLedger"}"#,
        )
        .await;
        v["result"]["sequence"].as_u64().unwrap()
    };
    let alice = Account::new(1);
    // The friendbot answers once its ledger closes: close until it has.
    let url = format!("/friendbot?addr={}", alice.strkey());
    let addr = devnet.addr();
    let funding = tokio::spawn(async move {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = vec![];
        s.read_to_end(&mut out).await.unwrap();
        out
    });
    while !funding.is_finished() {
        tokio::time::sleep(Duration::from_millis(20)).await;
        close().await;
    }
    assert!(funding.await.unwrap().starts_with(b"HTTP/1.1 200"));

    let status = |v: &Value| v["result"]["status"].as_str().unwrap().to_string();
    let upload = HostFunction::UploadContractWasm(WASM.to_vec().try_into().unwrap());
    let good = alice.prepare(&client, upload, None).await;
    let TransactionEnvelope::Tx(good_tx) = &good else {
        unreachable!()
    };
    let v = rpc_raw(&devnet, &send(&good)).await;
    assert_eq!(status(&v), "PENDING");
    assert!(v["result"].get("errorResultXdr").is_none());
    let v = rpc_raw(&devnet, &send(&good)).await;
    assert_eq!(status(&v), "DUPLICATE");
    // Another transaction of the same account waits its turn, whatever its sequence number.
    let mut other = good_tx.tx.clone();
    other.fee += 1;
    let v = rpc_raw(&devnet, &send(&alice.sign(other.clone()))).await;
    assert_eq!(status(&v), "TRY_AGAIN_LATER");
    other.seq_num.0 += 1;
    let v = rpc_raw(&devnet, &send(&alice.sign(other.clone()))).await;
    assert_eq!(status(&v), "TRY_AGAIN_LATER");
    let later = Hash(alice.sign(other.clone()).hash(network_id()).unwrap());

    close().await;
    let hash = Hash(good.hash(network_id()).unwrap());
    assert_eq!(
        client.get_transaction(&hash).await.unwrap().status,
        "SUCCESS"
    );
    assert_eq!(
        client.get_transaction(&later).await.unwrap().status,
        "NOT_FOUND"
    );
    // Once the first is in, the next sequence number is welcome.
    let v = rpc_raw(&devnet, &send(&alice.sign(other))).await;
    assert_eq!(status(&v), "PENDING");
    devnet.shutdown().await;
}

/// getEvents: endLedger is exclusive, `**` matches any tail, and the retention window bounds
/// what is served (oldestLedger moves, older transactions are NOT_FOUND).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_ranges_wildcards_and_retention_window() {
    let devnet = start().await;
    let client = Client::new(&devnet.rpc_url()).unwrap();
    let (alice, bob, contract) = deployed(&devnet, &client).await;
    let contract_id = match &contract {
        ScAddress::Contract(c) => c.to_string(),
        _ => unreachable!(),
    };
    let mut ledgers = vec![];
    let mut hashes = vec![];
    for _ in 0..2 {
        let f = invoke(
            &contract,
            "bump",
            vec![ScVal::Address(bob.address()), ScVal::U32(1)],
        );
        let env = alice.prepare(&client, f, Some(&bob)).await;
        let r = client.send_transaction_polling(&env).await.unwrap();
        ledgers.push(r.ledger.unwrap());
        hashes.push(Hash(env.hash(network_id()).unwrap()));
    }
    let node = &devnet;
    let events = |params: Value| async move {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "getEvents", "params": params});
        rpc_raw(node, body.to_string().as_bytes()).await
    };
    let bumped = sym("bumped").to_xdr_base64(Limits::none()).unwrap();
    let values = |v: &Value| -> Vec<ScVal> {
        v["result"]["events"]
            .as_array()
            .unwrap_or_else(|| panic!("{v}"))
            .iter()
            .map(|e| ScVal::from_xdr_base64(e["value"].as_str().unwrap(), Limits::none()).unwrap())
            .collect()
    };
    // [first, first + 1): the first bump only; [first, second + 1): both.
    let one = events(
        json!({"startLedger": ledgers[0], "endLedger": ledgers[0] + 1,
        "filters": [{"contractIds": [contract_id], "topics": [["**"]]}]}),
    )
    .await;
    assert_eq!(values(&one), [ScVal::U32(11)]);
    let both = events(
        json!({"startLedger": ledgers[0], "endLedger": ledgers[1] + 1,
        "filters": [{"contractIds": [contract_id], "topics": [[bumped, "**"]]}]}),
    )
    .await;
    assert_eq!(values(&both), [ScVal::U32(11), ScVal::U32(12)]);
    // A topic that never occurs, with the tail wildcard: nothing.
    let other = sym("other").to_xdr_base64(Limits::none()).unwrap();
    let none = events(json!({"startLedger": ledgers[0],
        "filters": [{"contractIds": [contract_id], "topics": [[other, "**"]]}]}))
    .await;
    assert_eq!(values(&none), []);
    assert_eq!(none["result"]["oldestLedger"], 1);

    // Past the retention window (advance it whole): the early history is gone.
    let window = passa_devnet::node::RETENTION_WINDOW;
    let latest = advance(&devnet, window + 1_100).await;
    let health = client.get_health().await.unwrap();
    assert_eq!(health.oldest_ledger, latest - window + 1);
    assert_eq!(health.ledger_retention_window, window);
    assert_eq!(
        client.get_transaction(&hashes[0]).await.unwrap().status,
        "NOT_FOUND"
    );
    let gone = events(json!({"startLedger": ledgers[0],
        "filters": [{"contractIds": [contract_id]}]}))
    .await;
    assert_eq!(error_code(&gone), -32600);
    // The state itself is all there: the contract still runs.
    let f = invoke(
        &contract,
        "bump",
        vec![ScVal::Address(bob.address()), ScVal::U32(1)],
    );
    let env = alice.prepare(&client, f, Some(&bob)).await;
    let r = client.send_transaction_polling(&env).await.unwrap();
    assert_eq!(return_value(&r.result_meta), ScVal::U32(13));
    devnet.shutdown().await;
}

/// The native asset's contract: `balance` by simulation, `transfer` by an invocation signed
/// by the sender, both matching the classic balances.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_asset_contract_transfers_lumens() {
    use soroban_env_host::xdr::{Int128Parts, ScString};
    let devnet = start().await;
    let client = Client::new(&devnet.rpc_url()).unwrap();
    let (alice, bob) = (Account::new(1), Account::new(2));
    alice.fund(&devnet).await;
    bob.fund(&devnet).await;
    let native = ScAddress::Contract(ContractId(Hash(
        passa_devnet::genesis::native_contract_id(&network_id()).unwrap(),
    )));
    let i128 = |v: i64| {
        ScVal::I128(Int128Parts {
            hi: 0,
            lo: v as u64,
        })
    };
    // The contract's instance is there for getLedgerEntries, as a deploy command reads it.
    let instance = LedgerKey::ContractData(LedgerKeyContractData {
        contract: native.clone(),
        key: ScVal::LedgerKeyContractInstance,
        durability: ContractDataDurability::Persistent,
    });
    assert!(live_until(&client, &instance).await.is_some());
    let name = invoke(&native, "name", vec![]);
    let seq = client.get_account(&alice.strkey()).await.unwrap().seq_num.0 + 1;
    let draft = alice.sign(alice.tx(
        seq,
        100,
        InvokeHostFunctionOp {
            host_function: name,
            auth: Default::default(),
        },
        SorobanTransactionData::default(),
    ));
    let sim = client
        .simulate_transaction_envelope(&draft, None)
        .await
        .unwrap();
    assert_eq!(
        sim.results().unwrap()[0].xdr,
        ScVal::String(ScString("native".try_into().unwrap()))
    );

    let bob_before = client.get_account(&bob.strkey()).await.unwrap().balance;
    let alice_before = client.get_account(&alice.strkey()).await.unwrap().balance;
    let amount = 12_345_678;
    let transfer = invoke(
        &native,
        "transfer",
        vec![
            ScVal::Address(alice.address()),
            ScVal::Address(bob.address()),
            i128(amount),
        ],
    );
    let env = alice.prepare(&client, transfer, None).await;
    let r = client.send_transaction_polling(&env).await.unwrap();
    let fee = r.result.as_ref().unwrap().fee_charged;
    assert_eq!(
        client.get_account(&bob.strkey()).await.unwrap().balance,
        bob_before + amount
    );
    assert_eq!(
        client.get_account(&alice.strkey()).await.unwrap().balance,
        alice_before - amount - fee
    );
    // `balance` reads the same account entry.
    let balance = invoke(&native, "balance", vec![ScVal::Address(bob.address())]);
    let seq = client.get_account(&alice.strkey()).await.unwrap().seq_num.0 + 1;
    let draft = alice.sign(alice.tx(
        seq,
        100,
        InvokeHostFunctionOp {
            host_function: balance,
            auth: Default::default(),
        },
        SorobanTransactionData::default(),
    ));
    let sim = client
        .simulate_transaction_envelope(&draft, None)
        .await
        .unwrap();
    assert_eq!(sim.results().unwrap()[0].xdr, i128(bob_before + amount));
    devnet.shutdown().await;
}
