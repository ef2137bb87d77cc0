using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Cli.Tests.Network;

/// <summary>
/// <c>huren network propose | sign</c> without nodes (<c>--from</c> the genesis), and the chain the CLI reads from
/// <c>network-versions/</c>: a rotation proposal chains, retires the old keys with their end and successor, needs a
/// majority of signatures; bad input is refused with the reason.
/// </summary>
public sealed class NetworkConfigCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "huren-netcfg-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private string Genesis => Path.Combine(_dir, "genesis.json");

    private string Profile => Path.Combine(_dir, "cli.json");

    private async Task<string> MustAsync(params string[] args)
    {
        var (code, output, error) = await CliRunner.RunAsync(args);
        Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{output}");
        return output;
    }

    [Fact]
    public async Task A_rotation_proposal_chains_retires_the_old_keys_and_needs_a_majority_of_signatures()
    {
        await MustAsync("network", "init", "--dir", _dir);
        var staged = Path.Combine(_dir, "430100", "keys", "staged");
        await MustAsync("keys", "gen", "--alg", "ed25519", "--out", Path.Combine(staged, "log-ed25519.pem"));
        await MustAsync("keys", "gen", "--alg", "sm2", "--out", Path.Combine(staged, "log-sm2.pem"));
        var proposal = Path.Combine(_dir, "v2.json");
        var proposed = await MustAsync("network", "propose", "--from", Genesis, "--out", proposal, "--member", "430100",
            "--log-key", Path.Combine(staged, "log-ed25519.pem"), "--sm2-key", Path.Combine(staged, "log-sm2.pub.pem"), "--not-after", "2026-12-02T15:00:00Z");
        Assert.Contains("needs the root-key signatures of 2 of the 3 members of version 1", proposed, StringComparison.Ordinal);

        var genesis = TrustedNetwork.Parse(await File.ReadAllBytesAsync(Genesis));
        var next = NetworkConfig.Parse(await File.ReadAllTextAsync(proposal));
        Assert.Equal(2, next.Version);
        Assert.Equal(NetworkConfigChain.Digest(await File.ReadAllBytesAsync(Genesis)), next.Previous);
        var changsha = next.MemberByCity("430100")!;
        var newLog = Huren.Sdk.Crypto.SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(staged, "log-ed25519.pem")));
        Assert.Equal(NoteVerifierKey.ForEd25519(changsha.Origin, newLog.PublicKey).ToString(), changsha.LogKey);
        var log = Assert.Single(changsha.RetiredKeys, r => r.Kind == "log");
        Assert.Equal(genesis.ByCity("430100")!.Document.LogKey, log.Key);
        Assert.Equal("2026-12-02T15:00:00Z", log.NotAfter);
        Assert.Equal(changsha.LogKey, log.Successor);
        Assert.Equal(genesis.ByCity("430100")!.Document.Sm2PublicKey, Assert.Single(changsha.RetiredKeys, r => r.Kind == "sm2").Key);

        await MustAsync("network", "sign", proposal, "--city", "430100", "--profile", Profile);
        Assert.False(NetworkConfigChain.VerifyNext(genesis.Bytes, await File.ReadAllBytesAsync(proposal), out _, out var error));
        Assert.Contains("a majority (2) is required", error, StringComparison.Ordinal);
        await MustAsync("network", "sign", proposal, "--city", "430200", "--key", Path.Combine(_dir, "430200", "keys", "root.pem"));
        Assert.True(NetworkConfigChain.VerifyNext(genesis.Bytes, await File.ReadAllBytesAsync(proposal), out var adopted, out error), error);
        Assert.Single(adopted!.ByCity("430100")!.RetiredNoteKeys, r => r.Key.Type == NoteSignatureType.Ed25519);

        // Kept in network-versions/ (as 'network pull' does), the profile's commands read version 2.
        Directory.CreateDirectory(Path.Combine(_dir, "network-versions"));
        File.Copy(proposal, Path.Combine(_dir, "network-versions", "v2.json"));
        Assert.Equal(2, Huren.Cli.Profiles.CliProfile.Load(Profile).LoadGenesis().Version);
        // A stored version that does not chain stops them, naming the file.
        await File.WriteAllTextAsync(Path.Combine(_dir, "network-versions", "v3.json"), await File.ReadAllTextAsync(proposal));
        var broken = Assert.Throws<CliException>(() => Huren.Cli.Profiles.CliProfile.Load(Profile).LoadGenesis());
        Assert.Contains("v3.json' does not chain to version 2", broken.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--member", "430100", "--member names whose keys rotate")]
    [InlineData("--log-key", "KEY", "--member is required with --log-key")]
    [InlineData("--not-after", "tomorrow", "--not-after: notAfter 'tomorrow' is not an RFC 3339 time")]
    public async Task Bad_proposals_are_refused_with_the_reason(string option, string value, string message)
    {
        await MustAsync("network", "init", "--dir", _dir);
        var key = Path.Combine(_dir, "430100", "keys", "log-ed25519.pem");
        string[] args = option == "--not-after"
            ? ["network", "propose", "--from", Genesis, "--out", Path.Combine(_dir, "v2.json"), "--member", "430100", "--log-key", key, option, value]
            : ["network", "propose", "--from", Genesis, "--out", Path.Combine(_dir, "v2.json"), option, value == "KEY" ? key : value];
        var (code, _, error) = await CliRunner.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "v2.json")));
    }

    [Fact]
    public async Task Rotating_to_the_key_in_force_or_overwriting_a_file_is_refused()
    {
        await MustAsync("network", "init", "--dir", _dir);
        var (same, _, sameError) = await CliRunner.RunAsync("network", "propose", "--from", Genesis, "--out", Path.Combine(_dir, "v2.json"), "--member", "430100",
            "--log-key", Path.Combine(_dir, "430100", "keys", "log-ed25519.pem"));
        Assert.Equal(2, same);
        Assert.Contains("the new log key of 430100 is the key in force", sameError, StringComparison.Ordinal);
        var (exists, _, existsError) = await CliRunner.RunAsync("network", "propose", "--from", Genesis, "--out", Genesis);
        Assert.Equal(2, exists);
        Assert.Contains("exists; choose another --out", existsError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Membership_proposals_add_a_member_from_its_folder_move_it_and_remove_it()
    {
        // The fourth city: another init's first city, described as 430600 from its keys/ folder.
        await MustAsync("network", "init", "--dir", _dir);
        var spare = Path.Combine(_dir, "spare");
        await MustAsync("network", "init", "--dir", spare, "--base-port", "7201");
        var memberFile = Path.Combine(_dir, "430600.json");
        await MustAsync("network", "member", "--dir", Path.Combine(spare, "430100"), "--city", "430600", "--network", "cz-t", "--name", "岳阳市",
            "--endpoint", "https://127.0.0.1:7301", "--out", memberFile);
        var spareGenesis = TrustedNetwork.Parse(await File.ReadAllBytesAsync(Path.Combine(spare, "genesis.json"))).ByCity("430100")!.Document;

        var v2 = Path.Combine(_dir, "v2.json");
        await MustAsync("network", "propose", "--from", Genesis, "--out", v2, "--add-member", memberFile);
        var added = TrustedNetwork.Parse(await File.ReadAllBytesAsync(v2)).ByCity("430600")!;
        Assert.Equal("huren.cz-t/430600", added.Origin);
        Assert.Equal(new Uri("https://127.0.0.1:7301"), added.Endpoint);
        // The same keys and certificate as the spare city, named for the new origin.
        Assert.Equal(spareGenesis.TlsCertificateSha256, added.TlsCertificateSha256);
        Assert.Equal(spareGenesis.Sm2PublicKey, added.Document.Sm2PublicKey);
        Assert.Equal(spareGenesis.RootKey, added.Document.RootKey);
        Assert.Equal(NoteVerifierKey.Parse(spareGenesis.LogKey).PublicKey.ToPem(), NoteVerifierKey.Parse(added.Document.LogKey).PublicKey.ToPem());
        Assert.StartsWith("huren.cz-t/430600+", added.Document.LogKey, StringComparison.Ordinal);
        Assert.StartsWith("huren.cz-t/430600/witness+", added.Document.WitnessKey, StringComparison.Ordinal);

        // Adding it again is refused; so is an unknown city to remove.
        var (again, _, againError) = await CliRunner.RunAsync("network", "propose", "--from", v2, "--out", Path.Combine(_dir, "x.json"), "--add-member", memberFile);
        Assert.Equal(2, again);
        Assert.Contains("--add-member: city 430600 is already a member", againError, StringComparison.Ordinal);
        var (unknown, _, unknownError) = await CliRunner.RunAsync("network", "propose", "--from", v2, "--out", Path.Combine(_dir, "x.json"), "--remove-member", "430900");
        Assert.Equal(2, unknown);
        Assert.Contains("--remove-member: city 430900 is not a member", unknownError, StringComparison.Ordinal);

        // Moved: another endpoint and certificate.
        var v3 = Path.Combine(_dir, "v3.json");
        var certificate = Path.Combine(spare, "430200", "keys", "tls.crt.pem");
        await MustAsync("network", "propose", "--from", v2, "--out", v3, "--member", "430600", "--endpoint", "https://127.0.0.1:7302", "--tls-certificate", certificate);
        var moved = TrustedNetwork.Parse(await File.ReadAllBytesAsync(v3)).ByCity("430600")!;
        Assert.Equal(new Uri("https://127.0.0.1:7302"), moved.Endpoint);
        Assert.Equal(TrustedNetwork.Parse(await File.ReadAllBytesAsync(Path.Combine(spare, "genesis.json"))).ByCity("430200")!.TlsCertificateSha256, moved.TlsCertificateSha256);
        var (badEndpoint, _, badEndpointError) = await CliRunner.RunAsync("network", "propose", "--from", v3, "--out", Path.Combine(_dir, "x.json"), "--member", "430600", "--endpoint", "ftp://x");
        Assert.Equal(2, badEndpoint);
        Assert.Contains("--endpoint must be an absolute http(s) URL, got 'ftp://x'", badEndpointError, StringComparison.Ordinal);
        var (sameCertificate, _, sameCertificateError) = await CliRunner.RunAsync("network", "propose", "--from", v3, "--out", Path.Combine(_dir, "x.json"), "--member", "430600", "--tls-certificate", certificate);
        Assert.Equal(2, sameCertificate);
        Assert.Contains("it is the certificate 430600 already has", sameCertificateError, StringComparison.Ordinal);

        // Removed: the others stay, the version chains to v3.
        var v4 = Path.Combine(_dir, "v4.json");
        await MustAsync("network", "propose", "--from", v3, "--out", v4, "--remove-member", "430600");
        var removed = NetworkConfig.Parse(await File.ReadAllTextAsync(v4));
        Assert.Equal(["430100", "430200", "430300"], removed.Members.Select(m => m.CityCode));
        Assert.Equal(NetworkConfigChain.Digest(await File.ReadAllBytesAsync(v3)), removed.Previous);
        Assert.False(File.Exists(Path.Combine(_dir, "x.json")));
    }
}
