using System.Diagnostics;
using System.Text.Json.Nodes;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Seals;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Electronic seals across the three node processes: Changsha's seal-making authority registers seals, its market
/// regulator seals documents and records the uses, and counters in Zhuzhou and Xiangtan verify them through their own
/// nodes' mirrors — every verdict (VALID, REVOKED, NOT_REGISTERED, BAD_SIGNATURE, EXPIRED, SIGNER_NOT_ALLOWED) reached
/// and recomputed by the SDK from the evidence, the evidence verified offline, tampered evidence and out-of-scope,
/// revoked or forged writes refused.
/// </summary>
public sealed class SealNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private const string Maker = "seals", Regulator = "amr";
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(30);
    private static readonly string MakerAuthorityCode = LedgerBodies.Uscc("12430100HUREN0401");
    private readonly string _changsha = OriginOf(Changsha);

    [Fact]
    public async Task Seals_registered_in_Changsha_get_every_verdict_at_other_cities_with_evidence_that_verifies_offline()
    {
        // Changsha's seal-making authority (制章机构, seal type 1; its seals' maker certificate carries an SM2 maker key it
        // registered) and its market regulator, the seals' owner (no seal scope).
        var kit = new LedgerSeals(DateTimeOffset.UtcNow);
        await RegisterIssuerAsync(Changsha, LedgerBodies.Issuer($"{Changsha}-{Maker}", MakerAuthorityCode, KeyOf(Changsha, Maker).PublicKey, [], ["1"], mayShare: false,
            region: Changsha, sealMakerKeys: [kit.MakerKey.PublicKey]));
        await RegisterIssuerAsync(Changsha, LedgerBodies.Issuer($"{Changsha}-{Regulator}", LedgerBodies.ChangshaAmrCode, KeyOf(Changsha, Regulator).PublicKey,
            [LedgerBodies.BusinessLicenseType], [], mayShare: true, region: Changsha));
        using var maker = ClientAs(Changsha, Maker);
        using var regulator = ClientAs(Changsha, Regulator);

        // Out of scope: an issuer without a seal scope, a seal type outside the authority's scope, a maker key not its own.
        await RefusedAsync(StatusCode.PermissionDenied, "out of scope for issuer 430100-amr",
            () => regulator.RegisterSealAsync(_changsha, $"{Changsha}-{Regulator}", kit.Make("430100SEAL0090"), LedgerBodies.ChangshaAmrCode, KeyOf(Changsha, Regulator)));
        await RefusedAsync(StatusCode.PermissionDenied, "seal type 2 is out of scope",
            () => maker.RegisterSealAsync(_changsha, $"{Changsha}-{Maker}", kit.Make("430100SEAL0091", type: 2), LedgerBodies.ChangshaAmrCode, KeyOf(Changsha, Maker)));
        var stranger = new LedgerSeals(kit.Now, makerName: "未备案的制章机构");
        await RefusedAsync(StatusCode.PermissionDenied, "is not a key of issuer 430100-seals",
            () => maker.RegisterSealAsync(_changsha, $"{Changsha}-{Maker}", stranger.Make("430100SEAL0092"), LedgerBodies.ChangshaAmrCode, KeyOf(Changsha, Maker)));

        // Registered: a current seal, one whose validity ended yesterday, one to be revoked. One is never registered.
        var seal = kit.Make("430100SEAL0001");
        var expired = kit.Make("430100SEAL0002", validStart: kit.Now.AddDays(-60), validEnd: kit.Now.AddDays(-1));
        var revocable = kit.Make("430100SEAL0003");
        var unregistered = kit.Make("430100SEAL0004");
        foreach (var s in new[] { seal, expired, revocable }) await maker.RegisterSealAsync(_changsha, $"{Changsha}-{Maker}", s, LedgerBodies.ChangshaAmrCode, KeyOf(Changsha, Maker));

        // The regulator seals documents (盖章) and records some uses; signing times are taken after the registrations.
        byte[] decision = LedgerSeals.Document("准予登记"), before = LedgerSeals.Document("吊销前"), after = LedgerSeals.Document("吊销后");
        var valid = kit.Sign(seal, decision, DateTimeOffset.UtcNow);
        await regulator.RecordSealUseAsync(_changsha, $"{Changsha}-{Regulator}", valid, "430100-QT-0002", KeyOf(Changsha, Regulator));
        var sealedBefore = kit.Sign(revocable, before, DateTimeOffset.UtcNow);
        await regulator.RecordSealUseAsync(_changsha, $"{Changsha}-{Regulator}", sealedBefore, "430100-QT-0002", KeyOf(Changsha, Regulator));
        var sealedAfter = kit.Sign(revocable, after, DateTimeOffset.UtcNow);

        // Revocation: only the registering authority; afterwards no use is recorded.
        await RefusedAsync(StatusCode.PermissionDenied, "registered by another issuer (430100-seals)",
            () => regulator.RevokeSealAsync(_changsha, $"{Changsha}-{Regulator}", revocable.EsId, "印章遗失", KeyOf(Changsha, Regulator)));
        await maker.RevokeSealAsync(_changsha, $"{Changsha}-{Maker}", revocable.EsId, "印章遗失", KeyOf(Changsha, Maker));
        await RefusedAsync(StatusCode.FailedPrecondition, "was revoked at index",
            () => regulator.RecordSealUseAsync(_changsha, $"{Changsha}-{Regulator}", sealedAfter, "430100-QT-0002", KeyOf(Changsha, Regulator)));

        // A forged use never reaches the log: the client refuses it, and the node refuses the signed bytes sent directly.
        var forged = Tampered(valid.Der);
        var forgedUse = new Schemas.Bodies.SealUsed { SealId = seal.EsId, DocumentDigest = valid.ToSign.DataHash, DigestAlgorithm = Digests.Sm3Name, SesSignature = forged };
        var forgedLeaf = EntrySigner.SignToLeaf(MakeEntry(Changsha, EntryKinds.SealUse, seal.EsId, $"{Changsha}-{Regulator}", forgedUse), KeyOf(Changsha, Regulator));
        var forgedRefusal = await Assert.ThrowsAsync<RpcException>(async () => await regulator.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = forgedLeaf }, regulator.Options()));
        Assert.Equal(StatusCode.InvalidArgument, forgedRefusal.StatusCode);
        Assert.Contains("body.sesSignature", forgedRefusal.Status.Detail, StringComparison.Ordinal);

        // A Xiangtan counter (湘潭窗口) verifies the Changsha document through Xiangtan's node: VALID on final evidence.
        using var xiangtan = Client(Xiangtan, CliRoles.Counter);
        var verifier = new SealEvidenceVerifier(Genesis);
        var sw = Stopwatch.StartNew();
        // Waits for the use too: Xiangtan's copy may hold the registration, final, before it holds the use.
        var validAnswer = await VerdictAsync(xiangtan, SealQuestion.ForDocument(decision, valid.Der), verifier,
            a => a.IsAccepted && a.Evidence.Reason.Contains("this use is recorded at #", StringComparison.Ordinal));
        Output.WriteLine($"use recorded → VALID on final evidence at Xiangtan: {sw.ElapsedMilliseconds} ms");
        Assert.Equal(_changsha, validAnswer.Response.Origin);
        Assert.Contains("this use is recorded at #", validAnswer.Evidence.Reason, StringComparison.Ordinal);
        AssertOffline(verifier, validAnswer, decision, valid.Der, SealVerdict.Valid);

        // The other verdicts, each recomputed by the SDK from the signature and the node's evidence.
        using var zhuzhou = Client(Zhuzhou, CliRoles.Counter);
        var revokedAnswer = await ExpectAsync(zhuzhou, verifier, after, sealedAfter.Der, SealVerdict.Revoked, "revoked at huren.cz-t/430100 #");
        var keptAnswer = await ExpectAsync(zhuzhou, verifier, before, sealedBefore.Der, SealVerdict.Valid, "sealed before seal 430100SEAL0003 was revoked");
        await ExpectAsync(xiangtan, verifier, LedgerSeals.Document("准予登记（改）"), valid.Der, SealVerdict.BadSignature, "");
        await ExpectAsync(xiangtan, verifier, decision, forged, SealVerdict.BadSignature, "");
        await ExpectAsync(xiangtan, verifier, decision, kit.Sign(expired, decision, DateTimeOffset.UtcNow).Der, SealVerdict.Expired, "after the seal's validity ended");
        await ExpectAsync(xiangtan, verifier, decision, kit.Sign(seal, decision, DateTimeOffset.UtcNow, kit.OtherSignerKey, kit.OtherSignerCertificate).Der, SealVerdict.SignerNotAllowed, "");
        var notRegistered = await ExpectAsync(xiangtan, verifier, decision, kit.Sign(unregistered, decision, DateTimeOffset.UtcNow).Der, SealVerdict.NotRegistered, "not registered");
        Assert.False(notRegistered.Evidence.FromLedger);
        Assert.Equal("", notRegistered.Response.EvidenceBundle);
        AssertOffline(verifier, revokedAnswer, after, sealedAfter.Der, SealVerdict.Revoked);
        AssertOffline(verifier, keptAnswer, before, sealedBefore.Der, SealVerdict.Valid);

        // The registered seal itself, as Zhuzhou's node proves it.
        var record = await zhuzhou.GetSealAsync(revocable.EsId, verifier, TimeSpan.FromSeconds(10));
        Assert.True(record.IsVerified, record.Evidence.Failure);
        Assert.True(record.IsRevoked);
        Assert.Equal(revocable.Der, record.Seal!.Der);

        // Tampered evidence is refused offline: a flipped leaf, a flipped byte in every checkpoint signature line, the
        // use entry left out (the revoked seal's earlier document then recomputes REVOKED, not the stated VALID), the
        // revocation left out, the stated verdict changed, and a VALID bundle replayed for another signature.
        var now = DateTimeOffset.UtcNow;
        var validJson = validAnswer.Response.EvidenceBundle;
        AssertRefused(verifier.Verify(FlipLeaf(validJson), valid.Der, Digests.Sm3(decision), now), "");
        AssertRefused(verifier.Verify(FlipSignatureLines(validJson), valid.Der, Digests.Sm3(decision), now), "");
        AssertRefused(verifier.Verify(Without(keptAnswer.Response.EvidenceBundle, EntryKinds.SealUse), sealedBefore.Der, Digests.Sm3(before), now), "the bundle states VALID, its entries and the signature give REVOKED");
        AssertRefused(verifier.Verify(Without(revokedAnswer.Response.EvidenceBundle, EntryKinds.SealRevoke), sealedAfter.Der, Digests.Sm3(after), now), "the bundle states REVOKED, its entries and the signature give VALID");
        AssertRefused(verifier.Verify(Restated(validJson, "REVOKED"), valid.Der, Digests.Sm3(decision), now), "the bundle states REVOKED");
        var other = kit.Sign(seal, LedgerSeals.Document("另一份"), DateTimeOffset.UtcNow);
        AssertRefused(verifier.Verify(validJson, other.Der, Digests.Sm3(LedgerSeals.Document("另一份")), now), "records another use of seal 430100SEAL0001");

        // Changsha's node down: Xiangtan still answers from its mirror, with final evidence.
        Nodes[Changsha].Stop();
        var whileDown = await xiangtan.VerifySealAsync(SealQuestion.ForDocument(decision, valid.Der), verifier, TimeSpan.FromSeconds(10));
        Assert.True(whileDown.IsAccepted, whileDown.Failure ?? whileDown.Evidence.Reason);
    }

    /// <summary>Asks <paramref name="client"/> until the verified answer satisfies <paramref name="done"/> (its mirror may lag), within <see cref="Propagation"/>.</summary>
    private static async Task<VerifiedSeal> VerdictAsync(HurenClient client, SealQuestion question, SealEvidenceVerifier verifier, Func<VerifiedSeal, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var answer = await client.VerifySealAsync(question, verifier, TimeSpan.FromSeconds(10));
            if (done(answer)) return answer;
            if (deadline.Elapsed > Propagation)
                throw new TimeoutException($"{client.Endpoint}: {answer.Verdict?.ToString() ?? "not verified"} {answer.Failure ?? answer.Evidence.Reason}");
            await Task.Delay(100);
        }
    }

    /// <summary>The verified verdict <paramref name="expected"/> (final when it rests on the ledger), its reason containing <paramref name="reason"/>.</summary>
    private static async Task<VerifiedSeal> ExpectAsync(HurenClient client, SealEvidenceVerifier verifier, byte[] document, byte[] signature, SealVerdict expected, string reason)
    {
        var answer = await VerdictAsync(client, SealQuestion.ForDocument(document, signature), verifier,
            a => a.IsVerified && a.Verdict == expected && (!a.Evidence.FromLedger || a.IsFinal));
        Assert.Equal(SealVerdictRules.ToCode(expected), answer.Response.Verdict);
        Assert.Contains(reason, answer.Evidence.Reason, StringComparison.Ordinal);
        return answer;
    }

    /// <summary>The answer's bundle alone (no node) gives the same verdict, on final checkpoints.</summary>
    private static void AssertOffline(SealEvidenceVerifier verifier, VerifiedSeal answer, byte[] document, byte[] signature, SealVerdict expected)
    {
        var offline = verifier.Verify(answer.Response.EvidenceBundle, signature, Digests.Sm3(document), DateTimeOffset.UtcNow);
        Assert.True(offline.IsValid, offline.Failure);
        Assert.True(offline.FromLedger);
        Assert.True(offline.Final);
        Assert.Equal(expected, offline.Verdict);
    }

    private static void AssertRefused(SealEvidenceResult result, string reason)
    {
        Assert.False(result.IsValid);
        Assert.Contains(reason, result.Failure, StringComparison.Ordinal);
    }

    private static async Task RefusedAsync(StatusCode code, string reason, Func<Task> write)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(write);
        Assert.Equal(code, ex.StatusCode);
        Assert.Contains(reason, ex.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>The DER with its last byte (inside the signature value) flipped: still well-formed, no longer the signer's.</summary>
    private static byte[] Tampered(byte[] der)
    {
        var copy = (byte[])der.Clone();
        copy[^1] ^= 0x01;
        return copy;
    }

    private static string FlipLeaf(string json)
    {
        var node = JsonNode.Parse(json)!;
        var entry = node["entries"]![0]!;
        var leaf = Convert.FromBase64String(entry["leaf"]!.GetValue<string>());
        leaf[^1] ^= 0x01;
        entry["leaf"] = Convert.ToBase64String(leaf);
        return node.ToJsonString();
    }

    /// <summary>Every signature line of every checkpoint with one byte of its signature flipped.</summary>
    private static string FlipSignatureLines(string json)
    {
        var node = JsonNode.Parse(json)!;
        var checkpoints = node["checkpoints"]!.AsObject();
        foreach (var origin in checkpoints.Select(p => p.Key).ToList())
        {
            var lines = checkpoints[origin]!.GetValue<string>().Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("\u2014 ", StringComparison.Ordinal)) continue;
                var parts = lines[i].Split(' ');
                var signature = Convert.FromBase64String(parts[^1]);
                signature[^1] ^= 0x01;
                parts[^1] = Convert.ToBase64String(signature);
                lines[i] = string.Join(' ', parts);
            }
            checkpoints[origin] = string.Join('\n', lines);
        }
        return node.ToJsonString();
    }

    private static string Without(string json, string kind)
    {
        var bundle = EvidenceBundle.Parse(json);
        Assert.Equal(1, bundle.Entries.RemoveAll(e => LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == kind));
        return bundle.ToJson();
    }

    private static string Restated(string json, string status)
    {
        var bundle = EvidenceBundle.Parse(json);
        bundle.Verdict.Status = status;
        return bundle.ToJson();
    }
}
