// The Huren wire protocol in plain Node.js, written from schemas/proto/ and docs/protocol.md only.
// Nothing here comes from the C# code: encodings are protobufjs, crypto is node:crypto, the Merkle code is RFC 9162.
import crypto from 'node:crypto';
import tls from 'node:tls';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const protoDir = path.resolve(here, '../../schemas/proto');

// ---- entries (schemas/proto/huren/v1/entries.proto) ----

// keepCase: the field names as the .proto writes them (snake_case), not protobufjs's camelCase default.
const entriesRoot = new protobuf.Root().loadSync(path.join(protoDir, 'huren/v1/entries.proto'), { keepCase: true });
export const types = {
  Entry: entriesRoot.lookupType('huren.v1.Entry'),
  SignedEntry: entriesRoot.lookupType('huren.v1.SignedEntry'),
  LicenseUsed: entriesRoot.lookupType('huren.v1.LicenseUsed'),
};
export const ALGORITHM_ED25519 = entriesRoot.lookupEnum('huren.v1.SignatureAlgorithm').values.SIGNATURE_ALGORITHM_ED25519;

/**
 * Encodes a message the deterministic proto3 way: protobufjs writes fields in number order; default values (empty
 * strings and bytes, 0, false, the first enum value, empty lists) must be left out (docs/protocol.md, "Canonical
 * encoding"), so they are dropped first, in nested messages too.
 */
function encode(type, fields) {
  const message = type.fromObject(withoutDefaults(fields));
  return Buffer.from(type.encode(message).finish());
}

function withoutDefaults(fields) {
  const present = {};
  for (const [name, value] of Object.entries(fields)) {
    if (isDefault(value)) continue;
    present[name] = Array.isArray(value) ? value.map((v) => (isPlainObject(v) ? withoutDefaults(v) : v)) : isPlainObject(value) ? withoutDefaults(value) : value;
  }
  return present;
}

const isPlainObject = (v) => typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && typeof v !== 'bigint';

function isDefault(value) {
  if (value === undefined || value === null || value === '' || value === 0 || value === 0n || value === false) return true;
  if (typeof value === 'string' && value === '0') return true; // a 64-bit zero given as a decimal string
  if (Array.isArray(value) || value instanceof Uint8Array) return value.length === 0;
  return false;
}

/** A license.use entry for `origin`'s log, referencing the license's entry, signed with an Ed25519 key: the Merkle leaf bytes. */
export function licenseUseLeaf({ origin, issuerId, licenseId, reference, matterCode, matterName, counter, purpose, businessSerial, verdictAtUse, timeUnixMs, privateKey }) {
  const body = encode(types.LicenseUsed, {
    license_id: licenseId, matter_code: matterCode, matter_name: matterName, counter, purpose, business_serial: businessSerial,
    verdict_at_use: verdictAtUse,
  });
  const entryBytes = encode(types.Entry, {
    kind: 'license.use',
    record_id: licenseId,
    issuer_id: issuerId,
    time_unix_ms: String(timeUnixMs),
    schema_id: 'huren.license.used',
    schema_version: 1,
    body,
    references: [{ origin: reference.origin, index: String(reference.index), leaf_hash: reference.leafHash, relation: 'license' }],
    origin,
  });
  // Ed25519 signs the exact entry bytes (no pre-hash); signer_key_id is SHA-256 of the DER SubjectPublicKeyInfo.
  const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const leaf = encode(types.SignedEntry, {
    entry_bytes: entryBytes,
    signer_key_id: sha256(spki),
    algorithm: ALGORITHM_ED25519,
    signature: crypto.sign(null, entryBytes, privateKey),
  });
  return { leaf, entryBytes, body };
}

/** Decodes a leaf (SignedEntry) and its Entry. */
export function readLeaf(leaf) {
  const signed = types.SignedEntry.decode(leaf);
  const entry = types.Entry.decode(signed.entry_bytes);
  return { signed, entry };
}

// ---- call credential (docs/protocol.md, "Call credentials") ----

/**
 * The `authorization` header value for one call to `method` (e.g. "/huren.v1.Ledger/Submit") at the node of city `node`
 * (its 6-digit city code; naming it keeps that node from replaying the credential at another) at `unixSeconds`.
 */
