using System.Text.Json;
using Huren.Sdk.Crypto;

namespace Huren.Cli.Tests;

public class KeysCommandTests
{
    [Theory]
    [InlineData("sm2")]
    [InlineData("p256")]
    [InlineData("ed25519")]
    public async Task Keys_gen_writes_a_usable_key_pair_and_reports_its_id(string alg)
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var file = Path.Combine(dir, "issuer.pem");
            var (code, output, error) = await CliRunner.RunAsync("keys", "gen", "--alg", alg, "-o", file, "--json");
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            var key = SigningKey.FromPem(File.ReadAllText(file));
            Assert.Equal(key.Id.ToString(), json.RootElement.GetProperty("keyId").GetString());
            // With a file the private key is not printed.
            Assert.False(json.RootElement.TryGetProperty("privateKeyPem", out var printed) && printed.ValueKind != JsonValueKind.Null, output);
            Assert.Equal(key.Id, PublicKey.FromPem(File.ReadAllText(Path.Combine(dir, "issuer.pub.pem"))).Id);

            var again = await CliRunner.RunAsync("keys", "gen", "--alg", alg, "-o", file);
            Assert.Equal(ExitCodes.Error, again.ExitCode);
            Assert.Contains("refusing to overwrite", again.Error);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Keys_gen_json_without_a_file_prints_the_private_key_as_the_only_copy()
    {
        var (code, output, error) = await CliRunner.RunAsync("keys", "gen", "--alg", "sm2", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var key = SigningKey.FromPem(json.RootElement.GetProperty("privateKeyPem").GetString()!);
        Assert.Equal(key.Id.ToString(), json.RootElement.GetProperty("keyId").GetString());
        Assert.Equal(key.Id, PublicKey.FromPem(json.RootElement.GetProperty("publicKeyPem").GetString()!).Id);
    }

    [Fact]
    public async Task Unknown_algorithm_is_an_error_with_a_message_and_no_stack_trace()
    {
        var (code, _, error) = await CliRunner.RunAsync("keys", "gen", "--alg", "rsa");
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("rsa", error);
        Assert.DoesNotContain("   at ", error);
    }

    /// <summary>
    /// Every command that writes a file or folder takes it as <c>-o</c>, <c>--out</c> or <c>--output</c>: a walkthrough
    /// found half of them taking one spelling and half the other.
    /// </summary>
    [Theory]
    [InlineData("keys", "gen")]
    [InlineData("license", "export")]
    [InlineData("license", "qr")]
    [InlineData("seal", "use")]
    [InlineData("seal", "cert")]
    [InlineData("bundle", "export")]
    [InlineData("anchor", "proof")]
    [InlineData("share", "request")]
    [InlineData("data", "get")]
    [InlineData("network", "member")]
    [InlineData("network", "propose")]
    public async Task Every_file_writing_command_takes_o_out_and_output(string command, string sub)
    {
        var (code, output, _) = await CliRunner.RunAsync(command, sub, "--help");
        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^\s+-o, (--out, --output|--output, --out) <", output);
    }

    [Fact]
    public async Task Help_is_available_on_every_command()
    {
        foreach (var args in new[] { new[] { "--help" }, ["keys", "--help"], ["keys", "gen", "--help"] })
        {
            var (code, output, _) = await CliRunner.RunAsync(args);
            Assert.Equal(0, code);
            Assert.Contains("Usage", output);
        }
    }
}
