using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;

namespace Huren.Anchoring.Tests;

/// <summary>Member logs of a test network with real signed checkpoints (the anchorer trusts its caller for finality, so one signature is enough here).</summary>
internal sealed class TestCheckpoints
{
    private readonly Dictionary<string, (CheckpointSigner Signer, MemoryMerkleTree Tree)> _logs = new(StringComparer.Ordinal);

    public TestCheckpoints(params string[] cities)
    {
        foreach (var city in cities)
        {
            var origin = $"huren.cz-t/{city}";
            _logs[origin] = (new CheckpointSigner(origin, SigningKey.Generate(SignatureAlgorithm.Ed25519), null), new MemoryMerkleTree());
        }
    }

    public IReadOnlyCollection<string> Origins => _logs.Keys;

    public void Grow(string origin, int count)
    {
        var tree = _logs[origin].Tree;
        for (var i = 0; i < count; i++) tree.Append(System.Text.Encoding.UTF8.GetBytes($"{origin} entry {tree.Size}"));
    }

    public void GrowAll(int count)
    {
        foreach (var origin in _logs.Keys) Grow(origin, count);
    }

    public string Note(string origin)
    {
        var (signer, tree) = _logs[origin];
        return signer.Sign(new Checkpoint(origin, tree.Size, tree.Root().AsSpan())).ToString();
    }

    public List<string> Notes() => [.. _logs.Keys.Select(Note)];
}

/// <summary>A clock the test moves.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
