#!/usr/bin/env node
// Example Huren client in Node.js (docs/protocol.md). Connects to a city node over TLS pinned by the SHA-256 the network
// configuration lists, authenticates every call with the Huren call credential, reads the license's log checkpoint and
// verifies its Ed25519 line, verifies the inclusion proof of the license's issue entry with its own RFC 9162 code, then
// writes a license.use entry with protobufjs, signs it with the counter's Ed25519 key and submits it.
//
//   node client.mjs --genesis genesis.json --city 430200 --principal counter --key counter.pem \
//                   --issuer-id 430200-window --license <license id> [--matter-code 430200-QT-0001]
//
// Prints one JSON object with what it checked and what the node answered; exit 0 on success, 1 on any failure.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import * as huren from './huren.mjs';

const { values: args } = parseArgs({
  options: {
    genesis: { type: 'string' }, city: { type: 'string' }, principal: { type: 'string' }, key: { type: 'string' },
    'issuer-id': { type: 'string' }, license: { type: 'string' }, 'matter-code': { type: 'string' },
    pin: { type: 'string' },
  },
});
for (const required of ['genesis', 'city', 'principal', 'key', 'issuer-id', 'license']) {
  if (!args[required]) fail(`--${required} is required`);
}

function fail(message) {
  console.log(JSON.stringify({ ok: false, error: message }));
  process.exit(1);
}

const network = JSON.parse(fs.readFileSync(args.genesis, 'utf8'));
const member = network.members.find((m) => m.cityCode === args.city) ?? fail(`city ${args.city} is not in the network`);
const privateKey = crypto.createPrivateKey(fs.readFileSync(args.key)); // PKCS#8 PEM, as huren writes it
const url = new URL(member.endpoint);

// gRPC stubs straight from the published .proto (field names as written there, 64-bit numbers as strings, bytes as Buffers).
const definition = protoLoader.loadSync(path.join(huren.protoDir, 'huren/v1/services.proto'), { keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: false });
const v1 = grpc.loadPackageDefinition(definition).huren.v1;

async function main() {
  const pin = args.pin ?? member.tlsCertificateSha256;
  const rootPem = await huren.pinnedCertificate(url.hostname, Number(url.port), pin);
  const channel = grpc.credentials.createSsl(Buffer.from(rootPem), null, null, { checkServerIdentity: huren.checkPin(pin) });
  const ledger = new v1.Ledger(url.host, channel);
  const licenses = new v1.Licenses(url.host, channel);

  // Every call carries `authorization: Huren <principal>:<city>:<unix seconds>:<signature>` over the node's city and its own method path.
  const call = (client, service, method, request) => new Promise((resolve, reject) => {
    const metadata = new grpc.Metadata();
    const seconds = Math.floor(Date.now() / 1000);
    metadata.set('authorization', huren.callCredential(args.principal, privateKey, args.city, `/huren.v1.${service}/${method}`, seconds));
    client[method](request, metadata, { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(new Error(`${service}/${method}: ${error.details ?? error.message}`)) : resolve(response)));
  });

  // 1. The license's issue entry, taken from the evidence bundle of the node's verdict (its log is the issuing city's,
  // mirrored here if it is another city's). Nothing in the bundle is trusted: the entry is checked below.
  const verdict = await call(licenses, 'Licenses', 'Verify', { license_id: args.license });
  const bundle = JSON.parse(verdict.evidence_bundle);
  const issue = bundle.entries.map((e) => ({ ...e, leaf: Buffer.from(e.leaf, 'base64') }))
    .find((e) => { const { entry } = huren.readLeaf(e.leaf); return entry.kind === 'license.issue' && entry.record_id === args.license; });
  if (!issue) throw new Error(`no license.issue entry for ${args.license}`);
  const origin = issue.origin;
  const logMember = network.members.find((m) => m.origin === origin) ?? fail(`${origin} is not a member`);

  // 2. That log's latest checkpoint, its Ed25519 line verified with the logKey of the network configuration.
  const checkpointResponse = await call(ledger, 'Ledger', 'GetCheckpoint', { origin });
  const checkpoint = huren.verifyCheckpoint(checkpointResponse.note, huren.parseEd25519VerifierKey(logMember.logKey));
  const index = BigInt(issue.index);
  if (index >= checkpoint.size) throw new Error(`checkpoint size ${checkpoint.size} does not cover entry ${index}`);

  // 3. The issue entry's inclusion proof to that checkpoint, verified here (RFC 9162 §2.1.3.2).
  const proof = await call(ledger, 'Ledger', 'GetInclusionProof', { origin, index: String(index), tree_size: String(checkpoint.size) });
  const issueLeafHash = huren.leafHash(issue.leaf);
  const included = huren.verifyInclusion(index, checkpoint.size, issueLeafHash, proof.hashes ?? [], checkpoint.root);
  if (!included) throw new Error(`inclusion proof of ${origin}#${index} does not verify against the checkpoint root`);

  // 4. A license.use entry in this city's log, referencing the verified issue entry; signed and submitted.
  const now = Date.now();
  const { leaf } = huren.licenseUseLeaf({
    origin: member.origin, issuerId: args['issuer-id'], licenseId: args.license,
    reference: { origin, index, leafHash: issueLeafHash },
    matterCode: args['matter-code'] ?? `${args.city}-QT-0001`, matterName: '企业开办（Node.js 示例客户端）', counter: 'Node.js example client',
    // The node checks that the recorded verdict is the license's on the entry's day (a use of a license that is not
    // VALID also needs despite_status_reason).
    purpose: '跨域通办：核验证照', businessSerial: `${args.city}${now}`, verdictAtUse: bundle.verdict.status, timeUnixMs: now, privateKey,
  });
  const submitted = await call(ledger, 'Ledger', 'Submit', { signed_entry: leaf });

  // 5. Read it back: the node stores exactly the bytes written here.
  const stored = await call(ledger, 'Ledger', 'GetEntry', { origin: member.origin, index: submitted.index });
  if (!Buffer.from(stored.leaf).equals(leaf)) throw new Error('the stored leaf differs from the submitted bytes');

  console.log(JSON.stringify({
    ok: true,
    checkpoint: { origin, size: checkpoint.size.toString(), root: checkpoint.root.toString('base64'), ed25519Verified: true },
    verdict: verdict.verdict,
    inclusion: { index: index.toString(), leafHash: issueLeafHash.toString('hex'), verified: included },
    submitted: { origin: submitted.origin, index: submitted.index, duplicate: submitted.duplicate === true, leafHash: Buffer.from(submitted.leaf_hash).toString('hex'), leaf: leaf.toString('hex') },
  }));
  ledger.close();
  licenses.close();
}

main().catch((error) => fail(error.message));
