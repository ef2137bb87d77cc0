using System.Text.Json.Nodes;
using Huren.Sdk.Tests;

namespace Huren.Anchoring.Tests;

/// <summary>The committed ABI and bytecode are exactly what the pinned solc makes of the committed source.</summary>
public class ContractArtifactsTests
{
    private static readonly string[] Artifacts = ["HurenAnchor.abi.json", "HurenAnchor.bin", "HurenAnchor.solc-version"];

    [Fact]
    public void Committed_abi_and_bytecode_are_what_the_pinned_solc_compiles()
    {
        _ = AnchorTooling.SolcPackage; // npm ci, if needed
        using var dir = new TempDir();
        var (code, output) = ProcessRunner.Run("node", AnchorTooling.Directory, TimeSpan.FromMinutes(3), "compile.js", "--out", dir.Path);
        Assert.True(code == 0, output);
        foreach (var name in Artifacts)
        {
            var committed = File.ReadAllBytes(Path.Combine(AnchorTooling.Directory, name));
            var fresh = File.ReadAllBytes(dir.File(name));
            Assert.True(committed.AsSpan().SequenceEqual(fresh), $"{name} differs from a fresh compile; run: cd network-config/anchor && node compile.js");
        }
    }

    [Fact]
    public void The_solc_version_is_pinned_exactly_and_is_the_one_that_compiled()
    {
        var package = JsonNode.Parse(File.ReadAllText(Path.Combine(AnchorTooling.Directory, "package.json")))!;
        var pinned = (string)package["dependencies"]!["solc"]!;
        Assert.Matches(@"^\d+\.\d+\.\d+$", pinned);
        Assert.StartsWith(pinned + "+commit.", File.ReadAllText(Path.Combine(AnchorTooling.Directory, "HurenAnchor.solc-version")));
        Assert.Contains($"pragma solidity {pinned};", File.ReadAllText(Path.Combine(AnchorTooling.Directory, "HurenAnchor.sol")));
        var locked = JsonNode.Parse(File.ReadAllText(Path.Combine(AnchorTooling.Directory, "package-lock.json")))!;
        Assert.Equal(pinned, (string?)locked["packages"]!["node_modules/solc"]!["version"]);
    }

    [Fact]
    public void The_library_embeds_the_committed_bytecode()
    {
        var committed = File.ReadAllText(Path.Combine(AnchorTooling.Directory, "HurenAnchor.bin")).Trim();
        Assert.Equal(committed, Chain.HurenAnchorContract.Bytecode);
        Assert.Equal(File.ReadAllText(Path.Combine(AnchorTooling.Directory, "HurenAnchor.abi.json")), Chain.HurenAnchorContract.Abi);
    }
}
