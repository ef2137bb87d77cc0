using Grpc.Core;
using Huren.Node.Network;
using Huren.Schemas.Services;
using Huren.Sdk.Network;

namespace Huren.Node.Recovery;

/// <summary>A checkpoint of the node's own log that another member holds, verified under the node's own log key.</summary>
/// <param name="Peer">The member that holds it.</param>
/// <param name="Kind">Where it holds it: <c>witness</c> (the last it cosigned) or <c>mirror</c> (its copy's latest).</param>
/// <param name="Size">The checkpoint's size.</param>
/// <param name="Root">Its root hash.</param>
public sealed record LogClaim(string Peer, string Kind, ulong Size, byte[] Root)
{
    /// <summary>Says who holds what, e.g. <c>the witness of huren.cz-t/430100 (size 12)</c>.</summary>
    public override string ToString() => $"the {Kind} of {Peer} (size {Size})";
}

/// <summary>
/// Asks another member's node what it holds of this node's own log: the last checkpoint its witness cosigned and its
/// mirror's latest checkpoint. Answers are untrusted: a note that does not verify under this node's own log key (as the
/// network configuration lists it) is dropped and reported.
/// </summary>
internal sealed class PeerClaims(PeerClients peers, TrustedMember self, TimeSpan deadline)
{
    /// <summary>The verified claims of <paramref name="peer"/> and the problems with its answers; throws when it cannot be reached.</summary>
    public async Task<(List<LogClaim> Claims, List<string> Problems)> AskAsync(TrustedMember peer, CancellationToken cancellationToken)
    {
        using var client = peers.For(peer, deadline);
        var claims = new List<LogClaim>();
        var problems = new List<string>();
        var cosigned = await client.Witness.GetCosignedAsync(new CosignedCheckpointRequest { Origin = self.Origin }, client.Options(cancellationToken)).ConfigureAwait(false);
        if (cosigned.Found) Add(peer, "witness", cosigned.Note, claims, problems);
        try
        {
            var mirrored = await client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = self.Origin }, client.Options(cancellationToken)).ConfigureAwait(false);
            Add(peer, "mirror", mirrored.Note, claims, problems);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // Its mirror holds no checkpoint of this log yet.
        }
        return (claims, problems);
    }

    private void Add(TrustedMember peer, string kind, string note, List<LogClaim> claims, List<string> problems)
    {
        var verified = self.CheckpointVerifier.Verify(note);
        if (!verified.IsValid || verified.Checkpoint is not { } checkpoint || checkpoint.Origin != self.Origin)
        {
            problems.Add($"the {kind} of {peer.Origin} answered a checkpoint that does not verify under {self.Origin}'s log key: {verified.Failure ?? "another origin"}");
            return;
        }
        claims.Add(new LogClaim(peer.Origin, kind, checkpoint.Size, checkpoint.GetRootHash()));
    }
}
