using System.Text.Json;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using static Huren.Cli.Tests.Exchange.ExchangeNetwork;

namespace Huren.Cli.Tests.Exchange;

/// <summary>
/// Exchange evidence (issue 11 item 6) from three node processes: 'huren bundle export --share' saves the share and its
/// receipt with proofs to final checkpoints; 'huren bundle verify' accepts it offline and refuses each tampered variant
/// with its reason.
/// </summary>
[Collection(ExchangeNetworkCollection.Name)]
public sealed class ExchangeEvidenceTests(ExchangeNetwork net)
{
    /// <summary>Zhuzhou's market regulator asks Changsha for 住所 of the record, under a new share id.</summary>
    private static ShareRequest NewRequest() => new()
    {
        ShareId = $"{Zhuzhou}-ev-{Guid.NewGuid():N}"[..30],
        ConsumerIssuerId = $"{Zhuzhou}-amr", ConsumerCode = Code(Zhuzhou), ConsumerName = "市场监督管理局", ConsumerOrigin = Origin(Zhuzhou),
        ProviderOrigin = Origin(Changsha), ResourceCode = "R-OPEN", RecordId = TheRecord,
        Fields = ["住所"], Purpose = Purpose, MatterCode = "430200-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
    };

    private async Task<string> ExchangeAsync()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        var asked = NewRequest();
        var shared = await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key);
        Assert.Equal(ExchangeStatus.Shared, shared.Status);
        await zhuzhou.Client.RecordReceiptAsync(shared, $"{Zhuzhou}-amr", zhuzhou.Key);
        return asked.ShareId;
    }

    private async Task<string> ExportAsync(string shareId)
    {
        var path = Path.Combine(net.Dir, $"{shareId}.json");
        // Asked of Zhuzhou's node, which keeps its own log and a copy of Changsha's (Xiangtan's node is stopped by another test of the collection).
        var (code, output, error) = await net.RunAsync("bundle", "export", "--share", shareId, "-o", path, "--city", Zhuzhou);
        Assert.True(code == 0, error + output);
        Assert.Contains("final", output);
        return path;
    }

    private string Genesis => Path.Combine(net.Dir, "genesis.json");

    private async Task<(int Code, string Output)> VerifyAsync(EvidenceBundle bundle, string name)
    {
        var path = Path.Combine(net.Dir, $"tampered-{name}.json");
        await File.WriteAllTextAsync(path, bundle.ToJson());
        var (code, output, error) = await CliRunner.RunAsync("bundle", "verify", path, "--network", Genesis);
        return (code, output + error);
    }

    /// <summary>
    /// Found by the flows review: share ids are unique only within a log, so once another log held a share of the same
    /// id (here Zhuzhou re-sharing under the id it chose), the exchange could no longer be exported. --provider names
    /// the log.
    /// </summary>
    [Fact]
    public async Task A_share_id_used_in_two_logs_is_exported_by_naming_its_provider()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        var asked = NewRequest();
        var shared = await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key);
        var receipt = await zhuzhou.Client.RecordReceiptAsync(shared, $"{Zhuzhou}-amr", zhuzhou.Key);
        var (_, original) = Huren.Sdk.Client.HurenClient.ReadShare(shared);
        var salt = new byte[32];
        List<SharePart> parts = [new SharePart { Name = SharePayload.FieldsPart, Length = 3, Sha256 = Huren.Sdk.Crypto.Digests.Sha256("{ }"u8.ToArray()) }];
        await zhuzhou.Client.RecordReshareAsync(receipt, new Huren.Schemas.Bodies.DataShared
        {
            ShareId = asked.ShareId, ProviderCode = Code(Zhuzhou), ProviderName = "株洲市市场监督管理局", ConsumerCode = Code(Xiangtan), ConsumerName = "湘潭市市场监督管理局",
            ConsumerOrigin = Origin(Xiangtan), ResourceId = original.ResourceId, RecordId = original.RecordId, Fields = ["住所"],
            PayloadDigest = SharePayload.Digest(salt, parts), DigestAlgorithm = original.DigestAlgorithm, Purpose = original.Purpose, MatterCode = original.MatterCode,
            LegalBasis = original.LegalBasis, SharingType = original.SharingType, ExpiresOn = original.ExpiresOn, RecordCount = 1,
        }, $"{Zhuzhou}-amr", zhuzhou.Key);

        var path = Path.Combine(net.Dir, $"{asked.ShareId}.json");
        var (code, output, error) = await net.RunAsync("bundle", "export", "--share", asked.ShareId, "-o", path, "--city", Zhuzhou);
        Assert.Equal(2, code);
        Assert.Contains($"names share entries in {Origin(Changsha)}, {Origin(Zhuzhou)}", error + output);
        (code, output, error) = await net.RunAsync("bundle", "export", "--share", asked.ShareId, "--provider", Changsha, "-o", path, "--city", Zhuzhou);
        Assert.True(code == 0, error + output);
        (code, output, error) = await CliRunner.RunAsync("bundle", "verify", path, "--network", Genesis);
        Assert.True(code == 0, error + output);
        Assert.Contains($"shared by {Code(Changsha)}", output);
    }

    [Fact]
    public async Task An_exported_exchange_bundle_verifies_offline_and_every_tampered_variant_is_refused_with_its_reason()
    {
        var shareId = await ExchangeAsync();
        var other = await ExchangeAsync();
        var path = await ExportAsync(shareId);
        var otherPath = await ExportAsync(other);

        var (code, output, error) = await CliRunner.RunAsync("bundle", "verify", path, "--network", Genesis);
        Assert.True(code == 0, output + error);
        Assert.Contains($"VALID exchange evidence", output);
        Assert.Contains($"{Origin(Changsha)}#", output);
        Assert.Contains($"received in {Origin(Zhuzhou)}#", output);
        var (jsonCode, json, _) = await CliRunner.RunAsync("bundle", "verify", path, "--network", Genesis, "--json");
        Assert.Equal(0, jsonCode);
        var answer = JsonDocument.Parse(json).RootElement;
        Assert.True(answer.GetProperty("valid").GetBoolean());
        Assert.Equal(TheRecord, answer.GetProperty("recordId").GetString());
        Assert.Equal(Purpose, answer.GetProperty("purpose").GetString());

        var original = await File.ReadAllTextAsync(path);
        var network = TrustedNetwork.Parse(await File.ReadAllBytesAsync(Genesis));
        var verifier = new ExchangeEvidenceVerifier(network);
        Assert.True(verifier.Verify(original).IsValid);
        EvidenceBundle Fresh() => EvidenceBundle.Parse(original);
        BundleEntry Of(EvidenceBundle b, string kind) => b.Entries.Single(e => Huren.Sdk.Entries.LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == kind);

        var variants = new List<(string Name, EvidenceBundle Bundle, ExchangeEvidenceFailure Failure, string Reason)>();

        var flipped = Fresh();
        var leaf = Convert.FromBase64String(Of(flipped, "share").Leaf);
        leaf[leaf.Length / 2] ^= 0x01;
        Of(flipped, "share").Leaf = Convert.ToBase64String(leaf);
        variants.Add(("entry-bytes-flipped", flipped, ExchangeEvidenceFailure.Ledger, "inclusion proof does not verify"));

        var receiptFlipped = Fresh();
        leaf = Convert.FromBase64String(Of(receiptFlipped, "receipt").Leaf);
        leaf[^3] ^= 0x80;
        Of(receiptFlipped, "receipt").Leaf = Convert.ToBase64String(leaf);
        variants.Add(("receipt-signature-flipped", receiptFlipped, ExchangeEvidenceFailure.Ledger, "inclusion proof does not verify"));

        var proof = Fresh();
        var path0 = Of(proof, "receipt").InclusionProof;
        Assert.NotEmpty(path0);
        var hash = Convert.FromBase64String(path0[0]);
        hash[0] ^= 0x01;
        path0[0] = Convert.ToBase64String(hash);
        variants.Add(("proof-altered", proof, ExchangeEvidenceFailure.Ledger, "inclusion proof does not verify"));

        var noShare = Fresh();
        noShare.Entries.Remove(Of(noShare, "share"));
        variants.Add(("share-removed", noShare, ExchangeEvidenceFailure.NoShare, "no share entry"));

        var noReceipt = Fresh();
        noReceipt.Entries.Remove(Of(noReceipt, "receipt"));
        variants.Add(("receipt-removed", noReceipt, ExchangeEvidenceFailure.NoReceipt, "no receipt entry"));

        // The receipt of another share (authentic, with its proof and checkpoint) in place of this share's receipt.
        var swapped = Fresh();
        var otherBundle = EvidenceBundle.Parse(await File.ReadAllTextAsync(otherPath));
        swapped.Entries.Remove(Of(swapped, "receipt"));
        swapped.Entries.Add(Of(otherBundle, "receipt"));
        swapped.Checkpoints[Origin(Zhuzhou)] = otherBundle.Checkpoints[Origin(Zhuzhou)];
        foreach (var e in swapped.Entries.Where(e => e.Origin == Origin(Zhuzhou)).ToList()) swapped.Entries.Remove(e);
        swapped.Entries.AddRange(otherBundle.Entries.Where(e => e.Origin == Origin(Zhuzhou)));
        variants.Add(("receipt-of-another-share", swapped, ExchangeEvidenceFailure.NoReceipt, $"no receipt entry of {shareId}"));

        // The other share's entry and receipt under this bundle's subject: the subject names neither.
        var relabelled = EvidenceBundle.Parse(await File.ReadAllTextAsync(otherPath));
        relabelled.Subject = shareId;
        variants.Add(("other-exchange-relabelled", relabelled, ExchangeEvidenceFailure.NoShare, $"no share entry of {shareId}"));

        // Cosignatures dropped: the log's own signatures still verify, but the checkpoint is not final.
        foreach (var origin in new[] { Origin(Changsha), Origin(Zhuzhou) })
        {
            var notFinal = Fresh();
            var note = SignedNote.Parse(notFinal.Checkpoints[origin]);
            var own = note.Signatures.Where(s => !network.WitnessesFor(origin).Any(w => w.Name == s.Name)).ToList();
            Assert.True(own.Count < note.Signatures.Count, "the exported checkpoint carries no witness cosignature");
            notFinal.Checkpoints[origin] = SignedNote.Create(note.Text, own).ToString();
            variants.Add(($"cosignatures-dropped-{origin[^6..]}", notFinal, ExchangeEvidenceFailure.NotFinal, $"the checkpoint of {origin}"));
        }

        // A cosignature line altered: the note no longer verifies.
        var badCosignature = Fresh();
        var text = badCosignature.Checkpoints[Origin(Changsha)];
        var lines = text.Split('\n');
        var last = Array.FindLastIndex(lines, l => l.StartsWith("— ", StringComparison.Ordinal));
        var parts = lines[last].Split(' ');
        var sig = Convert.FromBase64String(parts[^1]);
        sig[^1] ^= 0x01;
        parts[^1] = Convert.ToBase64String(sig);
        lines[last] = string.Join(' ', parts);
        badCosignature.Checkpoints[Origin(Changsha)] = string.Join('\n', lines);
        variants.Add(("cosignature-altered", badCosignature, ExchangeEvidenceFailure.Ledger, $"checkpoint of {Origin(Changsha)}"));

        // Signer swapped: the provider's registration replaced by another department's (authentic) registration.
        var signer = Fresh();
        var registration = signer.Entries.Single(e => e.Origin == Origin(Changsha) && Huren.Sdk.Entries.LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == "issuer.register");
        signer.Entries.Remove(registration);
        variants.Add(("signer-registration-removed", signer, ExchangeEvidenceFailure.Ledger, $"no registration of issuer '{Changsha}-amr'"));

        var wrongNetwork = Fresh();
        wrongNetwork.Network = "cz-x";
        variants.Add(("other-network", wrongNetwork, ExchangeEvidenceFailure.Ledger, "network"));

        var verdict = Fresh();
        verdict.Verdict.Status = "VALID";
        variants.Add(("verdict-changed", verdict, ExchangeEvidenceFailure.Verdict, "RECEIVED"));

        foreach (var (name, bundle, failure, reason) in variants)
        {
            var result = verifier.Verify(bundle.ToJson());
            Assert.False(result.IsValid, $"{name}: the tampered bundle verified");
            Assert.True(failure == result.Failure, $"{name}: refused as {result.Failure} ({result.Reason}), expected {failure}");
            Assert.Contains(reason, result.Reason);
            var (cliCode, cliOutput) = await VerifyAsync(bundle, name);
            Assert.True(cliCode == 1, $"{name}: exit {cliCode}: {cliOutput}");
            Assert.Contains("REFUSED", cliOutput);
            Assert.Contains(reason, cliOutput);
        }
    }
}
