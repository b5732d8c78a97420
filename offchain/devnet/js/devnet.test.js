// A second, independent client of `passa devnet`: the official @stellar/stellar-sdk (rpc.Server)
// deploys the committed test contract, invokes it and reads its events back.
//
// Spawns the already-built `passa` binary (env PASSA_BIN, default ../../../target/debug/passa
// relative to this file) on a free loopback port with a temporary --state-dir, and kills it at
// the end, also on failure. Run: `npm ci && npm test` in this directory.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import {
  Address,
  Asset,
  BASE_FEE,
  Contract,
  Keypair,
  Operation,
  TransactionBuilder,
  nativeToScVal,
  rpc,
  scValToNative,
  xdr,
} from "@stellar/stellar-sdk";

const here = dirname(fileURLToPath(import.meta.url));
const PASSA_BIN = process.env.PASSA_BIN
  ? resolve(process.env.PASSA_BIN)
  : resolve(here, "../../../target/debug/passa");
const WASM = readFileSync(resolve(here, "../tests/fixtures/devnet_test_contract.wasm"));
const START = 7; // the constructor's start value for every counter

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (asks the OS, then releases it for passa). */
function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

let child;
let childLog = "";
let stateDir;
let server;
let passphrase;

function killDevnet() {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
// Whatever happens (uncaught error, Ctrl-C), never leave the devnet running.
process.on("exit", killDevnet);
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    killDevnet();
    process.exit(130);
  });
}

before(async () => {
  const port = await freePort();
  stateDir = mkdtempSync(join(tmpdir(), "passa-devnet-js-"));
  child = spawn(
    PASSA_BIN,
    ["devnet", "--listen", `127.0.0.1:${port}`, "--ledger-close-ms", "200", "--state-dir", stateDir],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const keep = (d) => {
    childLog = (childLog + d.toString()).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const spawnError = new Promise((_, rej) => child.on("error", rej));

  server = new rpc.Server(`http://127.0.0.1:${port}`, { allowHttp: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`passa exited with ${child.exitCode} before getHealth answered:\n${childLog}`);
    }
    try {
      const health = await Promise.race([server.getHealth(), spawnError]);
      if (health.status === "healthy") break;
    } catch (e) {
      if (e && e.code === "ENOENT") throw new Error(`no passa binary at ${PASSA_BIN} (set PASSA_BIN)`);
      if (Date.now() > deadline) throw new Error(`devnet not healthy after 30 s: ${e}\n${childLog}`);
    }
    await sleep(100);
  }
  passphrase = (await server.getNetwork()).passphrase;
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  }
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/** Polls getTransaction until it leaves NOT_FOUND; asserts SUCCESS and returns the response. */
async function waitForSuccess(hash) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await server.getTransaction(hash);
    if (r.status !== rpc.Api.GetTransactionStatus.NOT_FOUND) {
      assert.equal(
        r.status,
        rpc.Api.GetTransactionStatus.SUCCESS,
        `transaction ${hash}: ${r.status} ${r.resultXdr ? r.resultXdr.toXDR("base64") : ""}`,
      );
      return r;
    }
    if (Date.now() > deadline) throw new Error(`transaction ${hash} still NOT_FOUND after 30 s`);
    await sleep(100);
  }
}

/** Builds a one-operation transaction, prepares (simulate + assemble), signs, sends, waits. */
async function submit(kp, op) {
  const source = await server.getAccount(kp.publicKey());
  const built = new TransactionBuilder(source, { fee: BASE_FEE, networkPassphrase: passphrase })
    .addOperation(op)
    .setTimeout(60)
    .build();
  const prepared = await server.prepareTransaction(built);
  prepared.sign(kp);
  const sent = await server.sendTransaction(prepared);
  assert.equal(
    sent.status,
    "PENDING",
    `sendTransaction: ${sent.status} ${sent.errorResult ? sent.errorResult.toXDR("base64") : ""}`,
  );
  assert.equal(sent.hash, prepared.hash().toString("hex"));
  return waitForSuccess(sent.hash);
}

