using System.Diagnostics;
using System.Text.Json;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;

namespace Huren.Cli.Tests.Ledger;

/// <summary>
/// The example client in another language (<c>examples/node-client</c>, Node.js with @grpc/grpc-js and protobufjs),
/// written from <c>schemas/proto/</c> and docs/protocol.md alone, against the real three-node network: over TLS pinned
/// by SHA-256 and with the documented call credential it verifies a checkpoint's Ed25519 line and an inclusion proof,
/// and the license.use entry it encodes with its own proto3 library and signs with Node's crypto is accepted.
/// </summary>
public sealed partial class LedgerCommandsTests
{
    [NodeJsFact]
    public async Task The_Node_js_example_client_verifies_a_checkpoint_and_a_proof_and_its_license_use_is_accepted()
    {
        var counter = CliProfile.Load(net.Profile).FindCity(LedgerNetwork.Zhuzhou)!.FindByRole(CliRoles.Counter)!;
        var keyPath = CliProfile.Load(net.Profile).ResolvePath(counter.PrivateKey);
        string[] common = ["--genesis", net.Genesis, "--city", LedgerNetwork.Zhuzhou, "--principal", counter.Principal, "--key", keyPath, "--issuer-id", counter.IssuerId!, "--license", net.ValidLicense];

        var (code, output, error) = await NodeJs.RunClientAsync(common);
        Assert.True(code == 0, $"node client exited {code}: {output}{error}");
        using var result = JsonDocument.Parse(output);
        var root = result.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal("huren.cz-t/" + LedgerNetwork.Changsha, root.GetProperty("checkpoint").GetProperty("origin").GetString());
        Assert.True(root.GetProperty("checkpoint").GetProperty("ed25519Verified").GetBoolean());
        Assert.True(root.GetProperty("inclusion").GetProperty("verified").GetBoolean());
        var submitted = root.GetProperty("submitted");
        Assert.Equal("huren.cz-t/" + LedgerNetwork.Zhuzhou, submitted.GetProperty("origin").GetString());
        Assert.False(submitted.GetProperty("duplicate").GetBoolean());

        // What the node stored is the client's bytes, and they are canonical for the SDK too.
        var leaf = Convert.FromHexString(submitted.GetProperty("leaf").GetString()!);
        var decoded = LeafReader.Read(leaf);
        Assert.Equal(EntryKinds.LicenseUse, decoded.Entry.Kind);
        Assert.Equal(SignatureAlgorithm.Ed25519, decoded.Signed.Algorithm);
        Assert.Equal(net.ValidLicense, CanonicalCodec.Decode<LicenseUsed>(decoded.Entry.Body).LicenseId);
        Assert.Equal("license", Assert.Single(decoded.Entry.References).Relation);
        var trace = await net.MustAsync("trace", net.ValidLicense, "--json", "--city", LedgerNetwork.Zhuzhou);
        Assert.Contains("Node.js example client", trace, StringComparison.Ordinal);

        // The pin is real: with another certificate hash the client refuses to talk to the node.
        var (wrongPin, wrongOutput, _) = await NodeJs.RunClientAsync([.. common, "--pin", new string('0', 64)]);
        Assert.Equal(1, wrongPin);
        Assert.Contains("certificate pin mismatch", wrongOutput, StringComparison.Ordinal);
    }
}

/// <summary>Runs the example client with the machine's Node.js, installing its locked packages with npm ci if needed.</summary>
internal static class NodeJs
{
    public static string? Node { get; } = Find("node");

    public static string? Npm { get; } = Find("npm");

    public static string ClientDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return Path.Combine(dir.FullName, "examples", "node-client");
        }
        throw new DirectoryNotFoundException("repository root (Huren.slnx) not found above the test assembly");
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunClientAsync(string[] args)
    {
        var dir = ClientDir();
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            var (npm, npmOutput, npmError) = await RunAsync(Npm!, dir, ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            Assert.True(npm == 0, $"npm ci failed in {dir}: {npmOutput}{npmError}");
        }
        return await RunAsync(Node!, dir, ["client.mjs", .. args], TimeSpan.FromMinutes(2));
    }

    private static async Task<(int, string, string)> RunAsync(string file, string dir, string[] args, TimeSpan deadline)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(file)} {string.Join(' ', args)} did not finish within {deadline.TotalSeconds} s");
        }
        return (process.ExitCode, await output, await error);
    }

    private static string? Find(string name)
        => Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Select(p => Path.Combine(p, name)).FirstOrDefault(File.Exists);
}

/// <summary>A fact that needs Node.js and npm; skipped with the reason shown where they are missing (.ci/run installs them).</summary>
internal sealed class NodeJsFactAttribute : FactAttribute
{
    public NodeJsFactAttribute()
    {
        if (NodeJs.Node is null || NodeJs.Npm is null) Skip = "node and npm are not on PATH: the Node.js example client test is skipped (apt-get install nodejs npm; .ci/run installs them)";
    }
}
