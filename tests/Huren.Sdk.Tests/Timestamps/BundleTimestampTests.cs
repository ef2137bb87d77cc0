using System.Text;
using Huren.Sdk.Crypto;
using Huren.Sdk.Evidence;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests.Notes;
using Huren.Sdk.Timestamps;

namespace Huren.Sdk.Tests.Timestamps;

/// <summary>
/// RFC 3161 tokens carried in evidence bundles (<c>timestamps</c>): a token of the bundle's checkpoint verifies offline
/// against the trusted TSA root, also when the bundle's note gained cosignatures after the stamp; a token that was
/// tampered with, stamps another checkpoint or another note, chains to another root, or names a log the bundle does
/// not hold is refused with its reason.
/// </summary>
public sealed class BundleTimestampTests
{
    private const string Origin = "huren.cz-t/430100";
    private static readonly byte[] Root = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly NoteSignerKey Log = NoteSignerKey.ForEd25519(Origin, TestKeys.Ed25519("log-430100"));
    // A second signature line stands for the cosignatures a note gains after it was stamped.
    private static readonly NoteSignerKey Witness = NoteSignerKey.ForEd25519("witness.example/430200", TestKeys.Ed25519("witness-430200"));
    private static readonly LocalTsaCertificates Local = TimestampAuthority.CreateLocalCertificates("Huren bundle test", TimeSpan.FromDays(2));

    private static string Note(ulong size, byte[] root, params NoteSignerKey[] signers) =>
        SignedNote.Sign(new Checkpoint(Origin, size, root).ToString(), signers).ToString();

    private static byte[] Stamp(string note)
    {
        var request = new Org.BouncyCastle.Tsp.TimeStampRequestGenerator();
        request.SetCertReq(true);
        var query = request.Generate(Org.BouncyCastle.Tsp.TspAlgorithms.Sha256, Digests.Sha256(Encoding.UTF8.GetBytes(note)));
        var response = new Org.BouncyCastle.Tsp.TimeStampResponse(Local.CreateAuthority().Respond(query.GetEncoded()));
        Assert.Equal(0, response.Status);
        return response.TimeStampToken.GetEncoded();
    }

    private static EvidenceBundle Bundle(string checkpointNote, params BundleTimestamp[] stamps) => new()
    {
        Network = "cz-t",
        Subject = "L1",
        Verdict = new BundleVerdict { Status = "valid", Reason = "", AsOf = new BundleCheckpointRef { Origin = Origin, Size = 42 } },
        Checkpoints = { [Origin] = checkpointNote },
        Timestamps = stamps.Length == 0 ? null : [.. stamps],
    };

    private static BundleTimestampVerifier Verifier(string? rootPem = null) =>
        new(new TimestampTrust { Roots = TimestampTrust.CertificatesFromPem(rootPem ?? Local.RootCertificatePem) });

    [Fact]
    public void A_token_of_the_bundles_checkpoint_verifies_offline_after_a_JSON_round_trip()
    {
        // Stamped when the note had the log's signature only; the bundle's note has a cosignature more.
        var stamped = Note(42, Root, Log);
        var bundle = Bundle(Note(42, Root, Log, Witness), new BundleTimestamp { Origin = Origin, Size = 42, Note = stamped, Token = Stamp(stamped) });

        var json = bundle.ToJson();
        Assert.Contains("\"timestamps\"", json, StringComparison.Ordinal);
        var results = Verifier().Verify(EvidenceBundle.Parse(json));

        var result = Assert.Single(results);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((Origin, 42UL), (result.Origin, result.Size));
        Assert.InRange(result.GenTime!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Contains("Huren bundle test TSA", result.TsaSubject, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_without_tokens_has_no_timestamps_field_and_nothing_to_verify()
    {
        var bundle = Bundle(Note(42, Root, Log));
        Assert.DoesNotContain("timestamps", bundle.ToJson(), StringComparison.Ordinal);
        Assert.Empty(Verifier().Verify(EvidenceBundle.Parse(bundle.ToJson())));
    }

    [Fact]
    public void Tampered_or_mismatched_tokens_are_refused_with_their_reason()
    {
        var stamped = Note(42, Root, Log);
        var token = Stamp(stamped);
        string Refused(EvidenceBundle bundle, string? rootPem = null)
        {
            var result = Assert.Single(Verifier(rootPem).Verify(EvidenceBundle.Parse(bundle.ToJson())));
            Assert.False(result.IsValid);
            return result.Failure!;
        }

        // The token's signature: its last byte is the end of the ECDSA signature value.
        var flipped = (byte[])token.Clone();
        flipped[^1] ^= 0x01;
        var failure = Refused(Bundle(stamped, new BundleTimestamp { Origin = Origin, Size = 42, Note = stamped, Token = flipped }));
        Assert.StartsWith($"the time-stamp of {Origin} @ 42: ", failure, StringComparison.Ordinal);
        Assert.Contains("does not check", failure, StringComparison.Ordinal);

        // A token over another note of the same checkpoint (more signatures than were stamped): the imprint differs.
        var cosigned = Note(42, Root, Log, Witness);
        Assert.Contains("another message (imprint differs)", Refused(Bundle(cosigned, new BundleTimestamp { Origin = Origin, Size = 42, Note = cosigned, Token = token })), StringComparison.Ordinal);

        // The stamped checkpoint is not the bundle's: another root at the same size, or another size.
        var otherRoot = (byte[])Root.Clone();
        otherRoot[0] ^= 0xFF;
        var forked = Note(42, otherRoot, Log);
        Assert.Contains($"is not the bundle's ({Origin} @ 42)", Refused(Bundle(forked, new BundleTimestamp { Origin = Origin, Size = 42, Note = stamped, Token = token })), StringComparison.Ordinal);
        Assert.Contains($"is not the bundle's ({Origin} @ 43)", Refused(Bundle(Note(43, Root, Log), new BundleTimestamp { Origin = Origin, Size = 42, Note = stamped, Token = token })), StringComparison.Ordinal);
        Assert.Contains("the stamped note is of size 42", Refused(Bundle(stamped, new BundleTimestamp { Origin = Origin, Size = 41, Note = stamped, Token = token })), StringComparison.Ordinal);

        // A TSA the verifier does not trust.
        var otherTsa = TimestampAuthority.CreateLocalCertificates("Other", TimeSpan.FromDays(1)).RootCertificatePem;
        Assert.Contains("does not chain to a trusted root", Refused(Bundle(stamped, new BundleTimestamp { Origin = Origin, Size = 42, Note = stamped, Token = token }), otherTsa), StringComparison.Ordinal);

        // A log the bundle holds no checkpoint of, a note that is not a checkpoint of the log, a token that is not DER.
        Assert.Contains("the bundle holds no checkpoint of huren.cz-t/430200", Refused(Bundle(stamped, new BundleTimestamp { Origin = "huren.cz-t/430200", Size = 42, Note = stamped, Token = token })), StringComparison.Ordinal);
        Assert.Contains("the stamped note does not read", Refused(Bundle(stamped, new BundleTimestamp { Origin = Origin, Size = 42, Note = "not a note", Token = token })), StringComparison.Ordinal);
        Assert.StartsWith($"the time-stamp of {Origin} @ 42: ", Refused(Bundle(stamped, new BundleTimestamp { Origin = Origin, Size = 42, Note = stamped, Token = [0x30, 0x03, 0x02, 0x01, 0x00] })), StringComparison.Ordinal);
    }
}
