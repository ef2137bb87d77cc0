using System.Globalization;
using System.Text.Json.Nodes;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Notes;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Membership at run time over node processes: a fourth city (岳阳 430600) is added with <c>huren network member</c> and
/// <c>network propose --add-member | sign | apply</c> while the three cities run; without restarting any of them its
/// checkpoints become cosigned by all three, they mirror its log, and their collectors ask its witness. Its endpoint and
/// TLS certificate are then changed (the city restarts on the new ones; the others do not) and followed, the old
/// certificate refused; finally it is removed and its calls are refused while its log stays with the others.
/// </summary>
public sealed class MembershipNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private const string Yueyang = "430600";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_city_added_at_run_time_is_witnessed_and_mirrored_its_new_endpoint_and_certificate_followed_and_its_calls_refused_once_removed()
    {
        var profile = Path.Combine(Dir, "cli.json");
        async Task<string> Run(params string[] args)
        {
            var (code, text, error) = await CliAsync(args);
            Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{text}");
            return text;
        }
        Task<string> Must(params string[] args) => Run([.. args, "--profile", profile]);

        // The fourth city's node folder: keys and certificates made by 'network init' in a spare folder (its first city),
        // settled as Yueyang on a port of its own.
        var ports = Huren.TestSupport.LoopbackPorts.FreeRange(2, offset: 3);
        var spare = Path.Combine(Dir, "spare");
        await Run("network", "init", "--dir", spare, "--base-port", ports.ToString(CultureInfo.InvariantCulture));
        var cityDir = Path.Combine(Dir, Yueyang);
        Directory.Move(Path.Combine(spare, Changsha), cityDir);
        var keys = Path.Combine(cityDir, "keys");
        var endpoint = $"https://127.0.0.1:{ports}";
        var v2 = Path.Combine(Dir, "v2.json");
        Settle(cityDir, endpoint, v2);
        var memberFile = Path.Combine(Dir, "yueyang-member.json");
        await Run("network", "member", "--dir", cityDir, "--city", Yueyang, "--network", "cz-t", "--name", "岳阳市", "--endpoint", endpoint, "--out", memberFile);

        // Version 2 adds it: signed by 2 of the 3 members, applied at Changsha, passed on to the others.
        await Must("network", "propose", "--city", Changsha, "--out", v2, "--add-member", memberFile);
        await Must("network", "sign", v2, "--city", Changsha);
        await Must("network", "sign", v2, "--city", Xiangtan);
        await Must("network", "apply", v2, "--city", Changsha);
        await WaitForConfigVersionAsync(2);

        var firstPin = PinOf(Path.Combine(keys, "tls.crt.pem"));
        var origin = OriginOf(Yueyang);
        var yueyang = new NodeProcess(cityDir, new Uri(endpoint), [.. Trusted, firstPin]);
        try
        {
            await yueyang.StartAsync();

            // Its first entry: its checkpoint is cosigned by the three (their witnesses take the new origin), and each of
            // them mirrors its log.
            using (var op = YueyangClient(endpoint, "operator", [firstPin]))
                await op.SubmitAsync(Issuer("430600-amr"), RootKeyOfYueyang(keys));
            await WaitCosignedAsync(endpoint, [firstPin], 1);
            foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan }) await WaitMirroredAsync(city, origin, 1);

            // The three collectors ask the new witness too: Changsha's next checkpoint carries Yueyang's cosignature.
            await Must("issuer", "register", "--city", Changsha, "--id", "430100-amr", "--name", "市场监督管理局",
                "--authority-code", Uscc("11430100HUREN0101"), "--license-types", "11100000HUREN0001P001");
            await UntilAsync(async () =>
            {
                using var auditor = Client(Changsha, CliRoles.Auditor);
                var note = SignedNote.Parse((await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Note);
                return note.Signatures.Any(s => s.Name == CosignatureSigner.WitnessNameFor(origin));
            }, "Changsha's checkpoint cosigned by Yueyang's witness");

            // Version 3 moves Yueyang to another port with another certificate. Only Yueyang restarts (Kestrel serves the
            // new certificate); the others follow the configuration.
            yueyang.Stop();
            var oldCertificate = Path.Combine(keys, "old-tls.crt.pem");
            var oldKey = Path.Combine(keys, "old-tls.key.pem");
            File.Move(Path.Combine(keys, "tls.crt.pem"), oldCertificate);
            File.Move(Path.Combine(keys, "tls.key.pem"), oldKey);
            File.Copy(Path.Combine(spare, Zhuzhou, "keys", "tls.crt.pem"), Path.Combine(keys, "tls.crt.pem"));
            File.Copy(Path.Combine(spare, Zhuzhou, "keys", "tls.key.pem"), Path.Combine(keys, "tls.key.pem"));
            var secondPin = PinOf(Path.Combine(keys, "tls.crt.pem"));
            var moved = $"https://127.0.0.1:{ports + 1}";
            var v3 = Path.Combine(Dir, "v3.json");
            Settle(cityDir, moved, v3);
            await Must("network", "propose", "--city", Changsha, "--out", v3, "--member", Yueyang, "--endpoint", moved, "--tls-certificate", Path.Combine(keys, "tls.crt.pem"));
            // A majority of version 2's four members: three.
            foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan }) await Must("network", "sign", v3, "--city", city);
            await Must("network", "apply", v3, "--city", Changsha);
            await WaitForConfigVersionAsync(3);
            yueyang.Dispose();
            yueyang = new NodeProcess(cityDir, new Uri(moved), [.. Trusted, secondPin]);
            await yueyang.StartAsync();

            using (var op = YueyangClient(moved, "operator", [secondPin]))
                await op.SubmitAsync(Issuer("430600-seals"), RootKeyOfYueyang(keys));
            // Cosigned at the new certificate (its calls to the witnesses are accepted) and mirrored from the new endpoint.
            await WaitCosignedAsync(moved, [secondPin], 2);
            foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan }) await WaitMirroredAsync(city, origin, 2);
            var witnessKey = SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(keys, "witness-ed25519.pem")));
            // With the new certificate a peer call reaches the witness (which refuses the junk note itself) ...
            Assert.Equal(StatusCode.InvalidArgument, (await PeerCallAsync(witnessKey, Path.Combine(keys, "tls.crt.pem"), Path.Combine(keys, "tls.key.pem"))).StatusCode);
            // ... with the old one the connection is refused before any service answers.
            AssertHandshakeRefused(await PeerCallAsync(witnessKey, oldCertificate, oldKey));

            // Version 4 removes Yueyang (three of four sign). Its calls are refused from then on; the others keep its log.
            var v4 = Path.Combine(Dir, "v4.json");
            await Must("network", "propose", "--city", Changsha, "--out", v4, "--remove-member", Yueyang);
            foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan }) await Must("network", "sign", v4, "--city", city);
            await Must("network", "apply", v4, "--city", Changsha);
            await WaitForConfigVersionAsync(4);
            AssertHandshakeRefused(await PeerCallAsync(witnessKey, Path.Combine(keys, "tls.crt.pem"), Path.Combine(keys, "tls.key.pem")));
            await UntilAsync(() => Task.FromResult(LogSays(Path.Combine(Dir, Zhuzhou, "node.log"), $"Mirror of {origin} stopped following at size 2")),
                "Zhuzhou's mirror of Yueyang stopped");
            using (var auditor = Client(Zhuzhou, CliRoles.Auditor))
            {
                var kept = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, auditor.Options());
                Assert.Equal(2UL, kept.Size);
            }
        }
        catch
        {
            Output.WriteLine($"--- {cityDir}\n{yueyang.Tail()}");
            throw;
        }
        finally
        {
            yueyang.Dispose();
        }
    }

    /// <summary>Points the city folder's settings at <paramref name="endpoint"/> and the configuration file <paramref name="config"/>, as Yueyang.</summary>
    private static void Settle(string cityDir, string endpoint, string config)
    {
        var path = Path.Combine(cityDir, "appsettings.json");
        var settings = JsonNode.Parse(File.ReadAllText(path))!;
        settings["Kestrel"]!["Endpoints"]!["Grpc"]!["Url"] = endpoint;
        settings["Huren"]!["CityCode"] = Yueyang;
        settings["Huren"]!["NetworkConfig"] = config;
        File.WriteAllText(path, settings.ToJsonString());
    }

    /// <summary>Whether the node's log file holds <paramref name="text"/> (false while it cannot be read).</summary>
    private static bool LogSays(string logFile, string text)
    {
        try
        {
            return File.ReadAllText(logFile).Contains(text, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string PinOf(string certificatePem)
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(certificatePem));
        return PinnedTls.Fingerprint(certificate);
    }

    private static SigningKey RootKeyOfYueyang(string keys) => SigningKey.FromPem(File.ReadAllText(Path.Combine(keys, "root.pem")));

    private static Entry Issuer(string issuerId)
    {
        var body = LedgerBodies.Issuer(issuerId, LedgerBodies.ChangshaAmrCode, SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256).PublicKey,
            [LedgerBodies.BusinessLicenseType], [], mayShare: false, region: Yueyang);
        return MakeEntry(Yueyang, EntryKinds.IssuerRegister, issuerId, $"{Yueyang}-root", body);
    }

    /// <summary>A client of Yueyang's node as its sample credential <paramref name="principal"/>.</summary>
    private HurenClient YueyangClient(string endpoint, string principal, IEnumerable<string> pins)
        => new(new Uri(endpoint), new ClientIdentity(principal, SigningKey.FromPem(File.ReadAllText(Path.Combine(Dir, Yueyang, "keys", "clients", principal + ".pem"))), Yueyang),
            TimeSpan.FromSeconds(10), PinnedTls.CreateHandler([.. Trusted, .. pins]));

    /// <summary>Waits until Yueyang's own checkpoint of at least <paramref name="size"/> carries the cosignatures of all three others.</summary>
    private async Task WaitCosignedAsync(string endpoint, IEnumerable<string> pins, ulong size)
    {
        using var auditor = YueyangClient(endpoint, "auditor", pins);
        var witnesses = new[] { Changsha, Zhuzhou, Xiangtan }.Select(c => CosignatureSigner.WitnessNameFor(OriginOf(c))).ToList();
        await UntilAsync(async () =>
        {
            var checkpoint = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options());
            var names = SignedNote.Parse(checkpoint.Note).Signatures.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            return checkpoint.Size >= size && witnesses.All(names.Contains);
        }, $"Yueyang's checkpoint of size {size} cosigned by the three others");
    }

    /// <summary>Waits until <paramref name="city"/>'s node serves <paramref name="origin"/>'s log at <paramref name="size"/> or more.</summary>
    private async Task WaitMirroredAsync(string city, string origin, ulong size)
    {
        using var auditor = Client(city, CliRoles.Auditor);
        await UntilAsync(async () => (await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, auditor.Options())).Size >= size,
            $"{city} mirrors {origin} to size {size}");
    }

    /// <summary>The refusal of a witness call to Zhuzhou as node-430600 over mutual TLS with the given certificate (a junk note).</summary>
    private async Task<RpcException> PeerCallAsync(SigningKey witnessKey, string certificate, string key)
    {
        using var presented = PinnedTls.LoadCertificate(certificate, key);
        using var asYueyang = new HurenClient(new Uri(Profile.City(Zhuzhou).Endpoint), new ClientIdentity($"node-{Yueyang}", witnessKey, Zhuzhou), TimeSpan.FromSeconds(10),
            PinnedTls.CreateHandler(Trusted, presented));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await asYueyang.Witness.AddCheckpointAsync(
            new AddCheckpointRequest { OldSize = 0, Note = "not a note" }, asYueyang.Options()));
        Output.WriteLine($"as node-{Yueyang} with {Path.GetFileName(certificate)}: {refused.StatusCode} {refused.Status.Detail}");
        return refused;
    }

    /// <summary>
    /// The server refused the client certificate: the call failed while the client set up its HTTP/2 connection (with
    /// TLS 1.3 the client learns it only after its side of the handshake, so gRPC reports INTERNAL or UNAVAILABLE).
    /// </summary>
    private static void AssertHandshakeRefused(RpcException refused)
    {
        Assert.True(refused.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"{refused.StatusCode}: {refused.Status.Detail}");
        Assert.Contains("HttpRequestException", refused.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>Polls <paramref name="probe"/> (an RPC error counts as not yet) until it holds, failing after <see cref="Deadline"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await probe()) return;
            }
            catch (RpcException ex)
            {
                last = $"{ex.StatusCode}: {ex.Status.Detail}";
            }
            await Task.Delay(200);
        }
        Assert.Fail($"not within {Deadline.TotalSeconds} s: {what} {last}");
    }
}
