using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Schemas.Services;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The bundle as JSON: each required field left null is named, by <see cref="EvidenceBundle.Parse"/> and by the
/// verifier (from JSON and from an object); JSON that is not a bundle is refused with its reason; the written form is
/// indented, keeps CJK text readable and leaves out absent anchor proofs. Over the committed <c>valid-final</c> vector.
/// </summary>
public sealed class EvidenceBundleTests
{
    private static readonly DateOnly Today = new(2025, 1, 1);
    private const string Changsha = "huren.cz-t/430100";

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Evidence", "Vectors");

    private static string ValidJson => File.ReadAllText(Path.Combine(Folder, "valid-final.json"));

    private static EvidenceVerifier Verifier() => new(TrustedNetwork.Parse(File.ReadAllBytes(Path.Combine(Folder, "network.json"))));

    public static TheoryData<string> NullFields() =>
    [
        "network", "subject", "verdict", "verdict.status", "verdict.asOf", "verdict.asOf.origin", "entries", "checkpoints",
        "entries[1]", "entries[1].origin", "entries[1].leaf", "entries[1].inclusionProof", "entries[1].inclusionProof[0]", "checkpoints[" + Changsha + "]",
    ];

    /// <summary>What each null field is reported as (a null hash in a proof is reported as the proof).</summary>
    private static string Reported(string field) => field switch
    {
        "verdict.asOf.origin" => "verdict.asOf",
        "entries[1].inclusionProof[0]" => "entries[1].inclusionProof",
        _ => field,
    };

    private static JsonObject WithNull(string field)
    {
        var json = JsonNode.Parse(ValidJson)!.AsObject();
        switch (field)
        {
            case "verdict.status": json["verdict"]!["status"] = null; break;
            case "verdict.asOf": json["verdict"]!["asOf"] = null; break;
            case "verdict.asOf.origin": json["verdict"]!["asOf"]!["origin"] = null; break;
            case "entries[1]": json["entries"]![1] = null; break;
            case "entries[1].origin": json["entries"]![1]!["origin"] = null; break;
            case "entries[1].leaf": json["entries"]![1]!["leaf"] = null; break;
            case "entries[1].inclusionProof": json["entries"]![1]!["inclusionProof"] = null; break;
            case "entries[1].inclusionProof[0]": json["entries"]![1]!["inclusionProof"]![0] = null; break;
            case "checkpoints[" + Changsha + "]": json["checkpoints"]![Changsha] = null; break;
            default: json[field] = null; break;
        }
        return json;
    }

    private static void NullOut(EvidenceBundle bundle, string field)
    {
        switch (field)
        {
            case "network": bundle.Network = null!; break;
            case "subject": bundle.Subject = null!; break;
            case "verdict": bundle.Verdict = null!; break;
            case "verdict.status": bundle.Verdict.Status = null!; break;
            case "verdict.asOf": bundle.Verdict.AsOf = null!; break;
            case "verdict.asOf.origin": bundle.Verdict.AsOf.Origin = null!; break;
            case "entries": bundle.Entries = null!; break;
            case "checkpoints": bundle.Checkpoints = null!; break;
            case "entries[1]": bundle.Entries[1] = null!; break;
            case "entries[1].origin": bundle.Entries[1].Origin = null!; break;
            case "entries[1].leaf": bundle.Entries[1].Leaf = null!; break;
            case "entries[1].inclusionProof": bundle.Entries[1].InclusionProof = null!; break;
            case "entries[1].inclusionProof[0]": bundle.Entries[1].InclusionProof[0] = null!; break;
            default: bundle.Checkpoints[Changsha] = null!; break;
        }
    }

    private static void Failed(string failure, EvidenceResult result)
    {
        Assert.Equal(failure, result.Failure);
        Assert.False(result.IsValid);
        Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
        Assert.False(result.Final);
    }

    [Theory]
    [MemberData(nameof(NullFields))]
    public void Each_null_required_field_is_named(string field)
    {
        var json = WithNull(field).ToJsonString();
        var ex = Assert.Throws<FormatException>(() => EvidenceBundle.Parse(json));
        Assert.Equal($"evidence bundle: {Reported(field)} is missing or null", ex.Message);

        var fromJson = Verifier().Verify(json, Today, out var parsed);
        Assert.Null(parsed);
        Failed($"not a valid evidence bundle: evidence bundle: {Reported(field)} is missing or null", fromJson);

        var bundle = EvidenceBundle.Parse(ValidJson);
        NullOut(bundle, field);
        Failed($"{Reported(field)} is missing or null", Verifier().Verify(bundle, Today));
    }

