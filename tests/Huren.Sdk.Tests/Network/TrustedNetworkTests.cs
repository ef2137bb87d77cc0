using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Network;

/// <summary>The one parser of member keys: typed keys once, a bad key refused with the member and field named.</summary>
public class TrustedNetworkTests
{
    private static readonly string[] Cities = ["430100", "430200", "430300"];

    private static NetworkConfig Config()
    {
        var config = new NetworkConfig { NetworkId = "cz-t", Name = "长株潭", WitnessThreshold = 2 };
        foreach (var city in Cities)
        {
            var origin = $"huren.cz-t/{city}";
            config.Members.Add(new NetworkMember
            {
                CityCode = city, Name = city, Origin = origin,
                LogKey = NoteVerifierKey.ForEd25519(origin, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString(),
                WitnessKey = NoteVerifierKey.ForCosigner(origin + "/witness", SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString(),
                Sm2PublicKey = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).PublicKey.ToPem(),
                RootKey = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).PublicKey.ToPem(),
                Endpoint = "https://127.0.0.1:7101",
                TlsCertificateSha256 = new string('A', 64),
            });
        }
        return config;
    }

    [Fact]
    public void Members_have_typed_keys_and_the_witnesses_of_an_origin_are_the_other_members()
    {
        var config = Config();
        var network = TrustedNetwork.Parse(config.ToJson());
        Assert.Equal(3, network.Members.Count);
        var changsha = network.ByCity("430100")!;
        Assert.Same(changsha, network.ByOrigin("huren.cz-t/430100"));
        Assert.Equal(NoteSignatureType.Ed25519, changsha.LogKey.Type);
        Assert.Equal(NoteSignatureType.CosignatureV1, changsha.WitnessKey.Type);
        Assert.Equal(SignatureAlgorithm.Sm2Sm3, changsha.Sm2Key!.Algorithm);
        Assert.Equal(NoteSignatureType.HurenSm2Sm3, changsha.Sm2NoteKey!.Type);
        Assert.Equal("430100-root", changsha.RootIssuerId);
        Assert.Equal(new string('a', 64), changsha.TlsCertificateSha256);
        Assert.Equal(new Uri("https://127.0.0.1:7101"), changsha.Endpoint);
        Assert.Equal([network.ByCity("430200")!.WitnessKey, network.ByCity("430300")!.WitnessKey], network.WitnessesFor("huren.cz-t/430100"));
        Assert.Empty(network.WitnessesFor("huren.cz-t/999999"));
        Assert.Null(network.ByOrigin("huren.cz-t/999999"));
    }

    public static TheoryData<string, Action<NetworkMember>> BadKeys => new()
    {
        { "members[430200].logKey", m => m.LogKey = "huren.cz-t/430200+00000000+AQ==" },
        { "members[430200].logKey", m => m.LogKey = m.WitnessKey },
        { "members[430200].logKey", m => m.LogKey = NoteVerifierKey.ForEd25519("huren.cz-t/430300", SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString() },
        { "members[430200].witnessKey", m => m.WitnessKey = "not a key" },
        { "members[430200].witnessKey", m => m.WitnessKey = m.LogKey },
        { "members[430200].sm2PublicKey", m => m.Sm2PublicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n" },
        { "members[430200].sm2PublicKey", m => m.Sm2PublicKey = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey.ToPem() },
        { "members[430200].rootKey", m => m.RootKey = "garbage" },
        { "members[430200].endpoint", m => m.Endpoint = "not a uri" },
        { "members[430200].tlsCertificateSha256", m => m.TlsCertificateSha256 = "abcd" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void A_bad_key_is_refused_naming_the_member_and_the_field(string field, Action<NetworkMember> spoil)
    {
        var config = Config();
        spoil(config.Members[1]);
        var ex = Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson()));
        Assert.StartsWith(field + ":", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TrustedNetwork.From(config));
    }

    [Fact]
    public void A_member_without_an_SM2_key_or_a_pin_is_allowed()
    {
        var config = Config();
        config.Members[0].Sm2PublicKey = "";
        config.Members[0].TlsCertificateSha256 = "";
        var member = TrustedNetwork.From(config).ByCity("430100")!;
        Assert.Null(member.Sm2Key);
        Assert.Null(member.CheckpointVerifier.Sm2Key);
        Assert.Equal("", member.TlsCertificateSha256);
    }
}