test("the JS SDK deploys, invokes and reads events from passa devnet", async () => {
  const summary = [];
  const network = await server.getNetwork();
  summary.push(`network "${network.passphrase}", protocol ${network.protocolVersion}`);

  // Fund a fresh account through the SDK's friendbot support. requestAirdrop (deprecated in
  // SDK 15 but present) reads the new account from the friendbot's `result_meta_xdr`;
  // fundAddress, its replacement, is tested below.
  const kp = Keypair.random();
  const me = kp.publicKey();
  let funded;
  if (typeof server.requestAirdrop === "function") {
    funded = await server.requestAirdrop(me);
    summary.push("funded with server.requestAirdrop");
  } else {
    const r = await fetch(`${network.friendbotUrl}?addr=${encodeURIComponent(me)}`);
    assert.ok(r.ok, `friendbot: HTTP ${r.status} ${await r.text()}`);
    funded = await server.getAccount(me);
    summary.push("funded with a plain fetch of the friendbot");
  }
  assert.equal(funded.accountId(), me);
  const account = await server.getAccount(me);
  assert.equal(account.sequenceNumber(), funded.sequenceNumber());

  // Upload the wasm: the return value is its SHA-256.
  const upload = await submit(kp, Operation.uploadContractWasm({ wasm: WASM }));
  const wasmHash = scValToNative(upload.returnValue);
  assert.ok(Buffer.isBuffer(wasmHash) || wasmHash instanceof Uint8Array);
  const expectedHash = createHash("sha256").update(WASM).digest();
  assert.equal(Buffer.from(wasmHash).toString("hex"), expectedHash.toString("hex"));
  summary.push(`uploaded wasm ${expectedHash.toString("hex").slice(0, 16)}… in ledger ${upload.ledger}`);

  // Create the contract with its constructor (admin, start).
  const create = await submit(
    kp,
    Operation.createCustomContract({
      address: Address.fromString(me),
      wasmHash: expectedHash,
      salt: randomBytes(32),
      constructorArgs: [Address.fromString(me).toScVal(), nativeToScVal(START, { type: "u32" })],
    }),
  );
  const contractId = scValToNative(create.returnValue);
  assert.match(contractId, /^C[A-Z2-7]{55}$/);
  summary.push(`created ${contractId} in ledger ${create.ledger}`);
  const contract = new Contract(contractId);

  // Invoke the authorised `bump` twice: start + 5, then + 3.
  const me_ = Address.fromString(me).toScVal();
  const u32 = (n) => nativeToScVal(n, { type: "u32" });
  const bump1 = await submit(kp, contract.call("bump", me_, u32(5)));
  assert.equal(scValToNative(bump1.returnValue), START + 5);
  const bump2 = await submit(kp, contract.call("bump", me_, u32(3)));
  assert.equal(scValToNative(bump2.returnValue), START + 5 + 3);
  summary.push(`bump → ${START + 5} (ledger ${bump1.ledger}), bump → ${START + 8} (ledger ${bump2.ledger})`);

  // A read-only `get` by simulation alone.
  const reader = await server.getAccount(me);
  const getTx = new TransactionBuilder(reader, { fee: BASE_FEE, networkPassphrase: passphrase })
    .addOperation(contract.call("get", me_))
    .setTimeout(60)
    .build();
  const sim = await server.simulateTransaction(getTx);
  assert.ok(rpc.Api.isSimulationSuccess(sim), `simulate get: ${JSON.stringify(sim.error)}`);
  assert.equal(scValToNative(sim.result.retval), START + 8);

  // The events of both invocations, filtered by the contract id.
  const ev = await server.getEvents({
    startLedger: create.ledger,
    filters: [{ type: "contract", contractIds: [contractId] }],
    limit: 100,
  });
  assert.ok(ev.latestLedger >= bump2.ledger);
  assert.equal(ev.events.length, 2, `events: ${JSON.stringify(ev.events.map((e) => e.id))}`);
  const expected = [
    [bump1, START + 5],
    [bump2, START + 8],
  ];
  for (const [i, e] of ev.events.entries()) {
    const [tx, value] = expected[i];
    assert.equal(e.type, "contract");
    assert.equal(e.contractId.contractId(), contractId);
    assert.equal(e.ledger, tx.ledger);
    assert.equal(e.txHash, tx.txHash);
    assert.equal(e.inSuccessfulContractCall, true);
    assert.deepEqual(e.topic.map(scValToNative), ["bumped", me]);
    assert.equal(scValToNative(e.value), value);
  }
  // The same filter with a topic match on the symbol and a wildcard for the caller.
  const byTopic = await server.getEvents({
    startLedger: create.ledger,
    filters: [
      {
        type: "contract",
        contractIds: [contractId],
        topics: [[nativeToScVal("bumped", { type: "symbol" }).toXDR("base64"), "*"]],
      },
    ],
  });
  assert.equal(byTopic.events.length, 2);
  // And one ledger past the first bump: only the second.
  const later = await server.getEvents({
    startLedger: bump1.ledger + 1,
    filters: [{ type: "contract", contractIds: [contractId] }],
  });
  assert.deepEqual(
    later.events.map((e) => scValToNative(e.value)),
    [START + 8],
  );
  summary.push(
    `events: ${ev.events.map((e) => `[${e.topic.map(scValToNative).join(", ").replace(me, "G…")}] = ${scValToNative(e.value)}`).join("; ")}`,
  );

  console.log(`passa devnet via @stellar/stellar-sdk:\n  ${summary.join("\n  ")}`);
});

