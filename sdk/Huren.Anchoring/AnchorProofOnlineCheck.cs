using Huren.Anchoring.Chain;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Merkle;

namespace Huren.Anchoring;

/// <summary>What the chain said about an anchor proof.</summary>
/// <param name="IsValid">The chain holds the anchor as the proof describes it, with enough confirmations.</param>
/// <param name="Failure">Why not.</param>
/// <param name="Confirmations">Confirmations of the anchoring block now (0 when not found).</param>
/// <param name="BlockTime">The block's timestamp as the chain reports it.</param>
public sealed record AnchorOnlineResult(bool IsValid, string? Failure, ulong Confirmations, DateTimeOffset? BlockTime);

/// <summary>
/// The online half of anchor-proof verification (the offline half is the SDK's <see cref="AnchorProofVerifier"/>, run
/// first): asks an EVM JSON-RPC endpoint whether the chain is the proof's, the transaction's receipt exists and
/// succeeded in the proof's block, that block is canonical, the receipt holds the contract's <c>Anchored</c> log at the
/// proof's index with the proof's sequence, root and leaf count, the contract still returns that root for the
/// sequence, and the block has at least the required confirmations.
/// </summary>
public sealed class AnchorProofOnlineCheck(AnchorChainClient chain)
{
    /// <summary>Checks <paramref name="proof"/> against the chain.</summary>
    /// <exception cref="AnchorChainException">The endpoint could not be asked (down, timeout): no answer either way.</exception>
    public async Task<AnchorOnlineResult> CheckAsync(AnchorProof proof, ulong minConfirmations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        static AnchorOnlineResult Fail(string reason, ulong confirmations = 0, DateTimeOffset? time = null) => new(false, reason, confirmations, time);
        var at = proof.Chain;
        if (at.ChainId != chain.Options.ChainId) return Fail($"the proof is for chain {at.ChainId}, the endpoint is configured for {chain.Options.ChainId}");
        if (!EvmHex.SameAddress(at.Contract, chain.Options.Contract)) return Fail($"the proof names contract {at.Contract}, the check is configured for {chain.Options.Contract}");
        if (!Hash256.TryParse(proof.AnchorRoot, out var root)) return Fail("anchorRoot is not the base64 of 32 bytes");
        try
        {
            await chain.CheckChainIdAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AnchorChainException ex) when (ex.IsPermanent)
        {
            return Fail(ex.Message);
        }

        var receipt = await chain.GetReceiptAsync(at.Transaction, cancellationToken).ConfigureAwait(false);
        if (receipt is null) return Fail($"the chain has no receipt for transaction {at.Transaction}");
        if (!receipt.Succeeded) return Fail($"transaction {at.Transaction} reverted");
        if (receipt.BlockNumber != at.BlockNumber || !string.Equals(receipt.BlockHash, at.BlockHash, StringComparison.OrdinalIgnoreCase))
            return Fail($"transaction {at.Transaction} is in block {receipt.BlockNumber} ({receipt.BlockHash}), not {at.BlockNumber} ({at.BlockHash})");
        var block = await chain.GetBlockAsync(at.BlockNumber, cancellationToken).ConfigureAwait(false);
        if (block is null || !string.Equals(block.Hash, at.BlockHash, StringComparison.OrdinalIgnoreCase))
            return Fail($"block {at.BlockNumber} ({at.BlockHash}) is not on the canonical chain");
        var time = DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp);
        if (receipt.Anchored is not { } log) return Fail($"transaction {at.Transaction} has no Anchored log from {at.Contract}", time: time);
        if (log.LogIndex != at.LogIndex) return Fail($"the Anchored log is at index {log.LogIndex}, the proof says {at.LogIndex}", time: time);
        if (log.Sequence != at.Sequence) return Fail($"the Anchored log has sequence {log.Sequence}, the proof says {at.Sequence}", time: time);
        if (!log.Root.Equals(root)) return Fail($"the Anchored log has root {log.Root}, the proof says {root}", time: time);
        if (log.LeafCount != proof.LeafCount) return Fail($"the Anchored log counts {log.LeafCount} leaves, the proof {proof.LeafCount}", time: time);
        if (at.BlockTime != 0 && at.BlockTime != block.Timestamp) return Fail($"block time is {block.Timestamp}, the proof says {at.BlockTime}", time: time);
        var stored = await chain.GetAnchorAsync(at.Sequence, cancellationToken).ConfigureAwait(false);
        if (!stored.Root.Equals(root)) return Fail($"the contract's anchor {at.Sequence} has root {stored.Root}, the proof says {root}", time: time);

        var head = await chain.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var confirmations = head >= at.BlockNumber ? head - at.BlockNumber + 1 : 0;
        if (confirmations < minConfirmations) return Fail($"only {confirmations} confirmations, {minConfirmations} required", confirmations, time);
        return new AnchorOnlineResult(true, null, confirmations, time);
    }
}
