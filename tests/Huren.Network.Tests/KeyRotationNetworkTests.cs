using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Notes;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Key rotation over three node processes: Changsha's log and SM2 keys are rotated with <c>huren network propose | sign |
/// apply</c> (the old keys retired a few seconds later); Changsha signs with the staged new keys from then on, the
/// other members' mirrors and witnesses follow without a restart; a bundle made before still verifies offline with the
/// configuration chain the CLI pulled from a node; a checkpoint signed with the retired key after its end is refused
/// offline and by a witness.
/// </summary>
public sealed class KeyRotationNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private const string BusinessLicense = "11100000HUREN0001P001";

    [Fact]
    public async Task Rotating_Changshas_log_and_SM2_keys_keeps_old_evidence_and_refuses_the_retired_key_after_its_end()
    {
        var profile = Path.Combine(Dir, "cli.json");
        var genesis = Path.Combine(Dir, "genesis.json");
        var origin = OriginOf(Changsha);
        async Task<string> Must(params string[] args)
        {
            var (code, text, error) = await CliAsync([.. args, "--profile", profile]);
            Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{text}");
            return text;
        }
        async Task<string> Issue(string serial) => JsonDocument.Parse(await Must("license", "issue", "--city", Changsha, "--type", "营业执照", "--serial", serial,
            "--holder-name", "长沙轮换密钥有限公司", "--holder-code", Uscc("91430100HUREN0301"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区",
            "--field", "成立日期=2024-03-01", "--field", "经营范围=软件开发", "--json")).RootElement.GetProperty("recordId").GetString()!;

        // Before the rotation: a license and its bundle, final under the genesis keys.
        await Must("issuer", "register", "--city", Changsha, "--id", "430100-amr", "--name", "市场监督管理局",
            "--authority-code", Uscc("11430100HUREN0101"), "--license-types", BusinessLicense);
        var before = await Issue("880001");
        await WaitForVerdictAsync(profile, before, "VALID");
        var oldBundle = Path.Combine(Dir, "before-rotation.json");
        await Must("bundle", "export", before, "--city", Zhuzhou, "-o", oldBundle);

        // New keys staged in Changsha's node folder; version 2 retires the old ones 15 s from now.
        var staged = Path.Combine(Dir, Changsha, "keys", "staged");
        await CliAsync("keys", "gen", "--alg", "ed25519", "--out", Path.Combine(staged, "log-ed25519.pem"));
        await CliAsync("keys", "gen", "--alg", "sm2", "--out", Path.Combine(staged, "log-sm2.pem"));
        Assert.True(File.Exists(Path.Combine(staged, "log-sm2.pub.pem")));
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(15).ToUnixTimeSeconds());
        var proposal = Path.Combine(Dir, "v2.json");
        await Must("network", "propose", "--city", Changsha, "--out", proposal, "--member", Changsha,
            "--log-key", Path.Combine(staged, "log-ed25519.pub.pem"), "--sm2-key", Path.Combine(staged, "log-sm2.pub.pem"),
            "--not-after", end.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

        // One signature is not a majority: refused here, before the node is asked.
        await Must("network", "sign", proposal, "--city", Changsha);
        var (fewCode, _, fewError) = await CliAsync("network", "apply", proposal, "--city", Changsha, "--profile", profile);
        Assert.Equal(2, fewCode);
        Assert.Contains("signed by 1 of 3 members of version 1; a majority (2) is required", fewError, StringComparison.Ordinal);
        await Must("network", "sign", proposal, "--city", Xiangtan);
        Assert.Contains("version 2 is in force at 430100", await Must("network", "apply", proposal, "--city", Changsha), StringComparison.Ordinal);
        await WaitForConfigVersionAsync(2);

        // Changsha signs with the staged keys from its next checkpoint; Zhuzhou's mirror and the witnesses follow.
        var after = await Issue("880002");
        await WaitForVerdictAsync(profile, after, "VALID");
        var newLog = SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(staged, "log-ed25519.pem")));
        using (var auditor = Client(Changsha, CliRoles.Auditor))
        {
            var note = SignedNote.Parse((await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Note);
            Assert.Equal(NoteVerifierKey.ForEd25519(origin, newLog.PublicKey).KeyId, note.Signatures[0].KeyId);
        }
        // The online verification pulled version 2 from the node, beside the genesis.
        Assert.True(File.Exists(Path.Combine(Dir, "network-versions", "v2.json")));
        var newBundle = Path.Combine(Dir, "after-rotation.json");
        await Must("bundle", "export", after, "--city", Zhuzhou, "-o", newBundle);
        Assert.Equal(2, JsonNode.Parse(await File.ReadAllTextAsync(newBundle))!["configVersion"]!.GetValue<int>());

        // Offline, with the chain: the old bundle (old keys, cosigned before their end) and the new one both verify.
        foreach (var bundle in new[] { oldBundle, newBundle })
        {
            var (code, text, error) = await CliAsync("license", "verify", "--bundle", bundle, "--network", genesis);
            Assert.True(code == 0, $"{bundle}: {text}{error}");
            Assert.StartsWith("VALID", text, StringComparison.Ordinal);
        }
        // Without the chain (the genesis alone) the new bundle names the version it needs.
        var bare = Path.Combine(Dir, "genesis-only");
        Directory.CreateDirectory(bare);
        File.Copy(genesis, Path.Combine(bare, "genesis.json"));
        var (bareCode, bareText, _) = await CliAsync("license", "verify", "--bundle", newBundle, "--network", Path.Combine(bare, "genesis.json"));
        Assert.Equal(1, bareCode);
        Assert.Contains("the bundle was made under network configuration version 2; this verifier has version 1", bareText, StringComparison.Ordinal);

        // After the end: a checkpoint signed with the retired keys is refused by a witness ...
        while (DateTimeOffset.UtcNow <= end.AddSeconds(1))
        {
            Assert.True(DateTimeOffset.UtcNow < end.AddSeconds(60), "the clock did not pass the end");
            await Task.Delay(200);
        }
        var changshaDir = Path.Combine(Dir, Changsha);
        var oldSigner = new CheckpointSigner(origin, SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(changshaDir, "keys", "log-ed25519.pem"))),
            SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(changshaDir, "keys", "log-sm2.pem"))));
        CheckpointResponse latest;
        using (var auditor = Client(Changsha, CliRoles.Auditor)) latest = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options());
        var late = oldSigner.Sign(Checkpoint.Parse(SignedNote.Parse(latest.Note).Text, origin));
        var peerKey = SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(changshaDir, "keys", "witness-ed25519.pem")));
        using var changshaCertificate = PinnedTls.LoadCertificate(Path.Combine(changshaDir, "keys", "tls.crt.pem"), Path.Combine(changshaDir, "keys", "tls.key.pem"));
        using (var asChangsha = new HurenClient(new Uri(Profile.City(Zhuzhou).Endpoint), new ClientIdentity($"node-{Changsha}", peerKey, Zhuzhou), null, PinnedTls.CreateHandler(Trusted, changshaCertificate)))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await asChangsha.Witness.AddCheckpointAsync(
                new AddCheckpointRequest { OldSize = latest.Size, Note = late.ToString() }, asChangsha.Options()));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
            Assert.Contains("retired at", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("after the key's end", refused.Status.Detail, StringComparison.Ordinal);
        }

        // ... and offline: the old bundle's checkpoint re-signed with the retired keys and cosigned now.
        var xiangtanWitness = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(OriginOf(Xiangtan)),
            SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(Dir, Xiangtan, "keys", "witness-ed25519.pem"))));
        var forged = JsonNode.Parse(await File.ReadAllTextAsync(oldBundle))!;
        var oldNote = SignedNote.Parse(forged["checkpoints"]![origin]!.GetValue<string>());
        forged["checkpoints"]![origin] = CosignatureSigner.Cosign(oldSigner.Sign(Checkpoint.Parse(oldNote.Text, origin)), xiangtanWitness, DateTimeOffset.UtcNow).ToString();
        var forgedPath = Path.Combine(Dir, "late.json");
        await File.WriteAllTextAsync(forgedPath, forged.ToJsonString());
        var (lateCode, lateText, _) = await CliAsync("license", "verify", "--bundle", forgedPath, "--network", genesis);
        Assert.Equal(1, lateCode);
        Assert.Contains($"checkpoint of {origin}: checkpoint is signed with log key {origin}+", lateText, StringComparison.Ordinal);
        Assert.Contains("after the key's end", lateText, StringComparison.Ordinal);
    }
}
