using System.Text;
using System.Text.Json.Nodes;

namespace Huren.Cli.Tests.BadInput;

/// <summary>
/// A made network folder (<c>huren network init</c>, no node started) and the evidence vectors' valid bundle and
/// network, with damaged copies made per case.
/// </summary>
public sealed class CliBadInputFolder : IAsyncLifetime
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "huren-cli-bad-" + Guid.NewGuid().ToString("N"));

    public string Network => Path.Combine(Dir, "net");

    public string Profile => Path.Combine(Network, "cli.json");

    /// <summary>The evidence vectors' network and its valid, final bundle (tests/Huren.Sdk.Tests/Evidence/Vectors).</summary>
    public string VectorNetwork => Path.Combine(AppContext.BaseDirectory, "BadInput", "vector-network.json");

    public string VectorBundle => Path.Combine(AppContext.BaseDirectory, "BadInput", "vector-valid-final.json");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        // Nothing listens on these ports: the profile's endpoints are unreachable.
        var basePort = Huren.TestSupport.LoopbackPorts.FreeRange(3, offset: 7);
        var (code, _, error) = await CliRunner.RunAsync("network", "init", "--dir", Network, "--base-port", basePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, error);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Writes <paramref name="bytes"/> to a new file named <paramref name="name"/>; returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    /// <summary>A copy of the profile with <paramref name="change"/> applied to its JSON.</summary>
    public string ProfileWith(string name, Action<JsonNode> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(Profile))!;
        change(json);
        // Relative paths in a profile are relative to its folder: keep the copy beside the original.
        var path = Path.Combine(Network, name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}

/// <summary>
/// Issue 20 item 7 through the CLI: malformed bundle, network configuration (genesis), profile and key files, wrong
/// flags and an unreachable node. Each case must end with its documented exit code (1: evidence that does not verify;
/// 2: an error — bad arguments, an unreadable or malformed file, an unreachable node), a message naming what is wrong,
/// and never a stack trace or the CLI's last-resort "unexpected …" line (an exception nobody meant to reach the user).
/// </summary>
public sealed class CliBadInputTests(CliBadInputFolder folder) : IClassFixture<CliBadInputFolder>
{
    private const string LicenseId = "1.2.156.3005.2.11100000HUREN0001P001.11430100HUREN01013.2024000001.001.4";

    /// <summary>One case: the arguments, the exit code it must end with, and a fragment its message must contain.</summary>
    private sealed record Case(string[] Args, int Exit, string Message);

    private static readonly string[] Names =
    [
        "bundle-empty", "bundle-not-json", "bundle-truncated", "bundle-json-array", "bundle-json-null", "bundle-wrong-types",
        "bundle-deep-nesting", "bundle-huge-number", "bundle-binary", "bundle-utf16-without-bom", "bundle-leaf-not-base64", "bundle-missing",
        "bundle-is-a-folder", "network-empty", "network-not-json", "network-truncated", "network-bad-member-key",
        "network-no-members", "network-missing", "network-binary", "profile-not-json", "profile-missing",
        "profile-genesis-missing", "profile-key-file-missing", "profile-key-file-garbage", "profile-key-path-traversal",
        "node-unreachable", "unknown-option", "unknown-command", "missing-required-option", "option-not-a-number",
        "ranged-option-not-a-number", "ranged-option-too-large", "ranged-option-out-of-range", "max-age-too-long", "bundle-without-format",
        "flows-json-and-csv", "trace-empty-record",
        "id-and-bundle", "bundle-without-network", "bad-license-id", "proposal-garbage", "proposal-missing",
        "sign-key-garbage", "issue-file-not-json", "restore-backup-missing",
        "seal-show-wait-final-too-long", "seal-show-wait-final-negative", "seal-verify-wait-final-too-long", "bundle-export-wait-final-too-long", "accept-wait-too-long",
        "flows-deadline-negative", "flows-deadline-too-long", "checkpoint-size-zero", "checkpoint-wait-not-a-duration",
        "anchor-proof-size-zero", "timestamp-size-zero",
        "checkpoint-size-negative", "duration-not-a-duration", "exchange-bundle-empty", "exchange-bundle-truncated", "network-wrong-types",
        "body-file-empty", "body-file-truncated", "body-file-malformed", "body-file-wrong-type", "body-file-unknown-field", "body-file-json-array",
        "body-file-bad-enum",
    ];

