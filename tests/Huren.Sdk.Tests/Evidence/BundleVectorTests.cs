using System.Text.Json;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The committed evidence vectors (<c>Evidence/Vectors</c>, written once by <see cref="BundleVectorWriter"/>): valid
/// bundles and tampered variants, each with the outcome <c>cases.json</c> gives it; and the verifier never throws, on
/// them or on random damage to them.
/// </summary>
public sealed class BundleVectorTests
{
    /// <summary>A day the test licenses are valid on (from 2024-03-01, no end).</summary>
    private static readonly DateOnly Today = new(2025, 1, 1);

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Evidence", "Vectors");

    private static EvidenceVerifier Verifier() => new(TrustedNetwork.Parse(File.ReadAllBytes(Path.Combine(Folder, "network.json"))));

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")));
        foreach (var c in cases.RootElement.EnumerateArray()) data.Add(c.GetProperty("file").GetString()!);
        return data;
    }

    private static JsonElement CaseOf(string file)
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")));
        return cases.RootElement.EnumerateArray().First(c => c.GetProperty("file").GetString() == file).Clone();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_vector_has_its_stated_outcome(string file)
    {
        var expected = CaseOf(file);
        var result = Verifier().Verify(File.ReadAllText(Path.Combine(Folder, file)), Today, out _);
        var what = expected.GetProperty("what").GetString();
        Assert.True(expected.GetProperty("valid").GetBoolean() == result.IsValid, $"{file} ({what}): {result.Failure}");
        if (expected.TryGetProperty("failure", out var failure)) Assert.Contains(failure.GetString()!, result.Failure, StringComparison.Ordinal);
        if (expected.TryGetProperty("verdict", out var verdict)) Assert.Equal(verdict.GetString(), LicenseVerdictRules.Name(result.Verdict));
        if (expected.TryGetProperty("final", out var final)) Assert.Equal(final.GetBoolean(), result.Final);
    }

    [Fact]
    public void The_vectors_cover_valid_bundles_and_at_least_twenty_refusals()
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")));
        var rows = cases.RootElement.EnumerateArray().ToList();
        Assert.True(rows.Count(r => r.GetProperty("valid").GetBoolean()) >= 3);
        Assert.True(rows.Count(r => !r.GetProperty("valid").GetBoolean()) >= 20);
    }

    [Fact]
    public void Random_damage_to_a_valid_bundle_never_makes_the_verifier_throw()
    {
        var verifier = Verifier();
        var valid = File.ReadAllText(Path.Combine(Folder, "valid-final.json"));
        Assert.True(verifier.Verify(valid, Today, out _).IsValid);
        var random = new Random(16);
        for (var i = 0; i < 400; i++)
        {
            var chars = valid.ToCharArray();
            for (var n = random.Next(1, 4); n > 0; n--) chars[random.Next(chars.Length)] = (char)random.Next(32, 127);
            var damaged = new string(chars);
            var result = verifier.Verify(damaged, Today, out _);
            if (damaged != valid && result.IsValid) Assert.Equal("VALID", LicenseVerdictRules.Name(result.Verdict));
        }
    }

    [Fact]
    public void Null_bundle_and_null_json_are_failures_not_exceptions()
    {
        var verifier = Verifier();
        Assert.Contains("no evidence bundle", verifier.Verify((EvidenceBundle?)null, Today).Failure, StringComparison.Ordinal);
        Assert.Contains("no evidence bundle", verifier.Verify((string?)null, Today, out _).Failure, StringComparison.Ordinal);
        var bundle = EvidenceBundle.Parse(File.ReadAllText(Path.Combine(Folder, "valid-final.json")));
        bundle.Entries[0] = null!;
        Assert.Contains("entries[0] is missing", verifier.Verify(bundle, Today).Failure, StringComparison.Ordinal);
    }
}
