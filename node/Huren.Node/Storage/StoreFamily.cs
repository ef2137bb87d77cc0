namespace Huren.Node.Storage;

/// <summary>
/// The column families of the node's store. Every key space lives in one family under its own name prefix
/// (<see cref="KeySpace"/>); a family groups rows that are read alike (leaves compress, hashes do not).
/// </summary>
public enum StoreFamily
{
    /// <summary>Leaves: exact SignedEntry bytes (LZ4).</summary>
    Entries,
    /// <summary>Hashes of complete Merkle subtrees.</summary>
    Nodes,
    /// <summary>Leaf hash → index.</summary>
    LeafIndex,
    /// <summary>Record id → index rows.</summary>
    Records,
    /// <summary>Signed checkpoint notes by tree size.</summary>
    Checkpoints,
    /// <summary>Small rows read at start: a log's head.</summary>
    Meta,
    /// <summary>Derived state rows (ledger, witness, network configuration versions).</summary>
    State,
}
