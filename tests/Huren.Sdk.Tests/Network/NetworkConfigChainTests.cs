using System.Text;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Network;

public class NetworkConfigChainTests
{
    private static (NetworkConfig Genesis, SigningKey[] Roots) Genesis()
    {
        var roots = new[] { SigningKey.Generate(SignatureAlgorithm.Sm2Sm3), SigningKey.Generate(SignatureAlgorithm.Sm2Sm3), SigningKey.Generate(SignatureAlgorithm.Ed25519) };
        var config = new NetworkConfig { NetworkId = "cz-t", Name = "长株潭", WitnessThreshold = 1 };
        string[] cities = ["430100", "430200", "430300"];
        for (var i = 0; i < 3; i++)
        {
            config.Members.Add(new NetworkMember
            {
                CityCode = cities[i], Name = cities[i], Origin = $"huren.cz-t/{cities[i]}",
                LogKey = NoteVerifierKey.ForEd25519($"huren.cz-t/{cities[i]}", SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString(),
                WitnessKey = NoteVerifierKey.ForCosigner($"huren.cz-t/{cities[i]}/witness", SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString(),
                RootKey = roots[i].PublicKey.ToPem(), Endpoint = $"http://127.0.0.1:710{i + 1}",
            });
        }
        return (config, roots);
    }

    private static string NextVersion(NetworkConfig genesis, byte[] genesisBytes, Action<NetworkConfig> change)
    {
        var next = NetworkConfig.Parse(genesis.ToJson());
        next.Version = 2;
        next.Previous = NetworkConfigChain.Digest(genesisBytes);
        change(next);
        return next.ToJson();
    }

    [Fact]
    public void Update_signed_by_a_majority_chains_and_one_signed_by_too_few_is_refused()
    {
        var (genesis, roots) = Genesis();
        var genesisBytes = Encoding.UTF8.GetBytes(genesis.ToJson());
        var unsigned = NextVersion(genesis, genesisBytes, c => c.WitnessThreshold = 2);

        var one = NetworkConfigChain.AddSignature(unsigned, "430100", roots[0]);
        Assert.False(NetworkConfigChain.VerifyNext(genesisBytes, Encoding.UTF8.GetBytes(one), out _, out var error));
        Assert.Contains("majority", error);

        var two = NetworkConfigChain.AddSignature(one, "430300", roots[2]);
        Assert.True(NetworkConfigChain.VerifyNext(genesisBytes, Encoding.UTF8.GetBytes(two), out var next, out error), error);
        Assert.Equal(2, next!.WitnessThreshold);
    }

    /// <summary>A proposal anyone may send: each malformed variant is refused with a reason, none throws (a node answered INTERNAL).</summary>
    [Theory]
    [InlineData("\"cityCode\": \"430200\"", "\"cityCode\": null", "cityCode")]
    [InlineData("\"tlsCertificateSha256\": \"\"", "\"tlsCertificateSha256\": null", "tlsCertificateSha256")]
    [InlineData("\"signatures\": [", "\"signatures\": null, \"x\": [", "signatures")]
    [InlineData("\"name\": \"renamed\"", "\"name\": \"renamed\", \"name\": \"twice\"", "name")]
    [InlineData("\"name\": \"renamed\"", "\"name\": \"renamed\", \"x\": 1.5", "")]
    // Null elements (found by the network review: a NullReferenceException reached the peer as INTERNAL).
    [InlineData("\"members\": [", "\"members\": [null, ", "members[0] is null")]
    [InlineData("\"signatures\": [", "\"signatures\": [null, ", "signatures[0] is null")]
    public void A_malformed_proposal_is_refused_with_a_reason_not_a_fault(string find, string replace, string named)
    {
        var (genesis, roots) = Genesis();
        var genesisBytes = Encoding.UTF8.GetBytes(genesis.ToJson());
        var unsigned = NextVersion(genesis, genesisBytes, c => c.Name = "renamed");
        var signed = NetworkConfigChain.AddSignature(NetworkConfigChain.AddSignature(unsigned, "430100", roots[0]), "430200", roots[1]);
        Assert.Contains(find, signed, StringComparison.Ordinal);
        var broken = signed.Replace(find, replace, StringComparison.Ordinal);
        Assert.False(NetworkConfigChain.VerifyNext(genesisBytes, Encoding.UTF8.GetBytes(broken), out var next, out var error));
        Assert.Null(next);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_by_the_wrong_key_or_over_other_content_do_not_count()
    {
        var (genesis, roots) = Genesis();
        var genesisBytes = Encoding.UTF8.GetBytes(genesis.ToJson());
        var unsigned = NextVersion(genesis, genesisBytes, c => c.Name = "renamed");
        // 430200's slot signed with 430100's key, and a good signature over a document later altered.
        var forged = NetworkConfigChain.AddSignature(NetworkConfigChain.AddSignature(unsigned, "430100", roots[0]), "430200", roots[0]);
        Assert.False(NetworkConfigChain.VerifyNext(genesisBytes, Encoding.UTF8.GetBytes(forged), out _, out _));
        var signed = NetworkConfigChain.AddSignature(NetworkConfigChain.AddSignature(unsigned, "430100", roots[0]), "430200", roots[1]);
        var altered = signed.Replace("\"witnessThreshold\": 1", "\"witnessThreshold\": 0", StringComparison.Ordinal);
        Assert.NotEqual(signed, altered);
        Assert.False(NetworkConfigChain.VerifyNext(genesisBytes, Encoding.UTF8.GetBytes(altered), out _, out _));
        Assert.True(NetworkConfigChain.VerifyNext(genesisBytes, Encoding.UTF8.GetBytes(signed), out _, out var error), error);
    }

    [Fact]
    public void A_version_that_does_not_chain_is_refused()
    {
        var (genesis, roots) = Genesis();
        var genesisBytes = Encoding.UTF8.GetBytes(genesis.ToJson());
        var wrongPrevious = NextVersion(genesis, genesisBytes, c => c.Previous = new string('0', 64));
        wrongPrevious = NetworkConfigChain.AddSignature(NetworkConfigChain.AddSignature(wrongPrevious, "430100", roots[0]), "430200", roots[1]);
        Assert.False(NetworkConfigChain.VerifyNext(genesisBytes, Encoding.UTF8.GetBytes(wrongPrevious), out _, out var error));
        Assert.Contains("previous", error);

        var skipped = NextVersion(genesis, genesisBytes, c => c.Version = 3);
        skipped = NetworkConfigChain.AddSignature(NetworkConfigChain.AddSignature(skipped, "430100", roots[0]), "430200", roots[1]);
        Assert.False(NetworkConfigChain.VerifyNext(genesisBytes, Encoding.UTF8.GetBytes(skipped), out _, out error));
        Assert.Contains("does not follow", error);
    }

    [Fact]
    public void Malformed_configurations_are_refused_with_the_field_named()
    {
        var (genesis, _) = Genesis();
        Assert.Contains("witnessThreshold", Assert.Throws<FormatException>(() => NetworkConfig.Parse(genesis.ToJson().Replace("\"witnessThreshold\": 1", "\"witnessThreshold\": 3", StringComparison.Ordinal))).Message);
        Assert.Contains("origin", Assert.Throws<FormatException>(() => NetworkConfig.Parse(genesis.ToJson().Replace("huren.cz-t/430200\"", "huren.other/430200\"", StringComparison.Ordinal))).Message);
        Assert.Contains("format", Assert.Throws<FormatException>(() => NetworkConfig.Parse(genesis.ToJson().Replace("huren-network/v1", "other", StringComparison.Ordinal))).Message);
    }

    /// <summary>
    /// Found by the spec review: a note holds at most 32 signature lines and two are the origin's, so a threshold above
    /// 30 could never be met (and the collector failed every round adding a 33rd line).
    /// </summary>
    [Fact]
    public void A_witness_threshold_no_checkpoint_note_can_hold_is_refused()
    {
        var (genesis, _) = Genesis();
        for (var i = 4; genesis.Members.Count < 34; i++)
        {
            var city = $"4301{i:D2}";
            genesis.Members.Add(new NetworkMember
            {
                CityCode = city, Name = city, Origin = $"huren.cz-t/{city}",
                LogKey = NoteVerifierKey.ForEd25519($"huren.cz-t/{city}", SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString(),
                WitnessKey = NoteVerifierKey.ForCosigner($"huren.cz-t/{city}/witness", SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString(),
                RootKey = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey.ToPem(), Endpoint = $"http://127.0.0.1:{7100 + i}",
            });
        }
        genesis.WitnessThreshold = NetworkConfig.MaxWitnessThreshold;
        Assert.Equal(30, NetworkConfig.Parse(genesis.ToJson()).WitnessThreshold);
        genesis.WitnessThreshold = NetworkConfig.MaxWitnessThreshold + 1;
        var refused = Assert.Throws<FormatException>(() => NetworkConfig.Parse(genesis.ToJson()));
        Assert.Equal("witnessThreshold 31 is above 30: a checkpoint holds at most 32 signature lines, 2 of them the origin's own", refused.Message);
    }
}
