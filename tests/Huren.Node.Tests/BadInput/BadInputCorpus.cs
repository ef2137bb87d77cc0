using Grpc.Core;
using Huren.Node.Tests.Integration;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Notes;

namespace Huren.Node.Tests.BadInput;

/// <summary>One bad input: what is sent, and the status and message part the node must refuse it with.</summary>
public sealed record BadInputCase(string Name, StatusCode Status, string Message, Func<BadInputNode, Task> Send);

/// <summary>
/// The corpus of bad inputs (issue 20, item 7) sent to a running node over gRPC: malformed and non-canonical protobuf,
/// oversize messages and fields, wrong and reused signatures, replayed and misdirected call credentials, forged
/// references, bad checkpoint notes, bad configurations and bad paths. Each is built from a valid input by one change,
/// so the refusal is for that change.
/// </summary>
public static class BadInputCorpus
{
    public static IReadOnlyList<BadInputCase> All { get; } =
    [
        // Malformed protobuf.
        Submit("garbage bytes", StatusCode.InvalidArgument, "", n => [.. Enumerable.Range(0, 64).Select(i => (byte)(i * 37 + 11))]),
        Submit("empty signed entry", StatusCode.InvalidArgument, "", _ => []),
        Submit("truncated signed entry", StatusCode.InvalidArgument, "", n => n.ValidLeaf("T1")[..^5]),
        Submit("length prefix beyond the end", StatusCode.InvalidArgument, "", n => [0x0a, 0xff, 0xff, 0x03, 0x01, 0x02]),
        // Non-canonical protobuf: the same fields, encoded another way.
        Submit("unknown field appended", StatusCode.InvalidArgument, "", n => [.. n.ValidLeaf("T2"), 0x78, 0x01]),
        Submit("fields out of order", StatusCode.InvalidArgument, "", n => n.Reencode(n.Signed("T3"), order: [4, 1, 2, 3])),
        Submit("a field repeated", StatusCode.InvalidArgument, "", n => n.Reencode(n.Signed("T4"), order: [1, 2, 3, 3, 4])),
        Submit("signed entry bytes that are not canonical", StatusCode.InvalidArgument, "", n =>
            CanonicalCodec.Encode(EntrySigner.Sign([.. CanonicalCodec.Encode(n.LicenseEntry("T5")), 0x78, 0x01], n.Amr))),
        // Oversize.
        Submit("message over the 4 MiB limit", StatusCode.ResourceExhausted, "", _ => new byte[5 * 1024 * 1024]),
        Submit("a body of 300 000 bytes", StatusCode.InvalidArgument, "more than the", n => n.LicenseNamed("T6", new string('证', 100_000))),
        Submit("a name of 2000 characters", StatusCode.InvalidArgument, "name", n => n.LicenseNamed("T14", new string('证', 2000))),
        // Wrong and reused signatures.
        Submit("signature with one bit flipped", StatusCode.PermissionDenied, "", n =>
        {
            var signed = n.Signed("T7");
            signed.Signature[^1] ^= 1;
            return CanonicalCodec.Encode(signed);
        }),
        Submit("signed by a key no issuer registered", StatusCode.PermissionDenied, "", n => EntrySigner.SignToLeaf(n.LicenseEntry("T8"), SigningKey.Generate(SignatureAlgorithm.Ed25519))),
        Submit("another entry's signature reused", StatusCode.PermissionDenied, "", n =>
        {
            var other = n.Signed("T9");
            var signed = n.Signed("T10");
            signed.Signature = other.Signature;
            return CanonicalCodec.Encode(signed);
        }),
        Submit("signature algorithm changed", StatusCode.PermissionDenied, "", n =>
        {
            var signed = n.Signed("T11");
            signed.Algorithm = SignatureAlgorithm.EcdsaP256Sha256;
            return CanonicalCodec.Encode(signed);
        }),
        // Forged references.
        Submit("reference to an entry with another leaf hash", StatusCode.NotFound, "references[0]", n =>
            EntrySigner.SignToLeaf(n.LicenseEntry("T12", new EntryReference { Origin = TestNode.Origin, Index = 0, LeafHash = new byte[32], Relation = "supersedes" }), n.Amr)),
        Submit("reference beyond the log", StatusCode.NotFound, "references[0]", n =>
            EntrySigner.SignToLeaf(n.LicenseEntry("T13", new EntryReference { Origin = TestNode.Origin, Index = 1000, LeafHash = new byte[32], Relation = "supersedes" }), n.Amr)),
        // Replayed and misdirected call credentials.
        new("no call credential", StatusCode.Unauthenticated, "", n => n.SubmitWithHeader(null)),
        new("call credential 10 minutes old (replayed)", StatusCode.Unauthenticated, "", n =>
            n.SubmitWithHeader(CallCredential.Create("amr", "430100", n.Node.ClientKey("amr"), "/huren.v1.Ledger/Submit", DateTimeOffset.UtcNow.AddMinutes(-10)))),
        new("call credential made for another method", StatusCode.Unauthenticated, "", n =>
            n.SubmitWithHeader(CallCredential.Create("amr", "430100", n.Node.ClientKey("amr"), "/huren.v1.Ledger/GetCheckpoint", DateTimeOffset.UtcNow))),
        new("call credential signed by another principal's key", StatusCode.Unauthenticated, "", n =>
            n.SubmitWithHeader(CallCredential.Create("amr", "430100", n.Node.ClientKey("auditor"), "/huren.v1.Ledger/Submit", DateTimeOffset.UtcNow))),
        new("call credential of an unknown principal", StatusCode.Unauthenticated, "", n =>
            n.SubmitWithHeader(CallCredential.Create("mallory", "430100", SigningKey.Generate(SignatureAlgorithm.Ed25519), "/huren.v1.Ledger/Submit", DateTimeOffset.UtcNow))),
        // Made for Zhuzhou's node by a principal known at both: what Zhuzhou could replay here.
        new("call credential made for another node", StatusCode.Unauthenticated, "credential is for node 430200, not this node (430100)", n =>
            n.SubmitWithHeader(CallCredential.Create("amr", "430200", n.Node.ClientKey("amr"), "/huren.v1.Ledger/Submit", DateTimeOffset.UtcNow))),
        new("call credential of the first form, naming no node", StatusCode.Unauthenticated, "credential names no node", n =>
        {
            var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var signature = n.Node.ClientKey("amr").Sign(System.Text.Encoding.UTF8.GetBytes($"huren-call/v1\namr\n/huren.v1.Ledger/Submit\n{seconds}\n"));
            return n.SubmitWithHeader($"Huren amr:{seconds}:{Convert.ToBase64String(signature)}");
        }),
        // Bad checkpoint notes (the witness).
        new("note that is not a signed note", StatusCode.InvalidArgument, "malformed", n => n.Offer("not a note")),
        new("note of an origin that is not a member", StatusCode.NotFound, "", n =>
            n.Offer(new CheckpointSigner("huren.cz-t/430999", SigningKey.Generate(SignatureAlgorithm.Ed25519), null).Sign(1, new byte[32]).ToString())),
        new("consistency proof of 64 hashes", StatusCode.NotFound, "", n =>
            n.Offer(new CheckpointSigner("huren.cz-t/430999", SigningKey.Generate(SignatureAlgorithm.Ed25519), null).Sign(9, new byte[32]).ToString(), proofHashes: 64)),
        // Bad configurations.
        new("configuration offered to a stand-alone node", StatusCode.FailedPrecondition, "not part of a network", n => n.Propose("{not json"u8.ToArray())),
        new("empty configuration", StatusCode.InvalidArgument, "document is empty", n => n.Propose([])),
        // Bad requests and paths.
        new("entries from beyond the log", StatusCode.InvalidArgument, "beyond the log's size", async n =>
        {
            using var auditor = n.Node.Client("auditor");
            await auditor.Ledger.GetEntriesAsync(new GetEntriesRequest { Start = 1_000_000 }, auditor.Options());
        }),
        new("inclusion proof of an index outside the tree", StatusCode.InvalidArgument, "", async n =>
        {
            using var auditor = n.Node.Client("auditor");
            await auditor.Ledger.GetInclusionProofAsync(new InclusionProofRequest { Index = 5, TreeSize = 2 }, auditor.Options());
        }),
        new("backup folder with '..' (path traversal)", StatusCode.InvalidArgument, "must not contain '..'", async n =>
        {
            using var op = n.Node.Client("operator");
            await op.Admin.BackupAsync(new BackupRequest { Directory = Path.Combine(n.Node.Dir, "..", "..", "etc", "huren") }, op.Options());
        }),
        new("backup folder relative to the node's working folder", StatusCode.InvalidArgument, "absolute path", async n =>
        {
            using var op = n.Node.Client("operator");
            await op.Admin.BackupAsync(new BackupRequest { Directory = "../../tmp/x" }, op.Options());
        }),
        new("quarantine clearing with a 3000-character reason", StatusCode.InvalidArgument, "at most 2000", async n =>
        {
            using var op = n.Node.Client("operator");
            await op.Witness.ClearQuarantineAsync(new ClearQuarantineRequest { Origin = "huren.cz-t/430200", Reason = new string('x', 3000) }, op.Options());
        }),
    ];

    private static BadInputCase Submit(string name, StatusCode status, string message, Func<BadInputNode, byte[]> leaf)
        => new(name, status, message, async n =>
        {
            using var issuer = n.Node.Client("amr");
            await issuer.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf(n) }, issuer.Options());
        });
}