test("a classic lumen payment through sendTransaction, with its transfer event", async () => {
  const [alice, bob] = [Keypair.random(), Keypair.random()];
  await server.fundAddress(alice.publicKey());
  await server.fundAddress(bob.publicKey());
  // Lumens live in the account entry: read it as a wallet does, through getLedgerEntries.
  const balance = async (kp) => {
    const key = xdr.LedgerKey.account(new xdr.LedgerKeyAccount({ accountId: kp.xdrAccountId() }));
    const { entries } = await server.getLedgerEntries(key);
    return BigInt(entries[0].val.account().balance().toString());
  };
  const before = await balance(bob);
  const source = await server.getAccount(alice.publicKey());
  const tx = new TransactionBuilder(source, { fee: BASE_FEE, networkPassphrase: passphrase })
    .addOperation(Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: "12.5" }))
    .setTimeout(60)
    .build();
  tx.sign(alice);
  const sent = await server.sendTransaction(tx);
  assert.equal(sent.status, "PENDING");
  const done = await waitForSuccess(sent.hash);
  assert.equal(done.resultXdr.feeCharged().toString(), BASE_FEE);
  const [event] = done.events.contractEventsXdr[0];
  assert.deepEqual(
    event.body().v0().topics().map(scValToNative),
    ["transfer", alice.publicKey(), bob.publicKey(), "native"],
  );
  assert.equal(scValToNative(event.body().v0().data()), 125_000_000n);
  assert.equal((await balance(bob)) - before, 125_000_000n);
});

// fundAddress, which replaces requestAirdrop in SDK 15, POSTs to the friendbot, then calls
// getTransaction(response.hash) once and wants SUCCESS: the devnet's friendbot funds through a
// real CreateAccount transaction, recorded in the ledger it answers after.
test("server.fundAddress funds an account through a real transaction", async () => {
  const kp = Keypair.random();
  const r = await server.fundAddress(kp.publicKey());
  assert.equal(r.status, rpc.Api.GetTransactionStatus.SUCCESS);
  const op = r.envelopeXdr.v1().tx().operations()[0];
  assert.equal(op.body().switch().name, "createAccount");
  assert.equal(op.body().createAccountOp().destination().value().toString("hex"),
    kp.rawPublicKey().toString("hex"));
  const account = await server.getAccount(kp.publicKey());
  assert.equal(account.accountId(), kp.publicKey());
  // Funding again is refused as testnet's friendbot refuses it; requestAirdrop takes that as
  // funded and returns the account.
  await assert.rejects(server.fundAddress(kp.publicKey()), /already funded/);
  const again = await server.requestAirdrop(kp.publicKey());
  assert.equal(again.sequenceNumber(), account.sequenceNumber());
});
