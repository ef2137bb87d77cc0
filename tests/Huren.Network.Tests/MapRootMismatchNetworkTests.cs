using System.Diagnostics;
using System.Text.Json.Nodes;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Services;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// A node altered by the test hook <c>Huren:TestHooks:WrongMapRoot</c> (Changsha's) signs its checkpoints with a
/// status-map root its entries do not give: the other cities' mirrors recompute the map, refuse to cosign, and record
/// it like a fork (equivocation evidence, Changsha quarantined); no checkpoint of Changsha's non-empty log is cosigned.
/// </summary>
public sealed class MapRootMismatchNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    protected override void Configure(string city, string cityDir)
    {
        if (city != Changsha) return;
        var path = Path.Combine(cityDir, "appsettings.json");
        var settings = JsonNode.Parse(File.ReadAllText(path))!;
        settings["Huren"]!["TestHooks"] = new JsonObject { ["WrongMapRoot"] = true };
        File.WriteAllText(path, settings.ToJsonString());
    }

    [Fact]
    public async Task A_map_root_the_mirrors_cannot_reproduce_is_refused_and_recorded_like_a_fork()
    {
        await RegisterIssuerAsync(Changsha, LedgerBodies.Issuer($"{Changsha}-amr", LedgerBodies.ChangshaAmrCode, IssuerKey(Changsha).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false, region: Changsha));
        var changshaOrigin = OriginOf(Changsha);

        // Each other city's witness records the wrong root as misbehaviour of Changsha, with the two roots named.
        foreach (var witnessCity in new[] { Zhuzhou, Xiangtan })
        {
            using var auditor = Client(witnessCity, CliRoles.Auditor);
            var deadline = Stopwatch.StartNew();
            EquivocationsResponse seen;
            while ((seen = await auditor.Witness.ListEquivocationsAsync(new EquivocationsRequest(), auditor.Options())).Equivocations.Count == 0)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail($"{witnessCity} recorded no misbehaviour of {changshaOrigin} within 30 s");
                await Task.Delay(100);
            }
            var record = Assert.Single(seen.Equivocations);
            Assert.Equal(changshaOrigin, record.Origin);
            Assert.Contains("status map", record.Reason, StringComparison.Ordinal);
            // The evidence kept is Changsha's signed note with the root it claimed.
            var claimed = Checkpoint.FromNote(SignedNote.Parse(record.ConflictingNote), changshaOrigin);
            Assert.True(StatusMapLine.TryFind(claimed, out var claimedRoot, out var lineError), lineError);
            Assert.Contains(claimedRoot.ToString(), record.Reason, StringComparison.Ordinal);
            // Its operator's metrics show the stopped mirror, and the other mirror running.
            var stopping = Stopwatch.StartNew();
            while (await MetricAsync(witnessCity, "huren_mirror_stopped", changshaOrigin) != 1)
            {
                if (stopping.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail($"{witnessCity}'s metrics do not show its mirror of {changshaOrigin} stopped within 30 s");
                await Task.Delay(100);
            }
            Assert.Equal(0, await MetricAsync(witnessCity, "huren_mirror_stopped", OriginOf(witnessCity == Zhuzhou ? Xiangtan : Zhuzhou)));
        }

        // Changsha's checkpoint of its non-empty log carries no other city's cosignature: never final.
        using var changshaAuditor = Client(Changsha, CliRoles.Auditor);
        var latest = await changshaAuditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), changshaAuditor.Options());
        Assert.True(latest.Size > 0);
        var names = SignedNote.Parse(latest.Note).Signatures.Select(s => s.Name).ToList();
        Assert.DoesNotContain(CosignatureSigner.WitnessNameFor(OriginOf(Zhuzhou)), names);
        Assert.DoesNotContain(CosignatureSigner.WitnessNameFor(OriginOf(Xiangtan)), names);
    }
}
