using Huren.Anchoring;
using Huren.Node.Anchoring;
using Huren.Node.Storage;

namespace Huren.Node.Tests.Anchoring;

/// <summary>The anchorer's records and the time-stamps kept in the node's key-value store.</summary>
public sealed class AnchorStoresTests
{
    private static AnchorRecord Record(ulong id, AnchorStatus status = AnchorStatus.Confirmed) => new()
    {
        Id = id,
        Status = status,
        ChainId = 31337,
        Contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3",
        Root = Convert.ToBase64String(new byte[32]),
        CreatedAt = DateTimeOffset.UnixEpoch.AddSeconds(id),
    };

    [Fact]
    public void Records_are_kept_by_id_and_listed_newest_first_across_byte_boundaries()
    {
        using var kv = new MemoryStore();
        var store = new NodeAnchorStore(kv);
        Assert.Null(store.Latest());
        Assert.Empty(store.ListBefore(10, 5));
        // Ids past 255 and 65535 check that keys sort by id (big-endian), not by their first byte.
        foreach (var id in new ulong[] { 1, 2, 255, 256, 257, 65536 }) store.Save(Record(id));
        Assert.Equal(65536UL, store.Latest()!.Id);
        Assert.Equal(256UL, store.Get(256)!.Id);
        Assert.Null(store.Get(3));
        Assert.Equal([257UL, 256, 255], store.ListBefore(65536, 3).Select(r => r.Id));
        Assert.Equal([2UL, 1], store.ListBefore(255, 10).Select(r => r.Id));
        Assert.Empty(store.ListBefore(1, 10));

        // Saving again replaces the record (the anchorer saves at every stage).
        var changed = Record(256, AnchorStatus.Reorged);
        changed.Reorgs = 1;
        store.Save(changed);
        Assert.Equal(AnchorStatus.Reorged, store.Get(256)!.Status);
        Assert.Equal(1, store.Get(256)!.Reorgs);
        Assert.Equal(6, store.ListBefore(ulong.MaxValue, 100).Count);
    }

    [Fact]
    public void Records_are_in_their_own_key_space()
    {
        using var kv = new MemoryStore();
        var other = new KeySpace(kv, StoreFamily.State, "anchorsX");
        other.PutNow([0, 0, 0, 0, 0, 0, 0, 9], "not a record"u8);
        var store = new NodeAnchorStore(kv);
        Assert.Null(store.Latest());
        store.Save(Record(1));
        Assert.Equal(1UL, store.Latest()!.Id);
    }

    [Fact]
    public void Time_stamps_are_found_by_origin_and_size_without_mixing_origins()
    {
        using var kv = new MemoryStore();
        var store = new TimestampStore(kv);
        const string a = "huren.cz-t/430100", b = "huren.cz-t/4301";
        Assert.Null(store.AtOrBelow(a));
        store.Save(new CheckpointTimestamp { Origin = a, Size = 5, Note = "n5", Token = [1, 2, 3], GenTime = DateTimeOffset.UnixEpoch });
        store.Save(new CheckpointTimestamp { Origin = a, Size = 300, Note = "n300", Token = [4], GenTime = DateTimeOffset.UnixEpoch });
        // An origin that is a prefix of another does not see the other's rows (the 0x00 separator).
        Assert.Null(store.AtOrBelow(b));
        store.Save(new CheckpointTimestamp { Origin = b, Size = 7, Note = "b7", Token = [9], GenTime = DateTimeOffset.UnixEpoch });
        Assert.Equal(300UL, store.AtOrBelow(a)!.Size);
        Assert.Equal(5UL, store.AtOrBelow(a, 299)!.Size);
        Assert.Null(store.AtOrBelow(a, 4));
        Assert.Equal("b7", store.AtOrBelow(b)!.Note);
        Assert.Equal([1, 2, 3], store.Get(a, 5)!.Token);
        Assert.Null(store.Get(a, 6));
    }

    [Theory]
    [InlineData("ftp://x", "RpcUrl")]
    [InlineData("http://127.0.0.1:8545", "ChainId", 0UL)]
    [InlineData("http://127.0.0.1:8545", "Contract", 31337UL, "0x12")]
    public void Anchoring_settings_name_what_is_wrong(string url, string named, ulong chainId = 31337, string contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3")
    {
        var options = new AnchoringOptions { RpcUrl = url, ChainId = chainId, Contract = contract };
        Assert.Contains($"Huren:Anchoring:{named}", options.Validate(), StringComparison.Ordinal);
        Assert.Null(new AnchoringOptions().Validate()); // off: nothing to check
        Assert.Contains("Confirmations", new AnchoringOptions { RpcUrl = "http://127.0.0.1:8545", ChainId = 1, Contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3", Confirmations = 0 }.Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Time_stamping_needs_roots_to_check_tokens_before_keeping_them()
    {
        Assert.Null(new TimestampingOptions().Validate());
        Assert.Contains("TrustedRootsFile", new TimestampingOptions { Url = "http://127.0.0.1:7180/tsa" }.Validate(), StringComparison.Ordinal);
        Assert.Contains("Url", new TimestampingOptions { Url = "not a url", TrustedRootsFile = "r.pem" }.Validate(), StringComparison.Ordinal);
        Assert.Null(new TimestampingOptions { Url = "http://127.0.0.1:7180/tsa", TrustedRootsFile = "r.pem" }.Validate());
    }
}