export function callCredential(principal, privateKey, node, method, unixSeconds) {
  const message = Buffer.from(`huren-call/v2\n${principal}\n${node}\n${method}\n${unixSeconds}\n`, 'utf8');
  const signature = crypto.sign(null, message, privateKey); // Ed25519: raw 64-byte signature over the message
  return `Huren ${principal}:${node}:${unixSeconds}:${signature.toString('base64')}`;
}

// ---- TLS pinned by SHA-256 (docs/protocol.md, "TLS") ----

/**
 * Fetches the node's certificate once, checks its SHA-256 against the pin, and returns it as PEM: it is then the only
 * root the gRPC channel trusts, and checkServerIdentity checks the pin again on the channel's own connection.
 */
export async function pinnedCertificate(host, port, sha256Hex) {
  const der = await new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername: host === '127.0.0.1' ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['h2'] }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!cert || !cert.raw) reject(new Error('the node presented no certificate'));
      else resolve(cert.raw);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', reject);
  });
  const actual = sha256(der).toString('hex');
  if (actual !== sha256Hex.toLowerCase()) throw new Error(`certificate pin mismatch: the node presented ${actual}, expected ${sha256Hex}`);
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function checkPin(sha256Hex) {
  return (_hostname, cert) => {
    const actual = sha256(cert.raw).toString('hex');
    return actual === sha256Hex.toLowerCase() ? undefined : new Error(`certificate pin mismatch: ${actual}`);
  };
}

// ---- checkpoints (C2SP signed-note / tlog-checkpoint; ../shared/spec/checkpoints.md) ----

/** Parses a C2SP verifier key `name+hex id+base64(0x01 ‖ Ed25519 key)` and checks its key ID. */
export function parseEd25519VerifierKey(vkey) {
  const [name, idHex, material] = [vkey.slice(0, vkey.indexOf('+')), vkey.split('+')[1], vkey.split('+').slice(2).join('+')];
  const bytes = Buffer.from(material, 'base64');
  if (bytes.length !== 33 || bytes[0] !== 0x01) throw new Error('not an Ed25519 (type 0x01) verifier key');
  const keyId = sha256(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a]), bytes])).subarray(0, 4);
  if (keyId.toString('hex') !== idHex) throw new Error('verifier key ID does not match its key');
  // An Ed25519 SubjectPublicKeyInfo is this 12-byte prefix and the raw key (RFC 8410).
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), bytes.subarray(1)]);
  return { name, keyId, publicKey: crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
}

/** Verifies a checkpoint note's Ed25519 line of `key` and returns {origin, size, root}; throws when it does not verify. */
export function verifyCheckpoint(note, key) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('not a signed note');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith('\u2014 ')) throw new Error(`bad signature line: ${line}`);
    const [name, encoded] = line.slice(2).split(' ');
    const signature = Buffer.from(encoded, 'base64');
    if (name !== key.name || !signature.subarray(0, 4).equals(key.keyId)) continue; // another key's line
    if (signature.length !== 68 || !crypto.verify(null, Buffer.from(text, 'utf8'), key.publicKey, signature.subarray(4))) {
      throw new Error(`the Ed25519 line of ${key.name} does not verify`);
    }
    verified = true;
  }
  if (!verified) throw new Error(`no Ed25519 line of ${key.name}`);
  const [origin, size, root] = text.split('\n');
  if (origin !== key.name) throw new Error(`checkpoint of ${origin}, expected ${key.name}`);
  if (!/^(0|[1-9][0-9]*)$/.test(size)) throw new Error(`bad tree size ${size}`);
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32) throw new Error('root hash is not 32 bytes');
  return { origin, size: BigInt(size), root: rootHash };
}

// ---- RFC 9162 §2.1 Merkle tree ----

export const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
export const leafHash = (leaf) => sha256(Buffer.concat([Buffer.from([0x00]), leaf]));
const nodeHash = (left, right) => sha256(Buffer.concat([Buffer.from([0x01]), left, right]));

/** RFC 9162 §2.1.3.2: verifies an inclusion proof of the leaf at `index` in a tree of `size` leaves with `root`. */
export function verifyInclusion(index, size, hash, proof, root) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) return false;
  let r = hash;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}
