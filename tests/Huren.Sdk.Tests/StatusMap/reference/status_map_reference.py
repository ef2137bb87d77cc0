#!/usr/bin/env python3
"""Independent reference of the Huren status map (docs/status-map.md), written from the spec text alone.

It computes roots, proofs and verdicts the literal way -- a recursive function over the set of records, no storage,
no pages, no caching -- and writes the known-answer file the C# tests read:

    python3 tests/Huren.Sdk.Tests/StatusMap/reference/status_map_reference.py \
        > tests/Huren.Sdk.Tests/TestVectors/status-map-v1.json

Python 3 standard library only (hashlib, json, base64). Deterministic: every "random" byte comes from SHA-256 of a
counter, so the output is the same on every machine and Python version.
"""
import base64
import hashlib
import json
import sys

LEAF, NODE, EMPTY = b"\x02", b"\x03", b"\x04"
PRESENT, ABSENT_EMPTY, ABSENT_LEAF = 0, 1, 2
LINE_PREFIX = "huren-status-map/v1 "


def sha256(data):
    return hashlib.sha256(data).digest()


# E[d]: the hash of an empty subtree whose root is at depth d (E[256] = SHA-256(0x04)).
E = [b""] * 257
E[256] = sha256(EMPTY)
for _d in range(255, -1, -1):
    E[_d] = sha256(NODE + E[_d + 1] + E[_d + 1])


def leaf_hash(key, value):
    return sha256(LEAF + key + value)


def node_hash(left, right):
    return sha256(NODE + left + right)


def record_key(record_id):
    return sha256(record_id.encode("utf-8"))


