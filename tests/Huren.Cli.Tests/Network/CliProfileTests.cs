using Huren.Cli.Profiles;

namespace Huren.Cli.Tests.Network;

public sealed class CliProfileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "huren-profile-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static CliProfile Sample() => new()
    {
        NetworkId = "cz-t",
        Genesis = "genesis.json",
        Cities =
        [
            new CliCityProfile
            {
                CityCode = "430100",
                Name = "长沙市 Changsha",
                Endpoint = "http://127.0.0.1:7101",
                RootKey = "430100/keys/root.pem",
                Credentials =
                [
                    new CliCredential { Role = CliRoles.Operator, Principal = "ops", PrivateKey = "430100/keys/clients/ops.pem" },
                    new CliCredential { Role = CliRoles.Counter, Principal = "window-01", IssuerId = "430100-amr", PrivateKey = "/abs/window.pem" },
                    new CliCredential { Role = CliRoles.Issuer, Principal = "amr-app", IssuerId = "430100-amr", Name = "市场监督管理局", PrivateKey = "430100/keys/clients/amr.pem" },
                ],
            },
        ],
    };

    [Fact]
    public void Save_then_load_round_trips_and_resolves_paths_from_the_profile_folder()
    {
        var path = Path.Combine(_dir, "sub", "cli.json");
        Sample().Save(path);

        var loaded = CliProfile.Load(path);
        Assert.Equal(Sample().ToJson(), loaded.ToJson());
        Assert.Contains("长沙市", File.ReadAllText(path));
        Assert.Equal(Path.Combine(_dir, "sub"), loaded.BaseDirectory);
        Assert.Equal(Path.Combine(_dir, "sub", "430100", "keys", "root.pem"), loaded.ResolvePath(loaded.City("430100").RootKey!));
        Assert.Equal("/abs/window.pem", loaded.ResolvePath(loaded.City("430100").Credential("window-01").PrivateKey));
    }

    [Fact]
    public void Lookups_find_credentials_by_principal_role_or_issuer_id()
    {
        var city = Sample().City("430100");
        Assert.Equal("ops", city.Credential("ops").Principal);
        Assert.Equal("ops", city.Credential(CliRoles.Operator).Principal);
        Assert.Equal("window-01", city.Credential(CliRoles.Counter).Principal);
        // An issuer id both an issuer and a counter act for names the issuer.
        Assert.Equal("amr-app", city.Credential("430100-amr").Principal);
        Assert.Null(city.FindByRole(CliRoles.Auditor));
        var error = Assert.Throws<CliException>(() => city.Credential(CliRoles.Auditor));
        Assert.Contains("430100", error.Message);
        Assert.Equal("430100", Sample().IssuerCredential("430100-amr").City.CityCode);
    }

    [Theory]
    [InlineData("""{"format":"other/v1","networkId":"cz-t","genesis":"g.json","cities":[{"cityCode":"430100","endpoint":"http://x"}]}""", "format")]
    [InlineData("""{"format":"huren-cli-profile/v1","networkId":"","genesis":"g.json","cities":[{"cityCode":"430100","endpoint":"http://x"}]}""", "networkId")]
    [InlineData("""{"format":"huren-cli-profile/v1","networkId":"cz-t","genesis":"g.json","cities":[]}""", "cities")]
    [InlineData("""{"format":"huren-cli-profile/v1","networkId":"cz-t","genesis":"g.json","cities":[{"cityCode":"4301","endpoint":"http://x"}]}""", "cityCode")]
    [InlineData("""{"format":"huren-cli-profile/v1","networkId":"cz-t","genesis":"g.json","cities":[{"cityCode":"430100","endpoint":"ftp://x"}]}""", "endpoint")]
    [InlineData("""{"format":"huren-cli-profile/v1","networkId":"cz-t","genesis":"g.json","cities":[{"cityCode":"430100","endpoint":"http://x","credentials":[{"role":"counter","principal":"w","privateKey":"w.pem"}]}]}""", "issuerId")]
    [InlineData("""{"format":"huren-cli-profile/v1","networkId":"cz-t","genesis":"g.json","cities":[{"cityCode":"430100","endpoint":"http://x","credentials":[{"role":"admin","principal":"w","privateKey":"w.pem"}]}]}""", "role")]
    [InlineData("""{"format":"huren-cli-profile/v1",""", "JSON")]
    public void Invalid_profiles_are_refused_with_the_reason(string json, string named)
    {
        var error = Assert.Throws<FormatException>(() => CliProfile.Parse(json));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Loading_a_missing_profile_says_how_to_make_one()
    {
        var error = Assert.Throws<CliException>(() => CliProfile.Load(Path.Combine(_dir, "cli.json")));
        Assert.Contains("network init", error.Message);
    }
}
