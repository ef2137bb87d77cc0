using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Grpc.Core;
using Huren.Anchoring.Timestamps;
using Huren.Cli;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Timestamps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Three node processes time-stamping their final checkpoints with a local RFC 3161 TSA (Huren's, served in the test
/// process): the tokens the nodes keep are accepted by <c>openssl ts -verify</c> and by <c>huren timestamp verify</c>;
/// with the TSA down writes go on and the failure shows in the status; when it is back, stamping resumes; a bundle of the
/// stamped checkpoint carries the token, which verifies offline, and a tampered one is refused.
/// </summary>
public sealed class TimestampingNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private readonly int _tsaPort = FreePort();
    private WebApplication? _tsa;
    private TimestampAuthority _authority = null!;
    private string RootFile => Path.Combine(Dir, "tsa-root.pem");

    protected override async Task BeforeStartAsync()
    {
        var made = TimestampAuthority.CreateLocalCertificates("Huren test TSA", TimeSpan.FromDays(30));
        await File.WriteAllTextAsync(RootFile, made.RootCertificatePem);
        _authority = made.CreateAuthority();
        await StartTsaAsync();
        foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan })
        {
            var settingsFile = Path.Combine(Dir, city, "appsettings.json");
            var settings = JsonNode.Parse(File.ReadAllText(settingsFile))!;
            settings["Huren"]!["Timestamping"] = new JsonObject
            {
                ["Url"] = $"http://127.0.0.1:{_tsaPort}/tsa",
                ["TrustedRootsFile"] = RootFile,
                ["Timeout"] = "00:00:01",
                ["Attempts"] = 1,
                ["Interval"] = "00:00:00.500",
                ["MaxRetryDelay"] = "00:00:01",
            };
            File.WriteAllText(settingsFile, settings.ToJsonString());
        }
    }

    private async Task StartTsaAsync()
    {
        // Content root: the network folder, so that no appsettings.json beside the test binaries (the node's) is read.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Dir });
        builder.WebHost.UseUrls($"http://127.0.0.1:{_tsaPort}");
        _tsa = builder.Build();
        _tsa.MapTimestampAuthority("/tsa", _authority);
        await _tsa.StartAsync();
    }

    private async Task StopTsaAsync()
    {
        if (_tsa is null) return;
        await _tsa.StopAsync();
        await _tsa.DisposeAsync();
        _tsa = null;
    }

    protected override async ValueTask AfterStopAsync() => await StopTsaAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private byte[] LicenseLeaf(string serial)
    {
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
        return EntrySigner.SignToLeaf(MakeEntry(Changsha, EntryKinds.LicenseIssue, body.LicenseId, $"{Changsha}-amr", body), IssuerKey(Changsha));
    }

    private async Task<ulong> OwnSizeAsync()
    {
        using var auditor = Client(Changsha, CliRoles.Auditor);
        return (await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size;
    }

    private async Task<CheckpointTimestampResponse> WaitForTimestampAsync(ulong atLeast, TimeSpan timeout)
    {
        using var auditor = Client(Changsha, CliRoles.Auditor);
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var stamp = await auditor.Anchoring.GetTimestampAsync(new CheckpointTimestampRequest(), auditor.Options());
                if (stamp.Size >= atLeast) return stamp;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // none kept yet
            }
            if (sw.Elapsed > timeout) throw new TimeoutException($"no time-stamp of size ≥ {atLeast} within {timeout}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Tokens_of_final_checkpoints_verify_with_openssl_and_a_TSA_that_is_down_stalls_nothing()
    {
        await RegisterIssuerAsync(Changsha, LedgerBodies.Issuer($"{Changsha}-amr", LedgerBodies.ChangshaAmrCode, IssuerKey(Changsha).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: true, region: Changsha));
        var stamp = await WaitForTimestampAsync(await OwnSizeAsync(), TimeSpan.FromSeconds(60));
        Assert.Equal(OriginOf(Changsha), stamp.Origin);
        // The stamped note is a final checkpoint of the log, and the token is over its SHA-256.
        Assert.True(Genesis.IsFinal(stamp.Origin, Huren.Sdk.Notes.SignedNote.Parse(stamp.Note)));

        // OpenSSL, not Huren, accepts the token over the note's bytes, chained to the TSA root.
        var tokenFile = Path.Combine(Dir, "token.der");
        var noteFile = Path.Combine(Dir, "note.txt");
        await File.WriteAllBytesAsync(tokenFile, stamp.Token);
        await File.WriteAllTextAsync(noteFile, stamp.Note);
        var (code, text) = Huren.Anchoring.Tests.ProcessRunner.Run("openssl", Dir, TimeSpan.FromSeconds(30), "ts", "-verify", "-token_in", "-in", tokenFile, "-data", noteFile, "-CAfile", RootFile);
        Assert.True(code == 0, text);
        Assert.Contains("Verification: OK", text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(noteFile, stamp.Note + " ");
        (code, _) = Huren.Anchoring.Tests.ProcessRunner.Run("openssl", Dir, TimeSpan.FromSeconds(30), "ts", "-verify", "-token_in", "-in", tokenFile, "-data", noteFile, "-CAfile", RootFile);
        Assert.NotEqual(0, code);

        // The CLI: timestamp get, then verify offline (exit 0), and a changed note (exit 1).
        var profile = Path.Combine(Dir, "cli.json");
        using (var cliOut = new StringWriter())
        using (var cliErr = new StringWriter())
        {
            Assert.Equal(0, await CliApp.RunAsync(["timestamp", "get", "--profile", profile, "--city", Changsha, "--token", tokenFile, "--note", noteFile], cliOut, cliErr));
            Assert.Equal(0, await CliApp.RunAsync(["timestamp", "verify", "--token", tokenFile, "--note", noteFile, "--roots", RootFile], cliOut, cliErr));
            await File.AppendAllTextAsync(noteFile, "x");
            Assert.Equal(1, await CliApp.RunAsync(["timestamp", "verify", "--token", tokenFile, "--note", noteFile, "--roots", RootFile], cliOut, cliErr));
            Output.WriteLine(cliOut.ToString() + cliErr);
        }

        // The TSA down: writes go on, the failure shows in the status.
        await StopTsaAsync();
        using var amr = Client(Changsha, CliRoles.Issuer);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 30; i++) await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = LicenseLeaf($"TSA{i:D4}") }, amr.Options());
        Output.WriteLine($"30 submits with the TSA down: {sw.ElapsedMilliseconds} ms");
        var sizeWhileDown = await OwnSizeAsync();
        using var auditor = Client(Changsha, CliRoles.Auditor);
        var waited = Stopwatch.StartNew();
        AnchorStatusResponse status;
        do
        {
            status = await auditor.Anchoring.GetAnchorStatusAsync(new AnchorStatusRequest(), auditor.Options());
            if (status.TimestampError.Length > 0) break;
            await Task.Delay(200);
        }
        while (waited.Elapsed < TimeSpan.FromSeconds(30));
        Assert.True(status.Timestamping);
        Assert.NotEmpty(status.TimestampError);
        Assert.True(status.LatestTimestamp!.Size < sizeWhileDown);

        // Back: the newest final checkpoint gets its token.
        await StartTsaAsync();
        var after = await WaitForTimestampAsync(sizeWhileDown, TimeSpan.FromSeconds(60));
        var verifier = new TimestampVerifier(new TimestampTrust { Roots = TimestampTrust.CertificatesFromPem(await File.ReadAllTextAsync(RootFile)) });
        Assert.True(verifier.Verify(after.Token, System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(after.Note))).IsValid);

        // Bundles: the log is quiet now, so its latest checkpoint is the stamped one, and a license's bundle carries the
        // token; it verifies offline against the TSA root (SDK and 'huren timestamp verify --bundle'); tampered, refused.
        var licenseId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "TSA0000").LicenseId;
        using var counter = Client(Changsha, CliRoles.Counter);
        var verdict = await counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = licenseId }, counter.Options());
        var bundle = EvidenceBundle.Parse(verdict.EvidenceBundle);
        Assert.Equal(after.Size, bundle.Verdict.AsOf.Size);
        var carried = Assert.Single(bundle.Timestamps ?? []);
        Assert.Equal((OriginOf(Changsha), after.Size, after.Note), (carried.Origin, carried.Size, carried.Note));
        var bundleVerifier = new BundleTimestampVerifier(new TimestampTrust { Roots = TimestampTrust.CertificatesFromPem(await File.ReadAllTextAsync(RootFile)) });
        var checkedStamp = Assert.Single(bundleVerifier.Verify(bundle));
        Assert.True(checkedStamp.IsValid, checkedStamp.Failure);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(after.GenTimeUnixMs), checkedStamp.GenTime!.Value, TimeSpan.FromSeconds(1));

        var tampered = EvidenceBundle.Parse(bundle.ToJson());
        tampered.Timestamps![0].Token[^1] ^= 0x01;
        var refused = Assert.Single(bundleVerifier.Verify(tampered));
        Assert.False(refused.IsValid);
        Assert.Contains("does not check", refused.Failure, StringComparison.Ordinal);

        var bundleFile = Path.Combine(Dir, "ts-bundle.json");
        var tamperedFile = Path.Combine(Dir, "ts-bundle-tampered.json");
        await File.WriteAllTextAsync(bundleFile, bundle.ToJson());
        await File.WriteAllTextAsync(tamperedFile, tampered.ToJson());
        using (var cliOut = new StringWriter())
        using (var cliErr = new StringWriter())
        {
            Assert.True(await CliApp.RunAsync(["timestamp", "verify", "--bundle", bundleFile, "--roots", RootFile], cliOut, cliErr) == 0, cliOut.ToString() + cliErr);
            Assert.Contains($"valid: {OriginOf(Changsha)} @ {after.Size} stamped at", cliOut.ToString(), StringComparison.Ordinal);
            Assert.True(await CliApp.RunAsync(["timestamp", "verify", "--bundle", tamperedFile, "--roots", RootFile], cliOut, cliErr) == 1, cliOut.ToString() + cliErr);
            Assert.Contains("NOT VALID: the time-stamp of", cliOut.ToString(), StringComparison.Ordinal);
            Output.WriteLine(cliOut.ToString() + cliErr);
        }
    }
}