def bit(key, i):
    """Bit i of a 256-bit key, most significant bit of byte 0 first."""
    return (key[i // 8] >> (7 - i % 8)) & 1


def subtree_hash(records, depth):
    """records: dict key -> value, all sharing the first `depth` bits."""
    if not records:
        return E[depth]
    if len(records) == 1:
        (k, v), = records.items()
        return leaf_hash(k, v)
    left = {k: v for k, v in records.items() if bit(k, depth) == 0}
    right = {k: v for k, v in records.items() if bit(k, depth) == 1}
    return node_hash(subtree_hash(left, depth + 1), subtree_hash(right, depth + 1))


def root(records):
    return subtree_hash(records, 0)


def prove(records, key):
    """The proof bytes for `key` (present or absent) in the map `records`."""
    siblings = []  # (depth, hash) from the root down
    bitmap = bytearray(32)
    on_path = dict(records)
    depth = 0
    while len(on_path) >= 2:
        b = bit(key, depth)
        side = {k: v for k, v in on_path.items() if bit(k, depth) == b}
        other = {k: v for k, v in on_path.items() if bit(k, depth) != b}
        depth += 1
        if other:
            bitmap[(depth - 1) // 8] |= 0x80 >> ((depth - 1) % 8)
            siblings.append(subtree_hash(other, depth))
        on_path = side
    if not on_path:
        head = bytes([ABSENT_EMPTY]) + bytes(bitmap)
    else:
        (k, v), = on_path.items()
        head = bytes([PRESENT]) + bytes(bitmap) if k == key else bytes([ABSENT_LEAF]) + bytes(bitmap) + k + v
    return head + b"".join(reversed(siblings))


def verify(root_hash, key, value, proof):
    """None if `proof` proves that `key` maps to `value` (None = absent) under `root_hash`; else the reason."""
    if len(root_hash) != 32 or len(key) != 32 or (value is not None and len(value) != 32):
        return "root, key and value are 32 bytes"
    if len(proof) < 33:
        return "proof shorter than 33 bytes"
    terminal = proof[0]
    if terminal not in (PRESENT, ABSENT_EMPTY, ABSENT_LEAF):
        return "unknown terminal byte"
    if (value is not None) != (terminal == PRESENT):
        return "terminal does not match the claim"
    bitmap = proof[1:33]
    set_bits = [i for i in range(256) if (bitmap[i // 8] >> (7 - i % 8)) & 1]
    depth = set_bits[-1] + 1 if set_bits else 0
    offset = 33
    if terminal == ABSENT_LEAF:
        offset += 64
    if len(proof) != offset + 32 * len(set_bits):
        return "length does not match the bitmap"
    if terminal == PRESENT:
        h = leaf_hash(key, value)
    elif terminal == ABSENT_EMPTY:
        h = E[depth]
    else:
        other_key, other_value = proof[33:65], proof[65:97]
        if other_key == key:
            return "the other leaf is the key's own"
        if any(bit(other_key, i) != bit(key, i) for i in range(depth)):
            return "the other leaf is not on the key's path"
        h = leaf_hash(other_key, other_value)
    for d in range(depth, 0, -1):
        if (bitmap[(d - 1) // 8] >> (7 - (d - 1) % 8)) & 1:
            s = proof[offset:offset + 32]
            offset += 32
            if s == E[d]:
                return "an explicit sibling is an empty subtree"
        else:
            s = E[d]
        h = node_hash(h, s) if bit(key, d - 1) == 0 else node_hash(s, h)
    return None if h == root_hash else "wrong root"


class Stream:
    """Deterministic bytes: SHA-256(label || counter)."""

    def __init__(self, label):
        self.label, self.counter = label.encode(), 0

    def take(self):
        self.counter += 1
        return sha256(self.label + self.counter.to_bytes(8, "big"))


def key_from_bits(prefix_bits, fill):
    """A key whose first bits are `prefix_bits` ("0101..."), the rest taken from `fill` (32 bytes)."""
    bits = prefix_bits + "".join(str(bit(fill, i)) for i in range(len(prefix_bits), 256))
    return int(bits, 2).to_bytes(32, "big")


def hexs(b):
    return b.hex()


def proof_case(records, key):
    value = records.get(key)
    p = prove(records, key)
    assert verify(root(records), key, value, p) is None
    kind = {PRESENT: "present", ABSENT_EMPTY: "absent-empty", ABSENT_LEAF: "absent-leaf"}[p[0]]
    set_bits = [i for i in range(256) if (p[1 + i // 8] >> (7 - i % 8)) & 1]
    depth = set_bits[-1] + 1 if set_bits else 0
    return {"key": hexs(key), "value": hexs(value) if value else None, "kind": kind, "depth": depth, "proof": hexs(p)}


def map_case(name, batches, proof_keys):
    state, roots, out_batches = {}, [], []
    for batch in batches:
        for k, v in batch:
            state[k] = v
        out_batches.append([{"key": hexs(k), "value": hexs(v)} for k, v in batch])
        roots.append(hexs(root(state)))
    proofs = [proof_case(state, k) for k in proof_keys]
    return {"name": name, "batches": out_batches, "roots": roots, "proofs": proofs}, state


def tampered(records, key, proof, value):
    """Negative cases made from one valid proof: every one must be refused."""
    r = root(records)
    cases = []

    def add(why, p, k=key, v=value, rt=r):
        assert verify(rt, k, v, p) is not None, why
        cases.append({"why": why, "root": hexs(rt), "key": hexs(k), "value": hexs(v) if v else None, "proof": hexs(p)})

    add("truncated by one byte", proof[:-1])
    add("one trailing byte", proof + b"\x00")
    add("one more sibling", proof + E[0])
    add("terminal byte 0x03", b"\x03" + proof[1:])
    if value is not None:
        add("wrong value", proof, v=sha256(b"another state entry"))
        add("claimed absent", bytes([ABSENT_EMPTY]) + proof[1:], v=None)
    for i in range(1, 33):
        if proof[i]:
            flipped = bytearray(proof)
            flipped[i] ^= proof[i] & -proof[i]  # clear the lowest set bit of this bitmap byte
            add(f"bitmap byte {i - 1} loses a bit", bytes(flipped))
            break
    last = bytearray(proof)
    last[-1] ^= 1
    add("last sibling byte flipped", bytes(last))
    add("wrong root", proof, rt=sha256(r))
    if any(proof[1:33]):
        # An absence proof holds for every key on the same path, so the other key leaves the path at the first bit.
        add("another key (first bit flipped)", proof, k=bytes([key[0] ^ 0x80]) + key[1:])
    return cases


def main():
    s = Stream("huren-status-map-vectors/v1")
    vectors = {
        "format": "huren-status-map-vectors/v1",
        "generator": "tests/Huren.Sdk.Tests/StatusMap/reference/status_map_reference.py",
        "spec": "docs/status-map.md",
        "emptyHashes": {str(d): hexs(E[d]) for d in range(257)},
        "leafHashes": [],
        "nodeHashes": [],
        "recordKeys": [],
        "extensionLines": [],
        "maps": [],
        "invalidProofs": [],
    }
    for _ in range(3):
        k, v = s.take(), s.take()
        vectors["leafHashes"].append({"key": hexs(k), "value": hexs(v), "hash": hexs(leaf_hash(k, v))})
        vectors["nodeHashes"].append({"left": hexs(k), "right": hexs(v), "hash": hexs(node_hash(k, v))})
    for rid in ["430100-amr-2026-000001", "11100000HUREN00011430100000001", "营业执照-长沙-0001", ""]:
        vectors["recordKeys"].append({"recordId": rid, "key": hexs(record_key(rid))})
    for r in [E[0], s.take()]:
        vectors["extensionLines"].append({"root": hexs(r), "line": LINE_PREFIX + base64.b64encode(r).decode()})

    zero, ones = bytes(32), b"\xff" * 32
    v1, v2, v3 = s.take(), s.take(), s.take()

    case, _ = map_case("empty map", [[]], [zero, ones])
    vectors["maps"].append(case)

    only = s.take()
    case, _ = map_case("one record", [[(only, v1)]], [only, zero])
    vectors["maps"].append(case)

    left, right = key_from_bits("0", s.take()), key_from_bits("1", s.take())
    case, _ = map_case("two records split at the first bit", [[(left, v1), (right, v2)]], [left, right, key_from_bits("0", s.take())])
    vectors["maps"].append(case)

    a = s.take()
    b, c = bytearray(a), bytearray(a)
    b[31] ^= 1
    c[31] ^= 2
    b, c = bytes(b), bytes(c)
    case, st = map_case("two records differing only in the last bit", [[(a, v1)], [(b, v2)]], [a, b, c])
    vectors["maps"].append(case)
    vectors["invalidProofs"] += tampered(st, a, prove(st, a), v1)

    crafted = [key_from_bits(p, s.take()) for p in ["0000", "0001", "00100", "0011", "0111", "10", "111111110", "111111111"]]
    batches = [[(k, s.take()) for k in crafted[:4]], [(k, s.take()) for k in crafted[4:]],
               [(crafted[0], v3), (crafted[5], v2), (crafted[0], v1)]]
    probes = crafted + [key_from_bits(p, s.take()) for p in ["010", "00101", "110", "11111110", "1111111111"]]
    case, st = map_case("crafted prefixes, updates, a key repeated in one batch (the last value counts)", batches, probes)
    assert {p["kind"] for p in case["proofs"]} == {"present", "absent-empty", "absent-leaf"}
    vectors["maps"].append(case)
    vectors["invalidProofs"] += tampered(st, crafted[3], prove(st, crafted[3]), st[crafted[3]])
    vectors["invalidProofs"] += tampered(st, probes[-3], prove(st, probes[-3]), None)
    vectors["invalidProofs"] += tampered(st, probes[-5], prove(st, probes[-5]), None)

    ids = [f"430100-amr-2026-{i:06d}" for i in range(300)]
    batches = [[(record_key(i), s.take()) for i in ids[:120]], [(record_key(i), s.take()) for i in ids[120:]],
               [(record_key(i), s.take()) for i in ids[::7]]]
    probes = [record_key(i) for i in [ids[0], ids[7], ids[299], "430100-amr-2026-999999", "missing"]]
    case, st = map_case("300 record ids in three batches", batches, probes)
    vectors["maps"].append(case)
    vectors["invalidProofs"] += tampered(st, probes[0], prove(st, probes[0]), st[probes[0]])
    vectors["invalidProofs"] += tampered(st, probes[4], prove(st, probes[4]), None)

    keys = [s.take() for _ in range(1000)]
    batches = [[(k, s.take()) for k in keys[:400]], [(k, s.take()) for k in keys[400:]], [(k, s.take()) for k in keys[::13]]]
    probes = keys[:3] + [keys[999]] + [s.take() for _ in range(12)]
    case, st = map_case("1000 random keys in three batches", batches, probes)
    assert {p["kind"] for p in case["proofs"]} == {"present", "absent-empty", "absent-leaf"}
    vectors["maps"].append(case)

    # The reference's own refusals that need no valid proof to start from.
    for why, rt, k, v, p in [
        ("empty proof", E[0], zero, None, b""),
        ("32-byte proof", E[0], zero, None, bytes(32)),
        ("present claim on the empty map", E[0], zero, v1, bytes([PRESENT]) + bytes(32)),
        ("absent-leaf naming the key itself", leaf_hash(zero, v1), zero, None, bytes([ABSENT_LEAF]) + bytes(32) + zero + v1),
        ("explicit empty sibling", node_hash(leaf_hash(zero, v1), E[1]), zero, v1, bytes([PRESENT]) + b"\x80" + bytes(31) + E[1]),
    ]:
        assert verify(rt, k, v, p) is not None, why
        vectors["invalidProofs"].append({"why": why, "root": hexs(rt), "key": hexs(k), "value": hexs(v) if v else None, "proof": hexs(p)})

    json.dump(vectors, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