    public static TheoryData<string> AllCases() => [.. Names];

    [Fact]
    public void Every_case_is_listed_once() => Assert.Equal(Names.Length, Names.Distinct(StringComparer.Ordinal).Count());

    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task A_bad_input_gets_its_documented_exit_code_and_a_clear_message_without_a_stack_trace(string name)
    {
        var c = Make(name);
        var (code, output, error) = await CliRunner.RunAsync(c.Args);
        var all = output + error;
        Assert.True(code == c.Exit, $"{name}: exit {code}, expected {c.Exit}\nstdout: {output}\nstderr: {error}");
        Assert.True(all.Contains(c.Message, StringComparison.Ordinal), $"{name}: the message does not name '{c.Message}':\n{all}");
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected ", error, StringComparison.Ordinal);
        if (c.Exit == 2) Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", all, StringComparison.Ordinal);
        // No .NET type or JSON reader state: "as expected type 'System.UInt64'", "converted to Huren.Sdk.Evidence.EvidenceBundle", "when isFinalBlock is true".
        Assert.DoesNotContain("System.", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Huren.Sdk.", all, StringComparison.Ordinal);
        Assert.DoesNotContain("isFinalBlock", all, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Huren.Schemas.", all, StringComparison.Ordinal);
        Assert.DoesNotContain(".NET member", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_accepts_connections_but_never_answers_is_named_with_the_time_it_had()
    {
        // What a stopped (SIGSTOP) node looks like from outside: the connection is accepted, nothing ever answers.
        using var silent = new SilentListener();
        var endpoint = $"https://127.0.0.1:{silent.Port}";
        var profile = folder.ProfileWith("silent-node.json", p => p["cities"]![0]!["endpoint"] = endpoint);
        string[][] commands =
        [
            ["checkpoint", "430100"], ["audit", "log", "430100"], ["license", "verify", LicenseId], ["trace", "any-record"],
        ];
        var runs = await Task.WhenAll(commands.Select(c => CliRunner.RunAsync([.. c, "--city", "430100", "--profile", profile])));
        foreach (var (command, (code, output, error)) in commands.Zip(runs))
        {
            var all = $"huren {string.Join(' ', command)}: exit {code}\n{output}{error}";
            Assert.True(code == 2, all);
            Assert.Contains($"the node at {endpoint} did not answer within 5 s", error, StringComparison.Ordinal);
            Assert.DoesNotContain("refused", all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_call_past_its_deadline_names_the_node_and_the_deadline()
    {
        // Cleartext, so the connection is made at once and only the call's own deadline (1 s here) runs out.
        using var silent = new SilentListener();
        var endpoint = new Uri($"http://127.0.0.1:{silent.Port}");
        using var client = new Huren.Sdk.Client.HurenClient(endpoint, null, TimeSpan.FromSeconds(1), interceptor: new Huren.Cli.Commands.NodeTimeouts(endpoint, null));
        var late = await Assert.ThrowsAnyAsync<Grpc.Core.RpcException>(() => client.Ledger.GetCheckpointAsync(new Huren.Schemas.Services.CheckpointRequest { Origin = "huren.cz-t/430100" }, client.Options()).AsTask());
        Assert.StartsWith($"the node at {endpoint.OriginalString} did not answer within 1 s", CliApp.Describe(late), StringComparison.Ordinal);
        // A server-streamed call too (trace, audit log).
        var stream = await Assert.ThrowsAnyAsync<Grpc.Core.RpcException>(async () =>
        {
            await foreach (var _ in client.TraceAsync("any-record")) { }
        });
        Assert.StartsWith($"the node at {endpoint.OriginalString} did not answer within 1 s", CliApp.Describe(stream), StringComparison.Ordinal);
    }

    /// <summary>A loopback port that accepts every connection and never sends a byte, until disposed.</summary>
    private sealed class SilentListener : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly List<System.Net.Sockets.Socket> _accepted = [];
        private readonly Task _accepting;

        public SilentListener()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_accepted) _accepted.Add(socket);
                }
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _accepting.Wait();
            lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
        }
    }

    /// <summary>'license issue --file' with a body file holding <paramref name="text"/>; the message names the file, then <paramref name="problem"/>.</summary>
    private Case IssueFile(string name, string text, string problem)
        => new(["license", "issue", "--file", folder.Write(name + ".json", text), "--profile", folder.Profile, "--city", "430100"], 2,
            $"the LicenseIssued body in '{Path.Combine(folder.Dir, name + ".json")}'{problem}");

    private Case Make(string name)
    {
        string[] Offline(string bundle, string network) => ["license", "verify", "--bundle", bundle, "--network", network];
        var bundle = folder.VectorBundle;
        var network = folder.VectorNetwork;
        var validBundle = File.ReadAllText(bundle);
        var validNetwork = File.ReadAllText(network);
        const string NotABundle = "not a valid evidence bundle";
        switch (name)
        {
            // Evidence bundles: evidence that does not verify, exit 1 with the reason.
            case "bundle-empty": return new(Offline(folder.Write(name, ""), network), 1, $"{NotABundle}: evidence bundle is not valid JSON: it is empty");
            case "bundle-not-json": return new(Offline(folder.Write(name, "{ this is ] not json"), network), 1, NotABundle);
            case "bundle-truncated": return new(Offline(folder.Write(name, validBundle[..(validBundle.Length / 2)]), network), 1, $"{NotABundle}: evidence bundle is not valid JSON: it ends early");
            case "bundle-json-array": return new(Offline(folder.Write(name, "[1, 2, 3]"), network), 1, $"{NotABundle}: evidence bundle is not a JSON object of its form");
            case "bundle-json-null": return new(Offline(folder.Write(name, "null"), network), 1, NotABundle);
            case "bundle-wrong-types":
            {
                var json = JsonNode.Parse(validBundle)!;
                json["entries"] = "all of them";
                return new(Offline(folder.Write(name, json.ToJsonString()), network), 1, $"{NotABundle}: evidence bundle: entries has the wrong type or is out of range");
            }
            case "bundle-deep-nesting": return new(Offline(folder.Write(name, new string('[', 100_000) + new string(']', 100_000)), network), 1, $"{NotABundle}: evidence bundle is not valid JSON: it is nested deeper than 64 levels");
            case "bundle-huge-number":
            {
                var json = JsonNode.Parse(validBundle)!;
                var text = json.ToJsonString().Replace("\"index\":", "\"index\":1e400,\"x\":", StringComparison.Ordinal);
                return new(Offline(folder.Write(name, text), network), 1, $"{NotABundle}: evidence bundle: entries[0].index has the wrong type or is out of range");
            }
            case "bundle-binary": return new(Offline(folder.Write(name, Enumerable.Range(0, 4096).Select(i => (byte)(i * 73 + 11)).ToArray()), network), 1, NotABundle);
            // (With a byte-order mark the file is the same text in UTF-16, and the bundle verifies: not a bad input.)
            case "bundle-utf16-without-bom": return new(Offline(folder.Write(name, Encoding.Unicode.GetBytes(validBundle)), network), 1, NotABundle);
            case "bundle-leaf-not-base64":
            {
                var json = JsonNode.Parse(validBundle)!;
                json["entries"]![0]!["leaf"] = "%%% not base64 %%%";
                return new(Offline(folder.Write(name, json.ToJsonString()), network), 1, "leaf is not canonical standard base64");
            }
            // An unreadable file is an error, exit 2.
            case "bundle-missing": return new(Offline(Path.Combine(folder.Dir, "no-such-bundle.json"), network), 2, "no-such-bundle.json");
            case "bundle-is-a-folder": return new(Offline(folder.Dir, network), 2, $"'{folder.Dir}' is a folder; a file is expected there");

            // Network configurations (genesis.json): an error, exit 2, naming the file's problem.
            case "network-empty": return new(Offline(bundle, folder.Write(name, "")), 2, "network");
            case "network-not-json": return new(Offline(bundle, folder.Write(name, "{ \"networkId\": ")), 2, "network");
            case "network-truncated": return new(Offline(bundle, folder.Write(name, validNetwork[..(validNetwork.Length / 2)])), 2, "network");
            case "network-bad-member-key":
            {
                var json = JsonNode.Parse(validNetwork)!;
                json["members"]![0]!["logKey"] = "huren.cz-t/430100+0000000+not-a-key";
                return new(Offline(bundle, folder.Write(name, json.ToJsonString())), 2, "logKey");
            }
            case "network-no-members":
            {
                var json = JsonNode.Parse(validNetwork)!;
                json["members"] = new JsonArray();
                return new(Offline(bundle, folder.Write(name, json.ToJsonString())), 2, "member");
            }
            case "network-missing": return new(Offline(bundle, Path.Combine(folder.Dir, "no-such-genesis.json")), 2, "no-such-genesis.json");
            case "network-binary": return new(Offline(bundle, folder.Write(name, Enumerable.Range(0, 2048).Select(i => (byte)(i * 31 + 7)).ToArray())), 2, "network");

            // CLI profiles and the key files they name: exit 2 before any node is asked.
            case "profile-not-json": return new(["license", "verify", LicenseId, "--city", "430100", "--profile", folder.Write(name + ".json", "{ nope")], 2, "profile");
            case "profile-missing": return new(["license", "verify", LicenseId, "--city", "430100", "--profile", Path.Combine(folder.Dir, "no-such-profile.json")], 2, "no-such-profile.json");
            case "profile-genesis-missing":
                return new(["license", "verify", LicenseId, "--city", "430100", "--profile", folder.ProfileWith(name + ".json", p => p["genesis"] = "no-such-genesis.json")], 2, "no-such-genesis.json");
            case "profile-key-file-missing":
                return new(["license", "verify", LicenseId, "--city", "430100", "--profile",
                    folder.ProfileWith(name + ".json", p => { foreach (var c in p["cities"]!.AsArray()) foreach (var k in c!["credentials"]!.AsArray()) k!["privateKey"] = "keys/no-such-key.pem"; })], 2, "no-such-key.pem");
            case "profile-key-file-garbage":
            {
                var garbage = folder.Write(name + ".pem", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
                return new(["license", "verify", LicenseId, "--city", "430100", "--profile",
                    folder.ProfileWith(name + ".json", p => { foreach (var c in p["cities"]!.AsArray()) foreach (var k in c!["credentials"]!.AsArray()) k!["privateKey"] = garbage; })], 2, "key");
            }
            case "profile-key-path-traversal":
                return new(["license", "verify", LicenseId, "--city", "430100", "--profile",
                    folder.ProfileWith(name + ".json", p => { foreach (var c in p["cities"]!.AsArray()) foreach (var k in c!["credentials"]!.AsArray()) k!["privateKey"] = "../../../../../../../../etc/shadow-huren-none"; })], 2, "shadow-huren-none");
            case "node-unreachable": return new(["license", "verify", LicenseId, "--city", "430100", "--profile", folder.Profile], 2, "is not reachable");

            // Wrong flags: exit 2 with System.CommandLine's message and the pointer to --help.
            case "unknown-option": return new(["license", "verify", LicenseId, "--no-such-flag"], 2, "--no-such-flag");
            case "unknown-command": return new(["licence", "verify", LicenseId], 2, "licence");
            case "missing-required-option": return new(["bundle", "export", LicenseId], 2, "--output");
            case "option-not-a-number": return new(["network", "init", "--dir", Path.Combine(folder.Dir, "n"), "--base-port", "seven"], 2, "seven");
            // Options with a range check: a value that is no int at all is the parser's error, not a crash in the check.
            case "ranged-option-not-a-number": return new(["license", "verify", LicenseId, "--wait-final", "abc"], 2, "abc");
            case "ranged-option-too-large": return new(["network", "up", "--dir", folder.Network, "--start-timeout", "99999999999"], 2, "99999999999");
            case "ranged-option-out-of-range": return new(["license", "verify", LicenseId, "--wait-final", "61"], 2, "--wait-final must be 0–60 seconds, got 61");
            case "trace-empty-record": return new(["trace", "", "--profile", folder.Profile], 2, "error: The value cannot be an empty string.");
            case "flows-json-and-csv": return new(["audit", "flows", "--json", "--csv", "--profile", folder.Profile], 2, "give --json or --csv, not both");
            case "max-age-too-long": return new([.. Offline(bundle, network), "--max-age", "20000000d"], 2, "'20000000d' is not a duration");
            case "bundle-without-format":
            {
                var json = JsonNode.Parse(validBundle)!.AsObject();
                json.Remove("format");
                return new(Offline(folder.Write(name, json.ToJsonString()), network), 1, "'format'");
            }
            case "id-and-bundle": return new(["license", "verify", LicenseId, "--bundle", bundle, "--network", network], 2, "not both");
            case "bundle-without-network": return new(["license", "verify", "--bundle", bundle], 2, "--network");
            case "bad-license-id": return new(["license", "verify", "1.2.156.3005.2.not-an-id", "--profile", folder.Profile, "--city", "430100"], 2, "1.2.156.3005.2.not-an-id");

            // Configuration proposals and the keys that sign them.
            case "proposal-garbage": return new(["network", "sign", folder.Write(name + ".json", "\u0000\u0001garbage"), "--city", "430100", "--profile", folder.Profile], 2, "proposal-garbage.json");
            case "proposal-missing": return new(["network", "sign", Path.Combine(folder.Dir, "no-such-proposal.json"), "--city", "430100", "--profile", folder.Profile], 2, "no-such-proposal.json");
            case "sign-key-garbage":
            {
                var proposal = folder.Write(name + "-proposal.json", File.ReadAllText(Path.Combine(folder.Network, "genesis.json")));
                return new(["network", "sign", proposal, "--city", "430100", "--key", folder.Write(name + ".pem", "not a pem at all"), "--profile", folder.Profile], 2, "key");
            }
            case "issue-file-not-json": return new(["license", "issue", "--file", folder.Write(name + ".json", "{ \"licenseId\": 12"), "--profile", folder.Profile, "--city", "430100"], 2, "issue-file-not-json.json");
            // An entry body from a JSON file (--file): said as every other JSON file is, naming the file and the problem.
            // Found by a closing note: System.Text.Json's own text ("converted to System.String", "when isFinalBlock is true").
            case "body-file-empty": return IssueFile(name, "", " is not valid JSON: it is empty");
            case "body-file-truncated": return IssueFile(name, "{ \"licenseId\": \"L-1\", ", " is not valid JSON: it ends early");
            case "body-file-malformed": return IssueFile(name, "{ \"licenseId\": \"L-1\" ]", " is not valid JSON: malformed at line 1, byte 22");
            case "body-file-wrong-type": return IssueFile(name, "{ \"licenseId\": 12 }", ": licenseId has the wrong type or is out of range");
            case "body-file-unknown-field": return IssueFile(name, "{ \"lisenceId\": \"L-1\" }", ": unknown field 'lisenceId'");
            case "body-file-json-array": return IssueFile(name, "[1]", " is not a JSON object of its form");
            case "body-file-bad-enum":
                return new(["license", "revoke", LicenseId, "--file", folder.Write(name + ".json", "{ \"action\": \"CANCEL\" }"), "--profile", folder.Profile, "--city", "430100"], 2,
                    $"the LicenseStatusChanged body in '{Path.Combine(folder.Dir, name + ".json")}': action: 'CANCEL' is not a LicenseStatusAction (one of LICENSE_STATUS_ACTION_UNSPECIFIED,");
            case "restore-backup-missing": return new(["node", "restore", Path.Combine(folder.Dir, "no-backup"), "--data", Path.Combine(folder.Dir, "no-data")], 2, "no-backup");

            // Waits and limits with a range (as license verify's --wait-final, 0–60 s): outside it a usage error, before
            // any node is asked. Found by a walkthrough: accepted, and a long wait hung.
            case "seal-show-wait-final-too-long": return new(["seal", "show", "SEAL-1", "--wait-final", "100000", "--profile", folder.Profile], 2, "--wait-final must be 0–60 seconds, got 100000");
            case "seal-show-wait-final-negative": return new(["seal", "show", "SEAL-1", "--wait-final", "-3", "--profile", folder.Profile], 2, "--wait-final must be 0–60 seconds, got -3");
            case "seal-verify-wait-final-too-long": return new(["seal", "verify", "doc.pdf", "doc.pdf.ses", "--wait-final", "61", "--profile", folder.Profile], 2, "--wait-final must be 0–60 seconds, got 61");
            case "accept-wait-too-long": return new(["license", "accept", LicenseId, "--wait", "100000", "--profile", folder.Profile], 2, "--wait must be 0–300 seconds, got 100000");
            case "bundle-export-wait-final-too-long": return new(["bundle", "export", LicenseId, "-o", Path.Combine(folder.Dir, "b.json"), "--wait-final", "121", "--profile", folder.Profile], 2, "--wait-final must be 0–120 seconds, got 121");
            case "flows-deadline-negative": return new(["audit", "flows", "--deadline", "-5", "--profile", folder.Profile], 2, "--deadline must be a duration d.hh:mm:ss from 00:00:00 to 365.00:00:00 (e.g. 1.00:00:00, a day), got -5");
            case "flows-deadline-too-long": return new(["audit", "flows", "--deadline", "366.00:00:00", "--profile", folder.Profile], 2, "--deadline must be a duration d.hh:mm:ss from 00:00:00 to 365.00:00:00");
            // 0 is the request's "latest": given, it would silently mean that.
            case "checkpoint-size-zero": return new(["checkpoint", "430100", "--size", "0", "--profile", folder.Profile], 2, "--size must be a whole number of entries, 1 or more (leave --size out for the latest), got 0");
            // Read by the command's own check while parsing, it used to end the process with a stack trace.
            case "checkpoint-wait-not-a-duration": return new(["checkpoint", "430100", "--final", "--wait", "soon", "--profile", folder.Profile], 2, "--wait must be a duration hh:mm:ss from 00:00:00 to 01:00:00 (e.g. 00:00:30), got 'soon'");
            case "anchor-proof-size-zero": return new(["anchor", "proof", "430100", "--size", "0", "--profile", folder.Profile], 2, "--size must be a whole number of entries, 1 or more (leave --size out for the newest anchor), got 0");
            case "timestamp-size-zero": return new(["timestamp", "get", "430100", "--size", "0", "--token", Path.Combine(folder.Dir, "t.der"), "--note", Path.Combine(folder.Dir, "n.txt"), "--profile", folder.Profile], 2, "--size must be a whole number of entries, 1 or more (leave --size out for the newest stamped), got 0");

            // Said without the .NET type System.CommandLine or System.Text.Json would name.
            case "checkpoint-size-negative": return new(["checkpoint", "430100", "--size", "-1", "--profile", folder.Profile], 2, "--size must be a whole number of entries, 1 or more (leave --size out for the latest), got -1");
            case "duration-not-a-duration": return new(["audit", "flows", "--deadline", "a day", "--profile", folder.Profile], 2, "--deadline must be a duration d.hh:mm:ss from 00:00:00 to 365.00:00:00 (e.g. 1.00:00:00, a day), got 'a day'");
            case "exchange-bundle-empty": return new(["bundle", "verify", folder.Write(name, ""), "--network", network], 1, $"{NotABundle}: evidence bundle is not valid JSON: it is empty");
            case "exchange-bundle-truncated": return new(["bundle", "verify", folder.Write(name, validBundle[..(validBundle.Length / 2)]), "--network", network], 1, $"{NotABundle}: evidence bundle is not valid JSON: it ends early");
            case "network-wrong-types":
            {
                var json = JsonNode.Parse(validNetwork)!;
                json["members"] = "all of them";
                return new(Offline(bundle, folder.Write(name, json.ToJsonString())), 2, "network configuration: members has the wrong type or is out of range");
            }
            default: throw new ArgumentException($"no case {name}", nameof(name));
        }
    }
}