    [Fact]
    public void Json_that_is_not_a_bundle_is_refused_with_its_reason()
    {
        var notJson = Assert.Throws<FormatException>(() => EvidenceBundle.Parse("{ this is not JSON"));
        Assert.StartsWith("evidence bundle is not valid JSON: ", notJson.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(notJson.InnerException);
        // Said plainly, not as System.Text.Json says it (.NET type names, "isFinalBlock").
        Assert.Equal("evidence bundle is not valid JSON: malformed at line 1, byte 3", notJson.Message);
        Assert.Equal("evidence bundle is not valid JSON: it ends early", Assert.Throws<FormatException>(() => EvidenceBundle.Parse(ValidJson[..(ValidJson.Length / 2)])).Message);
        Assert.Equal("evidence bundle is not valid JSON: it is empty", Assert.Throws<FormatException>(() => EvidenceBundle.Parse(" \n")).Message);
        Assert.Equal("evidence bundle is not a JSON object of its form", Assert.Throws<FormatException>(() => EvidenceBundle.Parse("[1, 2]")).Message);
        var wrongType = JsonNode.Parse(ValidJson)!.AsObject();
        wrongType["entries"] = "all of them";
        Assert.Equal("evidence bundle: entries has the wrong type or is out of range", Assert.Throws<FormatException>(() => EvidenceBundle.Parse(wrongType.ToJsonString())).Message);
        Assert.Equal("evidence bundle is not valid JSON: it is nested deeper than 64 levels", Assert.Throws<FormatException>(() => EvidenceBundle.Parse(new string('[', 1000) + new string(']', 1000))).Message);
        Assert.Equal("evidence bundle is empty", Assert.Throws<FormatException>(() => EvidenceBundle.Parse("null")).Message);

        var other = JsonNode.Parse(ValidJson)!.AsObject();
        other["format"] = "huren-evidence/v2";
        Assert.Equal("evidence bundle format 'huren-evidence/v2' is not huren-evidence/v1", Assert.Throws<FormatException>(() => EvidenceBundle.Parse(other.ToJsonString())).Message);
        Assert.Equal("not a valid evidence bundle: evidence bundle format 'huren-evidence/v2' is not huren-evidence/v1", Verifier().Verify(other.ToJsonString(), Today, out _).Failure);

        var none = Verifier().Verify((string?)null, Today, out var bundle);
        Assert.Null(bundle);
        Failed("there is no evidence bundle", none);
        Failed("there is no evidence bundle", Verifier().Verify((EvidenceBundle?)null, Today));
    }

    [Fact]
    public void A_parsed_bundle_is_handed_back_and_verified()
    {
        var result = Verifier().Verify(ValidJson, Today, out var bundle);
        Assert.True(result.IsValid, result.Failure);
        Assert.NotNull(bundle);
        Assert.Equal(result.Subject, bundle.Subject);
        Assert.Equal(EvidenceBundle.FormatV1, bundle.Format);
    }

    [Fact]
    public void The_written_form_is_indented_readable_and_without_absent_anchor_proofs()
    {
        var bundle = EvidenceBundle.Parse(ValidJson);
        bundle.Verdict.Reason = "营业执照有效";
        var json = bundle.ToJson();
        Assert.StartsWith("{\n  \"format\": \"huren-evidence/v1\",\n  \"network\": ", json.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("\"reason\": \"营业执照有效\"", json, StringComparison.Ordinal);
        Assert.Contains("\"statusProofs\": []", json, StringComparison.Ordinal);
        Assert.DoesNotContain("anchorProofs", json, StringComparison.Ordinal);
        Assert.Equal(json, EvidenceBundle.Parse(json).ToJson());

        bundle.AnchorProofs = [];
        Assert.Contains("\"anchorProofs\": []", bundle.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_verifier_needs_a_network_and_shares_it()
    {
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => new EvidenceVerifier((TrustedNetwork)null!)).ParamName);
        var network = TrustedNetwork.Parse(File.ReadAllBytes(Path.Combine(Folder, "network.json")));
        Assert.Same(network, new EvidenceVerifier(network).Network);
        Assert.Same(network, new SealEvidenceVerifier(new EvidenceVerifier(network)).Network);
        Assert.Equal("bundles", Assert.Throws<ArgumentNullException>(() => new SealEvidenceVerifier((EvidenceVerifier)null!)).ParamName);
    }
}
