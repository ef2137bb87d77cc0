using System.Globalization;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Rotating Changsha's city root key (市级根密钥) through a configuration version, on three node processes: the node
/// writes its own log under the keys the version in force gives, without a restart (its Huren:Keys:RootPublicKey still
/// names the old key). Before the version the new key registers nothing; once it is in force the new key registers an
/// issuer and Zhuzhou's mirror takes the entry; the retired key still signs entries dated now until its end, and after
/// its end nothing. What the key-set unit tests cover, here through the node's own wiring (NodeApp).
/// </summary>
public sealed class RootKeyRotationNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    [Fact]
    public async Task A_rotated_city_root_key_registers_issuers_once_its_version_is_in_force_and_the_retired_one_stops_at_its_end()
    {
        var profile = Path.Combine(Dir, "cli.json");
        async Task<string> Must(params string[] args)
        {
            var (code, text, error) = await CliAsync([.. args, "--profile", profile]);
            Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{text}");
            return text;
        }
        var oldRoot = RootKey(Changsha);
        var newRoot = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var newRootPublic = Path.Combine(Dir, "new-root.pub.pem");
        await File.WriteAllTextAsync(newRootPublic, newRoot.PublicKey.ToPem());
        using var op = Client(Changsha, CliRoles.Operator);
        Entry Registration(string issuerId) => MakeEntry(Changsha, EntryKinds.IssuerRegister, issuerId, $"{Changsha}-root",
            LedgerBodies.Issuer(issuerId, LedgerBodies.ChangshaAmrCode, SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256).PublicKey,
                [LedgerBodies.BusinessLicenseType], [], mayShare: false, region: Changsha));
        async Task<RpcException> Refused(string issuerId, SigningKey root)
            => await Assert.ThrowsAsync<RpcException>(async () => await op.SubmitAsync(Registration(issuerId), root));

        // Version 1: the old root registers, the new key is nobody.
        await op.SubmitAsync(Registration("430100-before"), oldRoot);
        var early = await Refused("430100-early", newRoot);
        Assert.Equal(StatusCode.PermissionDenied, early.StatusCode);

        // Version 2 rotates the root key; the old one is retired 20 s from now. A majority signs, Changsha applies.
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(20).ToUnixTimeSeconds());
        var proposal = Path.Combine(Dir, "v2.json");
        await Must("network", "propose", "--city", Changsha, "--out", proposal, "--member", Changsha, "--root-key", newRootPublic,
            "--not-after", end.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        await Must("network", "sign", proposal, "--city", Changsha);
        await Must("network", "sign", proposal, "--city", Xiangtan);
        await Must("network", "apply", proposal, "--city", Changsha);
        await WaitForConfigVersionAsync(2);

        // The node took the version's keys without a restart: the new root registers, and so does the retired one,
        // dated now, before its end.
        var byNew = await op.SubmitAsync(Registration("430100-after"), newRoot);
        var byRetired = await op.SubmitAsync(Registration("430100-retiring"), oldRoot);
        Assert.True(byRetired.Index > byNew.Index);

        // Zhuzhou's mirror of Changsha's log takes both under version 2.
        using var zhuzhou = Client(Zhuzhou, CliRoles.Auditor);
        await WaitAsync(async () =>
        {
            try
            {
                var entry = await zhuzhou.Ledger.GetEntryAsync(new Huren.Schemas.Services.GetEntryRequest { Origin = OriginOf(Changsha), Index = byRetired.Index }, zhuzhou.Options());
                return entry.Leaf.Length > 0 ? entry : null;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.OutOfRange or StatusCode.InvalidArgument)
            {
                return null;
            }
        }, "Zhuzhou's copy of Changsha's log holding both registrations", TimeSpan.FromSeconds(60));

        // After its end the retired key registers nothing, whatever the entry's date says.
        while (DateTimeOffset.UtcNow <= end.AddSeconds(1))
        {
            Assert.True(DateTimeOffset.UtcNow < end.AddSeconds(60), "the clock did not pass the end");
            await Task.Delay(200);
        }
        var late = await Refused("430100-late", oldRoot);
        Assert.Equal(StatusCode.PermissionDenied, late.StatusCode);
        await op.SubmitAsync(Registration("430100-later"), newRoot);
    }
}
