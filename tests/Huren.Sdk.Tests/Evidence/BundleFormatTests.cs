using System.Text.Json.Nodes;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// Optional text fields of a <c>huren-evidence/v1</c> bundle left out of the JSON read as empty strings (only its
/// required <c>format</c> may not be left out, and an
/// explicit null is refused as missing), are written back as empty strings, and the verifier reports them as empty.
/// </summary>
public sealed class BundleFormatTests
{
    private static readonly DateOnly Today = new(2025, 1, 1);

    /// <summary>ThreeCityLog's valid bundle as JSON, with <paramref name="change"/> applied.</summary>
    private static string Json(Action<JsonObject> change)
    {
        var log = ThreeCityLog.Shared;
        var json = JsonNode.Parse(log.Bundle(log.Note).ToJson())!.AsObject();
        change(json);
        return json.ToJsonString();
    }

    private static EvidenceResult Verify(string json, out EvidenceBundle? bundle)
        => new EvidenceVerifier(ThreeCityLog.Shared.Network).Verify(json, Today, out bundle);

    [Fact]
    public void A_bundle_of_only_its_format_reads_every_text_as_empty()
    {
        var bundle = EvidenceBundle.Parse("{\"format\":\"huren-evidence/v1\"}");
        Assert.Equal(("", ""), (bundle.Network, bundle.Subject));
        Assert.Equal(("", "", ""), (bundle.Verdict.Status, bundle.Verdict.Reason, bundle.Verdict.AsOf.Origin));
        Assert.Empty(bundle.Entries);
        Assert.Empty(bundle.Checkpoints);

        var written = JsonNode.Parse(bundle.ToJson())!.AsObject();
        Assert.Equal(("", ""), (written["network"]!.GetValue<string>(), written["subject"]!.GetValue<string>()));
        Assert.Equal("{\"status\":\"\",\"reason\":\"\",\"asOf\":{\"origin\":\"\",\"size\":0}}", written["verdict"]!.ToJsonString());
    }

    [Fact]
    public void An_entry_of_only_braces_reads_an_empty_origin_and_leaf()
    {
        var bundle = EvidenceBundle.Parse("{\"format\":\"huren-evidence/v1\",\"entries\":[{}]}");
        var entry = Assert.Single(bundle.Entries);
        Assert.Equal(("", "", 0UL, 0UL), (entry.Origin, entry.Leaf, entry.Index, entry.TreeSize));
        Assert.Empty(entry.InclusionProof);
    }

    [Fact]
    public void A_bundle_without_its_format_is_refused_like_one_of_another_format()
    {
        var ex = Assert.Throws<FormatException>(() => EvidenceBundle.Parse(Json(j => j.Remove("format"))));
        Assert.Contains("'format'", ex.Message, StringComparison.Ordinal);
        var result = Verify(Json(j => j.Remove("format")), out var bundle);
        Assert.Null(bundle);
        Assert.False(result.IsValid);
        Assert.Contains("'format'", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_without_a_network_is_for_the_empty_network()
    {
        var result = Verify(Json(j => j.Remove("network")), out var bundle);
        Assert.Equal("", bundle!.Network);
        Assert.Equal("bundle is for network '', the configuration is 'cz-t'", result.Failure);
    }

    [Fact]
    public void A_bundle_without_a_subject_is_about_the_empty_id()
    {
        var result = Verify(Json(j => j.Remove("subject")), out _);
        Assert.Equal("the bundle has no license.issue entry for ''", result.Failure);
    }

    [Fact]
    public void A_verdict_without_status_or_log_states_nothing_and_is_refused()
    {
        var noStatus = Verify(Json(j => j["verdict"]!.AsObject().Remove("status")), out _);
        Assert.Equal("the bundle states , its entries give VALID as of its day 2026-11-18", noStatus.Failure);

        var noLog = Verify(Json(j => j["verdict"]!["asOf"]!.AsObject().Remove("origin")), out _);
        Assert.Equal($"the verdict is stated as of  size 2, but the license's log is {ThreeCityLog.Origin} with checkpoint size 2", noLog.Failure);

        var noReason = Verify(Json(j => j["verdict"]!.AsObject().Remove("reason")), out var bundle);
        Assert.True(noReason.IsValid, noReason.Failure);
        Assert.Equal("", bundle!.Verdict.Reason);
    }

    [Fact]
    public void An_entry_without_its_origin_or_leaf_is_refused_for_what_it_lacks()
    {
        var noOrigin = Verify(Json(j => j["entries"]![1]!.AsObject().Remove("origin")), out _);
        Assert.Equal("entry #1 has no checkpoint in the bundle", noOrigin.Failure);

        // An absent leaf is the empty text: no leaf at all.
        var noLeaf = Verify(Json(j => j["entries"]![1]!.AsObject().Remove("leaf")), out _);
        Assert.Equal($"entry {ThreeCityLog.Origin}#1: leaf is not canonical standard base64", noLeaf.Failure);
    }
}
