using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Cli.Tests.NetworkUp;

namespace Huren.Cli.Tests.Ledger;

/// <summary>
/// 'huren demo --exit' tells the whole story against three real node processes (licenses, then a seal registered in
/// Changsha and a sealed notice verified at a Xiangtan counter, then a cross-city data exchange) and stops them; its evidence bundle then
/// verifies offline with every node stopped, and a tampered copy is refused with the reason.
/// </summary>
public sealed class DemoTests : IDisposable
{
    private readonly NetworkFolder _folder = new();

    [Fact]
    public async Task Demo_runs_the_story_exits_0_and_its_bundle_verifies_offline_with_the_nodes_stopped()
    {
        var (code, output, error) = await CliRunner.RunAsync("demo", "--dir", _folder.Dir, "--base-port", _folder.Port, "--exit", "--start-timeout", "300");
        Assert.True(code == 0, error + output);
        foreach (var chapter in new[] { "── 1.", "── 2.", "── 3.", "── 4.", "── 5.", "── 6.", "── 7.", "── 8.", "── 9.", "── 10.", "── 11." }) Assert.Contains(chapter, output, StringComparison.Ordinal);
        Assert.Contains("REVOKED  ", output, StringComparison.Ordinal);
        Assert.Contains("huren.cz-t/430300, answered for by issuer 430300-amr", output, StringComparison.Ordinal);
        // Chapter 8: the notice sealed in Changsha verifies at the Xiangtan counter; the altered copy does not.
        Assert.Contains("VALID  seal 43010020260001  长沙市市场监督管理局", output, StringComparison.Ordinal);
        Assert.Contains("BAD_SIGNATURE  seal 43010020260001", output, StringComparison.Ordinal);
        Assert.Contains("Stopped the 3 nodes", output, StringComparison.Ordinal);

        // Every node is stopped: nothing answers on the demo's ports.
        foreach (var member in _folder.Genesis().Members) Assert.False(await NetworkFolder.IsServingAsync(member));

        // Chapter 9: the XML the CLI exported is accepted by xmlsec1 with the issuing department's public key, and a
        // changed copy is not.
        Assert.Contains("SIGNED  ", output, StringComparison.Ordinal);
        var xml = Path.Combine(_folder.Dir, "license-1.xml");
        var amrKey = Path.Combine(_folder.Dir, "430100", "keys", "clients", "amr.pub.pem");
        Assert.Equal(0, await XmlSec1VerifyAsync(xml, amrKey));
        var changed = Path.Combine(_folder.Root, "license-1-changed.xml");
        await File.WriteAllTextAsync(changed, (await File.ReadAllTextAsync(xml)).Replace("长沙互认科技有限公司", "长沙互认科技有限责任公司", StringComparison.Ordinal));
        Assert.NotEqual(0, await XmlSec1VerifyAsync(changed, amrKey));

        var genesis = Path.Combine(_folder.Dir, "genesis.json");
        await Exchange_chapter_recorded_the_share_and_receipt_and_delivered_the_data(output, genesis);

        var bundle = Path.Combine(_folder.Dir, "evidence-license-1.json");
        var (offline, offlineOutput, offlineError) = await CliRunner.RunAsync("license", "verify", "--bundle", bundle, "--network", genesis);
        Assert.True(offline == 0, offlineError + offlineOutput);
        Assert.StartsWith("VALID  ", offlineOutput, StringComparison.Ordinal);

        await Every_flipped_byte_of_a_checkpoint_line_is_refused_offline(bundle, genesis);

        // Tampered: the holder's first entry's leaf altered (one base64 character), and the stated verdict changed.
        var json = JsonNode.Parse(await File.ReadAllTextAsync(bundle))!;
        var leaf = json["entries"]![1]!["leaf"]!.GetValue<string>();
        var flipped = leaf[10] == 'A' ? 'B' : 'A';
        json["entries"]![1]!["leaf"] = leaf[..10] + flipped + leaf[11..];
        var tampered = Path.Combine(_folder.Root, "tampered.json");
        await File.WriteAllTextAsync(tampered, json.ToJsonString());
        var (bad, badOutput, _) = await CliRunner.RunAsync("license", "verify", "--bundle", tampered, "--network", genesis);
        Assert.Equal(1, bad);
        Assert.StartsWith("NOT VERIFIED", badOutput, StringComparison.Ordinal);
        Assert.Contains("entry huren.cz-t/430100#", badOutput, StringComparison.Ordinal);

        var restated = JsonNode.Parse(await File.ReadAllTextAsync(bundle))!;
        restated["verdict"]!["status"] = "REVOKED";
        await File.WriteAllTextAsync(tampered, restated.ToJsonString());
        var (restatedCode, restatedOutput, _) = await CliRunner.RunAsync("license", "verify", "--bundle", tampered, "--network", genesis, "--json");
        Assert.Equal(1, restatedCode);
        var result = JsonDocument.Parse(restatedOutput).RootElement.GetProperty("evidence");
        Assert.False(result.GetProperty("verified").GetBoolean());
        Assert.Contains("states REVOKED, its entries give VALID", result.GetProperty("failure").GetString(), StringComparison.Ordinal);

        var nulled = JsonNode.Parse(await File.ReadAllTextAsync(bundle))!;
        nulled["entries"]![0]!["inclusionProof"] = null;
        await File.WriteAllTextAsync(tampered, nulled.ToJsonString());
        var (nullCode, nullOutput, nullError) = await CliRunner.RunAsync("license", "verify", "--bundle", tampered, "--network", genesis);
        Assert.True(nullCode == 1, nullError + nullOutput);
        Assert.Contains("entries[0].inclusionProof is missing or null", nullOutput, StringComparison.Ordinal);

        await File.WriteAllTextAsync(tampered, "{ not json");
        var (garbage, garbageOutput, _) = await CliRunner.RunAsync("license", "verify", "--bundle", tampered, "--network", genesis);
        Assert.Equal(1, garbage);
        Assert.Contains("not valid JSON", garbageOutput, StringComparison.Ordinal);

        var (missing, _, missingError) = await CliRunner.RunAsync("license", "verify", "--bundle", Path.Combine(_folder.Root, "none.json"), "--network", genesis);
        Assert.Equal(2, missing);
        Assert.Contains("cannot be read", missingError, StringComparison.Ordinal);

        // A second run replaces the earlier demo folder and tells the story again.
        var (again, againOutput, againError) = await CliRunner.RunAsync("demo", "--dir", _folder.Dir, "--base-port", _folder.Port, "--exit", "--start-timeout", "300");
        Assert.True(again == 0, againError + againOutput);
    }

    /// <summary>
    /// Chapter 10: Zhuzhou's 政务服务中心 received exactly the fields it asked for and the document (the license XML
    /// Changsha published as the record's document), the flow was listed by 'audit flows', and the exchange bundle the
    /// auditor saved verifies offline with the nodes stopped: the share entry is in Changsha's log and the receipt in
    /// Zhuzhou's, each under a final checkpoint.
    /// </summary>
    private async Task Exchange_chapter_recorded_the_share_and_receipt_and_delivered_the_data(string output, string genesis)
    {
        const string shareId = "430200-demo-share-1";
        Assert.Contains($"share {shareId}: shared by huren.cz-t/430100 #", output, StringComparison.Ordinal);
        Assert.Contains(", receipt huren.cz-t/430200 #", output, StringComparison.Ordinal);
        var received = Path.Combine(_folder.Dir, "exchange", "received");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_folder.Dir, "license-1.xml")), await File.ReadAllBytesAsync(Path.Combine(received, "document")));
        var fields = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(received, "fields.json"))).RootElement;
        Assert.Equal("长沙互认科技有限公司", fields.GetProperty("名称").GetString());
        Assert.Equal("湖南省长沙市岳麓区", fields.GetProperty("住所").GetString());
        Assert.False(fields.TryGetProperty("成立日期", out _), "a field Zhuzhou did not ask for was shared");

        // 'audit flows' listed the share, joined with its receipt (no fault: the command exited 0, or the demo would have stopped).
        var flows = output[output.IndexOf("$ huren audit flows", StringComparison.Ordinal)..];
        flows = flows[..flows.IndexOf("$ huren bundle export --share", StringComparison.Ordinal)];
        Assert.Contains(shareId, flows, StringComparison.Ordinal);

        var (code, stdout, stderr) = await CliRunner.RunAsync("bundle", "verify", Path.Combine(_folder.Dir, "evidence-share-1.json"), "--network", genesis, "--json");
        Assert.True(code == 0, stderr + stdout);
        var verdict = JsonDocument.Parse(stdout).RootElement;
        Assert.True(verdict.GetProperty("valid").GetBoolean());
        Assert.Equal(shareId, verdict.GetProperty("shareId").GetString());
        Assert.StartsWith("huren.cz-t/430100#", verdict.GetProperty("share").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("huren.cz-t/430200#", verdict.GetProperty("receipt").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// checkpoints.md: a known key's failing line rejects the note. For the Ed25519 log line, the SM2 log line and one
    /// witness cosignature line of the bundle's checkpoint, each byte of the line's signature part (4-byte key ID ‖
    /// signature) is flipped in turn; every copy is refused offline (exit 1) with a reason naming that line's key.
    /// </summary>
    private async Task Every_flipped_byte_of_a_checkpoint_line_is_refused_offline(string bundle, string genesis)
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(bundle))!;
        var (origin, noteNode) = json["checkpoints"]!.AsObject().First();
        var note = noteNode!.GetValue<string>();
        var lines = note.Split('\n');
        var signatureLines = Enumerable.Range(0, lines.Length).Where(i => lines[i].StartsWith("— ", StringComparison.Ordinal)).ToList();
        var logLines = signatureLines.Where(i => lines[i].StartsWith($"— {origin} ", StringComparison.Ordinal)).ToList();
        var cosignature = signatureLines.First(i => lines[i].Contains("/witness ", StringComparison.Ordinal));
        Assert.Equal(2, logLines.Count); // Ed25519 first, then SM2
        var tampered = Path.Combine(_folder.Root, "flipped.json");
        foreach (var (kind, line) in new[] { ("Ed25519", logLines[0]), ("SM2", logLines[1]), ("cosignature", cosignature) })
        {
            var name = lines[line][2..lines[line].LastIndexOf(' ')];
            var signature = Convert.FromBase64String(lines[line][(lines[line].LastIndexOf(' ') + 1)..]);
            // A flipped key ID (bytes 0–3) makes the line an unknown key's, which signed-note says to ignore: the log's
            // required line is then missing; a cosignature just does not count (SignedLineTests).
            for (var position = kind == "cosignature" ? 4 : 0; position < signature.Length; position++)
            {
                var flipped = (byte[])signature.Clone();
                flipped[position] ^= 0x01;
                var copy = (string[])lines.Clone();
                copy[line] = $"— {name} {Convert.ToBase64String(flipped)}";
                json["checkpoints"]![origin] = string.Join('\n', copy);
                await File.WriteAllTextAsync(tampered, json.ToJsonString());
                var (code, output, error) = await CliRunner.RunAsync("license", "verify", "--bundle", tampered, "--network", genesis);
                Assert.True(code == 1, $"{kind} line, byte {position}: exit {code} {output}{error}");
                Assert.StartsWith("NOT VERIFIED", output, StringComparison.Ordinal);
                Assert.Contains($"checkpoint of {origin}", output, StringComparison.Ordinal);
                Assert.Contains(name, output, StringComparison.Ordinal);
                Assert.Contains(position < 4 ? "no signature from required key" : "invalid signature", output, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Demo_refuses_a_folder_that_is_not_a_demo()
    {
        Directory.CreateDirectory(_folder.Dir);
        await File.WriteAllTextAsync(Path.Combine(_folder.Dir, "precious.txt"), "keep me");
        var (code, _, error) = await CliRunner.RunAsync("demo", "--dir", _folder.Dir, "--base-port", _folder.Port, "--exit", "--start-timeout", "300");
        Assert.Equal(2, code);
        Assert.Contains("is not a Huren demo folder", error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder.Dir, "precious.txt")));
    }

    /// <summary>xmlsec1's exit code for verifying <paramref name="xml"/> with the PEM public key <paramref name="publicKey"/>.</summary>
    private static async Task<int> XmlSec1VerifyAsync(string xml, string publicKey)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("xmlsec1") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--verify", "--pubkey-pem", publicKey, "--id-attr:Id", "urn:huren:xml:license:1:LicenseMetadata", xml }) psi.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            await stderr;
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
    }

    public void Dispose() => _folder.Dispose();
}
