using Grpc.Core;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;

namespace Huren.Cli.Commands.Trace;

/// <summary>
/// A node the flow audit can read a log from: the node asked, or the log's own city's node.
/// </summary>
/// <param name="CityCode">The node's city.</param>
/// <param name="FinalCheckpoint">Its newest final checkpoint of a log, verified, waiting until the deadline (<see cref="HurenClient.FinalCheckpointAsync"/>).</param>
/// <param name="LatestCheckpoint">Its newest checkpoint of a log, final or not, as it answers.</param>
/// <param name="Page">A page of a log's entries from an index.</param>
internal sealed record FlowSource(
    string CityCode,
    Func<TrustedMember, DateTime, CancellationToken, Task<(ulong Size, string Note)>> FinalCheckpoint,
    Func<TrustedMember, CancellationToken, Task<CheckpointResponse>> LatestCheckpoint,
    Func<string, ulong, CancellationToken, Task<GetEntriesResponse>> Page)
{
    /// <summary>The reads of <paramref name="client"/>, the node of <paramref name="cityCode"/>.</summary>
    public static FlowSource Of(string cityCode, HurenClient client, TrustedNetwork network) => new(cityCode,
        (member, deadline, ct) => client.FinalCheckpointAsync(network, member.Origin, 0, deadline, ct),
        async (member, ct) => await client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = member.Origin }, client.Options(ct)).ConfigureAwait(false),
        async (origin, start, ct) => await client.Ledger.GetEntriesAsync(new GetEntriesRequest { Origin = origin, Start = start, Count = 1000 }, client.Options(ct)).ConfigureAwait(false));
}

/// <summary>
/// Every share and receipt in the logs of a network (one scan of every member's log): what <c>trace --flows</c> and
/// <c>audit flows</c> join. Each log is read whole up to a final checkpoint and its leaves checked against that
/// checkpoint's root (<see cref="ReadLogAsync"/>): from the node asked, or from the log's own node when that holds a
/// newer final checkpoint, so that one node's lagging (or withheld) copy of a log does not shorten the audit unseen.
/// </summary>
internal sealed class FlowLedger
{
    public sealed record Share(string Origin, ulong Index, byte[] LeafHash, Entry Entry, DataShared Body, EntryReference? ReceiptReference);

    public sealed record Receipt(string Origin, ulong Index, byte[] LeafHash, Entry Entry, DataReceived Body, EntryReference? ShareReference);

    public List<Share> Shares { get; } = [];

    public List<Receipt> Receipts { get; } = [];

    /// <summary>The size read of each log (its final checkpoint's), by origin.</summary>
    public Dictionary<string, ulong> SizesRead { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The size of each log's newest checkpoint at the node when it was read, by origin. Beyond <see cref="SizesRead"/> it
    /// counts entries not yet cosigned by the witnesses, which a reading does not cover: the audit says how many, so that a
    /// log whose witnesses lag is not audited short unseen.
    /// </summary>
    public Dictionary<string, ulong> LatestSizes { get; } = new(StringComparer.Ordinal);

    /// <summary>Why a log's newest checkpoint is not known (its note did not verify, or the node did not give it), by origin.</summary>
    public Dictionary<string, string> LatestUnknown { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The logs whose newest entries were read from their own city's node, which held a newer final checkpoint than the
    /// node asked, by origin, with what the node asked held: the size of its newest final checkpoint (null when it held
    /// none) and, then, why not.
    /// </summary>
    public Dictionary<string, (string CityCode, ulong? AskedFinal, string? AskedProblem)> ReadFromOwnNode { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The logs whose own city's node gave a newer final checkpoint than the node asked but whose entries beyond the node
    /// asked's were refused (not given in time, or not making its root on what the node asked proved), by origin: the
    /// reading stops at the node asked's final checkpoint. The audit reports them as faults.
    /// </summary>
    public Dictionary<string, (string CityCode, ulong Size, string Why)> OwnNodeRefused { get; } = new(StringComparer.Ordinal);

    /// <summary>Why a log's own node could not be asked, or did not answer, by origin (the log is then read from the node asked alone).</summary>
    public Dictionary<string, string> OwnNodeUnasked { get; } = new(StringComparer.Ordinal);

    /// <summary>The entries of <paramref name="origin"/>'s log beyond what was read (not yet final at the node); null when the newest checkpoint is not known.</summary>
    public ulong? NotYetFinal(string origin)
    {
        if (!LatestSizes.TryGetValue(origin, out var latest)) return null;
        return SizesRead.TryGetValue(origin, out var read) && latest > read ? latest - read : 0;
    }

    /// <summary>
    /// What was covered, for people: each log up to its newest final checkpoint, and how many newer entries (not yet
    /// cosigned by the witnesses) were left out, so that a reading made short by lagging witnesses says so.
    /// </summary>
    public string Coverage()
    {
        var text = new StringBuilder("Read up to each log's newest final checkpoint:");
        foreach (var (origin, size) in SizesRead.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {origin}: {size} entries");
            if (ReadFromOwnNode.TryGetValue(origin, out var own))
            {
                text.Append(CultureInfo.InvariantCulture, $", the newest from its own node {own.CityCode} (the node asked held ")
                    .Append(own.AskedFinal is { } asked ? $"a final checkpoint of {asked} entries only" : $"no final checkpoint of it: {own.AskedProblem}").Append(')');
            }
            else if (OwnNodeUnasked.TryGetValue(origin, out var unasked))
            {
                text.Append(CultureInfo.InvariantCulture, $" (not compared with its own node: {unasked})");
            }
            if (OwnNodeRefused.TryGetValue(origin, out var refused))
                text.Append(CultureInfo.InvariantCulture, $"; FAULT: its own node {refused.CityCode} gave a final checkpoint of {refused.Size} entries, not read: {refused.Why}");
            else if (LatestUnknown.TryGetValue(origin, out var why))
                text.Append(CultureInfo.InvariantCulture, $"; its newest checkpoint is unknown ({why}): newer entries may not have been read");
            else if (NotYetFinal(origin) is > 0 and var left)
                text.Append(CultureInfo.InvariantCulture, $"; {left} newer not yet cosigned by the witnesses, not read (try again later)");
        }
        return text.ToString();
    }

    /// <summary>
    /// Whether <paramref name="receipt"/> names a share beyond what was read of the provider's log: each log is read up to
    /// its own newest final checkpoint, so the consumer's may already hold the receipt of a share the provider's final
    /// checkpoint does not cover yet. No fault: a later audit judges it.
    /// </summary>
    public bool BeyondRead(Receipt receipt)
        => receipt.ShareReference is { } reference && SizesRead.TryGetValue(reference.Origin, out var size) && reference.Index >= size;

    /// <summary>The license issue entries, by record id (for the root of a flow tree).</summary>
    public List<(string Origin, ulong Index, byte[] LeafHash, Entry Entry)> Issues { get; } = [];

    /// <summary>
    /// Reads every member's log from the session's node, each compared with its own city's node when the profile holds
    /// an auditor credential there (<see cref="ReadMemberAsync"/>).
    /// </summary>
    public static async Task<FlowLedger> ReadAsync(NodeSession session, CancellationToken ct)
    {
        var asked = FlowSource.Of(session.City.CityCode, session.Client, session.Network);
        var members = new List<(TrustedMember Member, FlowSource? Own, string? Unasked)>(session.Network.Members.Count);
        foreach (var member in session.Network.Members)
        {
            FlowSource? own = null;
            string? unasked = null;
            if (member.CityCode != session.City.CityCode)
            {
                if (session.Profile.FindCity(member.CityCode) is not { } city) unasked = $"the profile has no city {member.CityCode}";
                else if (city.FindByRole(CliRoles.Auditor) is not { } auditor) unasked = $"the profile has no auditor credential for city {member.CityCode}";
                else
                {
                    try
                    {
                        own = FlowSource.Of(city.CityCode, session.ClientOf(city, auditor), session.Network);
                    }
                    catch (CliException ex)
                    {
                        unasked = ex.Message;
                    }
                }
            }
            members.Add((member, own, unasked));
        }
        return await ReadMembersAsync(session.Network, asked, members, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads each of <paramref name="members"/>' logs (<see cref="ReadMemberAsync"/>) at once, each into a ledger of its
    /// own, merged in the order given: a log whose own node is slow (up to its budget) or whose node asked waits for
    /// finality does not hold up the others, and the result is what reading them one after another gives. A fork in
    /// any log ends the audit (the first in that order is thrown) once every reading has ended.
    /// </summary>
    internal static async Task<FlowLedger> ReadMembersAsync(TrustedNetwork network, FlowSource asked, IReadOnlyList<(TrustedMember Member, FlowSource? Own, string? Unasked)> members,
        CancellationToken ct, TimeSpan? ownBudget = null)
    {
        var readings = new Task<FlowLedger>[members.Count];
        for (var i = 0; i < members.Count; i++)
        {
            var (member, own, unasked) = members[i];
            readings[i] = Task.Run(async () =>
            {
                var one = new FlowLedger();
                await one.ReadMemberAsync(network, member, asked, own, unasked, ct, ownBudget).ConfigureAwait(false);
                return one;
            }, ct);
        }
        // Every reading ends first; a failure is thrown below, the first in the members' order.
        await ((Task)Task.WhenAll(readings)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var ledger = new FlowLedger();
        foreach (var reading in readings) ledger.Take(await reading.ConfigureAwait(false));
        return ledger;
    }

    /// <summary>Adds everything <paramref name="one"/> read (another log's) to this ledger.</summary>
    private void Take(FlowLedger one)
    {
        Shares.AddRange(one.Shares);
        Receipts.AddRange(one.Receipts);
        Issues.AddRange(one.Issues);
        foreach (var (origin, size) in one.SizesRead) SizesRead[origin] = size;
        foreach (var (origin, size) in one.LatestSizes) LatestSizes[origin] = size;
        foreach (var (origin, why) in one.LatestUnknown) LatestUnknown[origin] = why;
        foreach (var (origin, read) in one.ReadFromOwnNode) ReadFromOwnNode[origin] = read;
        foreach (var (origin, refused) in one.OwnNodeRefused) OwnNodeRefused[origin] = refused;
        foreach (var (origin, why) in one.OwnNodeUnasked) OwnNodeUnasked[origin] = why;
    }

    /// <summary>
    /// Reads <paramref name="member"/>'s log into the ledger: from <paramref name="asked"/> up to its newest final
    /// checkpoint, then, when the log's own node <paramref name="own"/> (null when it cannot be asked,
    /// <paramref name="unasked"/> saying why) holds a newer one, only the entries beyond from the own node, believed
    /// when they make its checkpoint's root on the prefix the node asked proved. So the own node can lengthen the reading
    /// but not change what the node asked proved; if its newer entries fail, time out or do not make its root, the
    /// reading stands at the node asked's checkpoint and the refusal is reported (<see cref="OwnNodeRefused"/>). Two final
    /// checkpoints that are not of one log (a fork) end the audit with both named. The own node is asked without waiting;
    /// the node asked is waited for (<see cref="FinalityWait"/>) only when the own node gives no final checkpoint.
    /// </summary>
    internal async Task ReadMemberAsync(TrustedNetwork network, TrustedMember member, FlowSource asked, FlowSource? own, string? unasked, CancellationToken ct, TimeSpan? ownBudget = null)
    {
        var budgetTime = ownBudget ?? OwnNodeBudget;
        (ulong Size, string Note)? ownFinal = null;
        ulong? ownLatest = null;
        if (own is not null)
        {
            try
            {
                ownFinal = await own.FinalCheckpoint(member, DateTime.UtcNow, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException && !ct.IsCancellationRequested)
            {
                unasked = $"it did not give a final checkpoint: {(ex is RpcException rpc ? CliApp.Describe(rpc) : ex.Message)}";
            }
            if (ownFinal is not null) (ownLatest, _) = await LatestSizeAsync(own, member, ct).ConfigureAwait(false);
        }
        if (unasked is not null) OwnNodeUnasked[member.Origin] = unasked;
        (ulong Size, string Note)? askedFinal = null;
        string? askedProblem = null;
        try
        {
            askedFinal = await asked.FinalCheckpoint(member, DateTime.UtcNow + (ownFinal is null ? FinalityWait : TimeSpan.Zero), ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex) when (ownFinal is null)
        {
            throw new CliException($"{ex.Message}; a log's own node could sign any copy of it, so its flows are audited only from a final checkpoint: try again when the witnesses have cosigned it", ex);
        }
        catch (InvalidOperationException ex)
        {
            // The own node's final checkpoint is read instead; what the node asked held is said.
            askedProblem = ex.Message;
        }
        var (latest, unknown) = await LatestSizeAsync(asked, member, ct).ConfigureAwait(false);
        // The larger of the two newest checkpoints: a node asked that lags would otherwise hide how much is left out.
        if (latest is not null || ownLatest is not null) LatestSizes[member.Origin] = Math.Max(latest ?? 0, ownLatest ?? 0);
        else LatestUnknown[member.Origin] = unknown!;

        var frontier = new MerkleFrontier();
        var askedNode = $"node {asked.CityCode}";
        // The root of the entries read at the own node's final size, when that is not beyond the node asked's.
        byte[]? rootAtOwnSize = null;
        if (askedFinal is { } af)
        {
            var watched = ownFinal?.Size;
            await foreach (var read in ReadLogAsync(network, member, af.Note, start => asked.Page(member.Origin, start, ct), askedNode, frontier,
                grown => { if (grown.Size == watched) rootAtOwnSize = grown.Root().AsSpan().ToArray(); }).ConfigureAwait(false)) Add(member.Origin, read);
            SizesRead[member.Origin] = af.Size;
        }
        if (ownFinal is not { } of) return;
        var ownNode = $"node {own!.CityCode} (the log's own)";
        var ownRoot = member.VerifyCheckpoint(of.Note).Checkpoint!.GetRootHash();
        if (askedFinal is { } prefix && of.Size <= prefix.Size)
        {
            // The own node is no further along: its checkpoint must be of the log the node asked proved, which the
            // entries read fix at every size up to the node asked's.
            if (of.Size > 0 && !ownRoot.AsSpan().SequenceEqual(rootAtOwnSize)) throw Forked(member, of.Size, ownNode, prefix.Size, askedNode);
            return;
        }
        // Only the entries beyond the node asked's final checkpoint come from the own node, within a time budget, held
        // apart until they make its root on the proved prefix.
        var tail = new FlowLedger();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(budgetTime);
        try
        {
            await foreach (var read in ReadLogAsync(network, member, of.Note, start => own.Page(member.Origin, start, budget.Token), ownNode, frontier).ConfigureAwait(false)) tail.Add(member.Origin, read);
        }
        catch (Exception ex) when (askedFinal is not null && !ct.IsCancellationRequested && ex is CliException or RpcException or OperationCanceledException)
        {
            OwnNodeRefused[member.Origin] = (own.CityCode, of.Size, ex switch
            {
                RpcException rpc => $"it did not give its newer entries: {CliApp.Describe(rpc)}",
                OperationCanceledException => $"it did not give its newer entries within {budgetTime.TotalSeconds:0.#} s",
                _ when frontier.Size == of.Size => $"its newer entries do not make its final checkpoint's root on the {askedFinal.Value.Size} entries node {asked.CityCode} proved: it altered them, or the log has forked (run 'huren audit equivocations')",
                _ => ex.Message,
            });
            return;
        }
        Shares.AddRange(tail.Shares);
        Receipts.AddRange(tail.Receipts);
        Issues.AddRange(tail.Issues);
        SizesRead[member.Origin] = of.Size;
        ReadFromOwnNode[member.Origin] = (own.CityCode, askedFinal?.Size, askedProblem);
    }

    /// <summary>How long the log's own node has to give the entries beyond the node asked's final checkpoint.</summary>
    internal static readonly TimeSpan OwnNodeBudget = TimeSpan.FromMinutes(2);

    private static CliException Forked(TrustedMember member, ulong size, string node, ulong otherSize, string otherNode)
        => new($"{member.Origin}: {node}'s final checkpoint of size {size} is not of the log {otherNode}'s final checkpoint of size {otherSize} proves: both carry the witness threshold of "
            + "cosignatures, so the log has forked (run 'huren audit equivocations'); its flows cannot be audited from either");

    private void Add(string origin, (ulong Index, byte[] Leaf, Entry Entry) read)
    {
        var (index, leaf, entry) = read;
        var hash = MerkleHash.LeafHash(leaf).ToArray();
        switch (entry.Kind)
        {
            case EntryKinds.Share when CanonicalCodec.TryDecode<DataShared>(entry.Body, out var share, out _):
                Shares.Add(new Share(origin, index, hash, entry, share!, entry.References.Find(r => r.Relation == Relations.Receipt)));
                break;
            case EntryKinds.Receipt when CanonicalCodec.TryDecode<DataReceived>(entry.Body, out var receipt, out _):
                Receipts.Add(new Receipt(origin, index, hash, entry, receipt!, entry.References.Find(r => r.Relation == Relations.Share)));
                break;
            case EntryKinds.LicenseIssue:
                Issues.Add((origin, index, hash, entry));
                break;
        }
    }

    /// <summary>How long the audit waits for the node to hold a final checkpoint of a log.</summary>
    private static readonly TimeSpan FinalityWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The size of the node's newest checkpoint of <paramref name="member"/>'s log, final or not, when its note verifies
    /// under the network configuration; else why not. It only tells the auditor what the reading left out, so a failure
    /// here is reported, not fatal.
    /// </summary>
    private static async Task<(ulong? Size, string? Unknown)> LatestSizeAsync(FlowSource node, TrustedMember member, CancellationToken ct)
    {
        try
        {
            var answer = await node.LatestCheckpoint(member, ct).ConfigureAwait(false);
            var verified = member.VerifyCheckpoint(answer.Note);
            return verified.IsValid ? (verified.Checkpoint!.Size, null) : (null, $"it does not verify: {verified.Failure}");
        }
        catch (RpcException ex) when (!ct.IsCancellationRequested)
        {
            return (null, $"the node did not give it: {CliApp.Describe(ex)}");
        }
    }

    /// <summary>
    /// Every entry of <paramref name="member"/>'s log up to the node's checkpoint <paramref name="note"/>, believed only
    /// as a whole: the checkpoint must verify against the network configuration and be final (cosigned by the witness
    /// threshold: a node holding its own log's key could otherwise sign a copy of its log without a share), the pages
    /// must hold every index once and in order, and the leaves must make the checkpoint's root. A node that leaves a
    /// share out, or slips one in, fails the audit instead of hiding a flow.
    /// </summary>
    /// <param name="network">The network configuration.</param>
    /// <param name="member">The log's member.</param>
    /// <param name="note">The final checkpoint to read up to.</param>
    /// <param name="page">A page of entries from an index.</param>
    /// <param name="node">Who served the entries, for messages.</param>
    /// <param name="frontier">
    /// The tree of the entries already read and proved (by another node's final checkpoint), continued from its size;
    /// a new one when null. The entries of this read are appended to it, and its root must be the checkpoint's.
    /// </param>
    /// <param name="appended">Called with the tree after each entry is appended (before the checkpoint's root is checked).</param>
    internal static async IAsyncEnumerable<(ulong Index, byte[] Leaf, Entry Entry)> ReadLogAsync(TrustedNetwork network, TrustedMember member, string note, Func<ulong, Task<GetEntriesResponse>> page,
        string node = "the node", MerkleFrontier? frontier = null, Action<MerkleFrontier>? appended = null)
    {
        var verified = member.VerifyCheckpoint(note);
        if (!verified.IsValid) throw new CliException($"{node}'s checkpoint of {member.Origin} does not verify: {verified.Failure}; its flows cannot be audited from it");
        var finality = network.Finality(verified);
        if (!finality.IsFinal)
        {
            throw new CliException($"{node}'s latest checkpoint of {member.Origin} (size {verified.Checkpoint!.Size}) is not final: {finality.Cosigners.Count} of the {finality.Threshold} witness cosignatures needed; "
                + "a log's own node could sign any copy of it, so its flows are audited only from a final checkpoint: try again when the witnesses have cosigned it");
        }
        var size = verified.Checkpoint!.Size;
        frontier ??= new MerkleFrontier();
        while (frontier.Size < size)
        {
            var entries = (await page(frontier.Size).ConfigureAwait(false)).Entries;
            // A page may hold fewer entries than asked (the node bounds its bytes), never none below the size.
            if (entries.Count == 0) throw new CliException($"{member.Origin}: {node} returned no entries from {frontier.Size}, below its checkpoint's size {size}");
            foreach (var e in entries)
            {
                if (frontier.Size == size) break;
                if (e.Index != frontier.Size) throw new CliException($"{member.Origin}: {node} returned entry {e.Index} where entry {frontier.Size} was due (a gap or a repeat); its flows cannot be audited from it");
                frontier.Append(MerkleHash.LeafHash(e.Leaf));
                appended?.Invoke(frontier);
                if (!LeafReader.TryRead(e.Leaf, out var read, out _)) continue;
                yield return (e.Index, e.Leaf, read!.Entry);
            }
        }
        if (!frontier.Root().AsSpan().SequenceEqual(verified.Checkpoint.GetRootHash()))
            throw new CliException($"{member.Origin}: {node}'s entries do not make the root of its signed checkpoint of size {size}: an entry was altered, left out or slipped in; its flows cannot be audited from it");
    }

    /// <summary>
    /// The receipt that acknowledges <paramref name="share"/>: it references it by origin, index and leaf hash, and keeps
    /// the receipt rule with it (<see cref="ReceiptRule"/>: in the share's consumer log, by its consumer, the same share
    /// id, digest and count). A receipt that only points at a share acknowledges nothing. Null when there is none.
    /// </summary>
    public Receipt? ReceiptOf(Share share) => Receipts.Find(r => Points(r, share) && ReceiptRule.Check(share.Entry, share.Index, r.Body, r.Origin) is null);

    /// <summary>The share a receipt references by origin, index and leaf hash, whether or not it keeps the receipt rule with it; or null.</summary>
    public Share? Referenced(Receipt receipt) => Shares.Find(s => Points(receipt, s));

    private static bool Points(Receipt receipt, Share share)
        => receipt.ShareReference is { } x && x.Origin == share.Origin && x.Index == share.Index && x.LeafHash.AsSpan().SequenceEqual(share.LeafHash);

    /// <summary>The receipt a re-share references (same origin, index and leaf hash), or null.</summary>
    public Receipt? ReceiptAt(EntryReference reference) => Receipts.Find(r => r.Origin == reference.Origin && r.Index == reference.Index && r.LeafHash.AsSpan().SequenceEqual(reference.LeafHash));

    /// <summary>The share a receipt acknowledges (see <see cref="ReceiptOf"/>), or null.</summary>
    public Share? ShareOf(Receipt receipt) => Referenced(receipt) is { } share && ReceiptRule.Check(share.Entry, share.Index, receipt.Body, receipt.Origin) is null ? share : null;

    /// <summary>
    /// Why a share breaks the re-sharing rule (<see cref="ReshareRule"/>), as these logs show it, or "" when it does not:
    /// a re-share whose receipt is not there or does not allow it; or a share without a receipt reference of a record
    /// its department received (data passed on outside the rule).
    /// </summary>
    public string ReshareFault(Share share)
    {
        if (share.ReceiptReference is { } reference)
        {
            if (reference.Origin != share.Origin || ReceiptAt(reference) is not { } receipt) return "reshare-without-receipt";
            if (ReshareRule.CheckReceipt(receipt.Entry, receipt.Index, share.Body, share.Origin) is not null) return "reshare-not-allowed";
            if (ShareOf(receipt) is { } original && ReshareRule.CheckOriginal(original.Body, share.Body) is not null) return "reshare-not-allowed";
            return "";
        }
        foreach (var receipt in Receipts)
        {
            if (receipt.Origin != share.Origin || receipt.Body.ConsumerCode != share.Body.ProviderCode) continue;
            if (ShareOf(receipt) is { } original && original.Body.ResourceId == share.Body.ResourceId && original.Body.RecordId == share.Body.RecordId)
                return "reshare-without-receipt";
        }
        return "";
    }
}

/// <summary>
/// <c>huren-flows/v1</c> (docs/trace-json.md, "trace --flows"): where one record's data went — issued, shared to a
/// department for a purpose, received, re-shared — as a tree across every city's log. The same entries give the same
/// document, byte for byte.
/// </summary>
internal sealed class FlowDocument
{
    public const string FormatV1 = "huren-flows/v1";

    [JsonPropertyName("format")] public string Format { get; init; } = FormatV1;

    [JsonPropertyName("recordId")] public string RecordId { get; init; } = "";

    [JsonPropertyName("network")] public string Network { get; init; } = "";

    /// <summary>The record's <c>license.issue</c> entries (normally one; empty when the record was never issued on the ledger).</summary>
    [JsonPropertyName("issued")] public List<FlowEntry> Issued { get; init; } = [];

    /// <summary>The record's original shares (no receipt reference), and re-shares whose receipt is not found, each with what followed.</summary>
    [JsonPropertyName("shares")] public List<FlowShare> Shares { get; init; } = [];

    [JsonIgnore] public int ShareCount => Count(Shares);

    private static int Count(List<FlowShare> shares) => shares.Sum(s => 1 + Count(s.Reshares));

    public static FlowDocument Build(string recordId, string network, FlowLedger ledger)
    {
        var document = new FlowDocument { RecordId = recordId, Network = network };
        foreach (var (origin, index, hash, entry) in ledger.Issues.Where(i => i.Entry.RecordId == recordId).OrderBy(i => i.Origin, StringComparer.Ordinal).ThenBy(i => i.Index))
            document.Issued.Add(FlowEntry.Of(origin, index, hash, entry));
        var ofRecord = ledger.Shares.Where(s => s.Body.RecordId == recordId).OrderBy(s => s.Origin, StringComparer.Ordinal).ThenBy(s => s.Index).ToList();
        var placed = new HashSet<(string, ulong)>();
        FlowShare Node(FlowLedger.Share share, int depth)
        {
            placed.Add((share.Origin, share.Index));
            var receipt = ledger.ReceiptOf(share);
            var node = FlowShare.Of(share, receipt, ledger.ReshareFault(share));
            if (receipt is not null && depth < 32)
            {
                foreach (var onward in ofRecord)
                {
                    if (onward.ReceiptReference is { } r && r.Origin == receipt.Origin && r.Index == receipt.Index && r.LeafHash.AsSpan().SequenceEqual(receipt.LeafHash))
                        node.Reshares.Add(Node(onward, depth + 1));
                }
            }
            return node;
        }
        foreach (var share in ofRecord)
        {
            if (share.ReceiptReference is not null && ledger.ReceiptAt(share.ReceiptReference) is { } upstream && ledger.ShareOf(upstream) is { } parent && parent.Body.RecordId == recordId) continue;
            document.Shares.Add(Node(share, 0));
        }
        // A re-share whose chain loops back (not possible under the rules, but logs are read as they are) is still shown.
        foreach (var share in ofRecord)
        {
            if (!placed.Contains((share.Origin, share.Index))) document.Shares.Add(Node(share, 0));
        }
        return document;
    }

    private static string Short(string origin) => origin.Length > 6 ? origin[^6..] : origin;

    /// <summary>A plain tree: the record, its issue, then each share with its receipt and re-shares beneath it.</summary>
    public string ToTree()
    {
        var text = new StringBuilder();
        text.Append(RecordId).Append(" (").Append(Network).Append(")\n");
        foreach (var issue in Issued)
            text.Append("  issued in ").Append(issue.Origin).Append(" #").Append(issue.Index.ToString(CultureInfo.InvariantCulture)).Append(" by ").Append(issue.IssuerId).Append("  ").Append(issue.Time[..19].Replace('T', ' ')).Append('\n');
        if (Issued.Count == 0) text.Append("  (no license.issue entry of this record in any log)\n");
        void Write(List<FlowShare> shares, string indent)
        {
            for (var i = 0; i < shares.Count; i++)
            {
                var s = shares[i];
                var last = i == shares.Count - 1;
                text.Append(indent).Append(last ? "└─ " : "├─ ").Append(s.ReshareOf is null ? "shared" : "re-shared").Append(" by ").Append(s.ProviderCode).Append(" (").Append(Short(s.Origin)).Append(')')
                    .Append(" to ").Append(s.ConsumerCode).Append(" (").Append(Short(s.ConsumerOrigin)).Append(") for ").Append(Output.TerminalText.Printable(s.Purpose))
                    .Append(" [").Append(Output.TerminalText.Printable(string.Join("、", s.Fields))).Append("]  share ").Append(s.ShareId).Append(", ").Append(s.Origin).Append(" #").Append(s.Index.ToString(CultureInfo.InvariantCulture));
                if (s.Fault.Length > 0) text.Append("  FAULT ").Append(s.Fault);
                text.Append('\n');
                var inner = indent + (last ? "   " : "│  ");
                if (s.Receipt is { } r)
                    text.Append(inner).Append(s.Reshares.Count == 0 ? "└─ " : "├─ ").Append("received in ").Append(r.Origin).Append(" #").Append(r.Index.ToString(CultureInfo.InvariantCulture)).Append(" by ").Append(r.IssuerId).Append("  ").Append(r.Time[..19].Replace('T', ' ')).Append('\n');
                else text.Append(inner).Append("└─ no receipt\n");
                Write(s.Reshares, inner + (s.Reshares.Count == 0 ? "   " : "   "));
            }
        }
        Write(Shares, "  ");
        return text.ToString();
    }

    /// <summary>Graphviz: the issue, each share and each receipt a node; edges issued → shared → received → re-shared.</summary>
    public string ToDot()
    {
        var text = new StringBuilder();
        text.Append("digraph flows {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n");
        text.Append("  label=").Append(Quote($"data flows of {RecordId} ({Network})")).Append(";\n");
        text.Append("  record [shape=ellipse, label=").Append(Quote(RecordId)).Append("];\n");
        foreach (var issue in Issued)
        {
            text.Append("  ").Append(Id(issue.Origin, issue.Index)).Append(" [label=").Append(Quote($"issued\n{issue.Origin} #{issue.Index}\n{issue.IssuerId}")).Append("];\n");
            text.Append("  record -> ").Append(Id(issue.Origin, issue.Index)).Append(";\n");
        }
        var root = Issued.Count > 0 ? Id(Issued[0].Origin, Issued[0].Index) : "record";
        void Write(List<FlowShare> shares, string from)
        {
            foreach (var s in shares)
            {
                var id = Id(s.Origin, s.Index);
                text.Append("  ").Append(id).Append(" [label=").Append(Quote($"{(s.ReshareOf is null ? "share" : "re-share")} {s.ShareId}\n{s.Origin} #{s.Index}\nfor {s.Purpose}\n{string.Join("、", s.Fields)}")).Append(s.Fault.Length > 0 ? ", color=red" : "").Append("];\n");
                text.Append("  ").Append(from).Append(" -> ").Append(id).Append(" [label=").Append(Quote($"{(s.ReshareOf is null ? "shared" : "re-shared")} to {s.ConsumerCode} ({Short(s.ConsumerOrigin)})")).Append("];\n");
                if (s.Receipt is { } r)
                {
                    var rid = Id(r.Origin, r.Index);
                    text.Append("  ").Append(rid).Append(" [label=").Append(Quote($"received\n{r.Origin} #{r.Index}\n{r.IssuerId}")).Append("];\n");
                    text.Append("  ").Append(id).Append(" -> ").Append(rid).Append(" [label=\"received\"];\n");
                    Write(s.Reshares, rid);
                }
                else text.Append("  ").Append(id).Append(" -> ").Append(Quote($"{id}-none")).Append(";\n  ").Append(Quote($"{id}-none")).Append(" [label=\"no receipt\", style=dashed];\n");
            }
        }
        Write(Shares, root);
        text.Append("}\n");
        return text.ToString();
    }

    private static string Id(string origin, ulong index) => Quote($"{origin}#{index}");

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}

/// <summary>An entry's position, signer and time.</summary>
internal sealed class FlowEntry
{
    [JsonPropertyName("origin")] public string Origin { get; init; } = "";

    [JsonPropertyName("index")] public ulong Index { get; init; }

    [JsonPropertyName("leafHash")] public string LeafHash { get; init; } = "";

    [JsonPropertyName("issuerId")] public string IssuerId { get; init; } = "";

    /// <summary>Signing time, ISO 8601 in China Standard Time.</summary>
    [JsonPropertyName("time")] public string Time { get; init; } = "";

    public static FlowEntry Of(string origin, ulong index, byte[] leafHash, Entry entry) => new()
    {
        Origin = origin, Index = index, LeafHash = Convert.ToHexStringLower(leafHash), IssuerId = entry.IssuerId, Time = ChinaTime(entry.TimeUnixMs),
    };

    internal static string ChinaTime(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}

/// <summary>One share (or re-share) of the record, its receipt and what was shared on from it.</summary>
internal sealed class FlowShare
{
    [JsonPropertyName("shareId")] public string ShareId { get; init; } = "";

    [JsonPropertyName("origin")] public string Origin { get; init; } = "";

    [JsonPropertyName("index")] public ulong Index { get; init; }

    [JsonPropertyName("leafHash")] public string LeafHash { get; init; } = "";

    [JsonPropertyName("issuerId")] public string IssuerId { get; init; } = "";

    [JsonPropertyName("time")] public string Time { get; init; } = "";

    [JsonPropertyName("providerCode")] public string ProviderCode { get; init; } = "";

    [JsonPropertyName("consumerCode")] public string ConsumerCode { get; init; } = "";

    [JsonPropertyName("consumerOrigin")] public string ConsumerOrigin { get; init; } = "";

    [JsonPropertyName("resourceId")] public string ResourceId { get; init; } = "";

    [JsonPropertyName("fields")] public List<string> Fields { get; init; } = [];

    [JsonPropertyName("purpose")] public string Purpose { get; init; } = "";

    [JsonPropertyName("matterCode")] public string MatterCode { get; init; } = "";

    [JsonPropertyName("legalBasis")] public string LegalBasis { get; init; } = "";

    /// <summary>For a re-share, the receipt it references ("origin#index"); null for an original share.</summary>
    [JsonPropertyName("reshareOf")] public string? ReshareOf { get; init; }

    /// <summary>The receipt acknowledging this share, or null.</summary>
    [JsonPropertyName("receipt")] public FlowEntry? Receipt { get; init; }

    /// <summary>"" or <c>reshare-without-receipt</c> / <c>reshare-not-allowed</c>.</summary>
    [JsonPropertyName("fault")] public string Fault { get; init; } = "";

    /// <summary>The re-shares that reference this share's receipt, by origin then index.</summary>
    [JsonPropertyName("reshares")] public List<FlowShare> Reshares { get; init; } = [];

    public static FlowShare Of(FlowLedger.Share share, FlowLedger.Receipt? receipt, string fault) => new()
    {
        ShareId = share.Body.ShareId, Origin = share.Origin, Index = share.Index, LeafHash = Convert.ToHexStringLower(share.LeafHash), IssuerId = share.Entry.IssuerId,
        Time = FlowEntry.ChinaTime(share.Entry.TimeUnixMs), ProviderCode = share.Body.ProviderCode, ConsumerCode = share.Body.ConsumerCode,
        ConsumerOrigin = share.Body.ConsumerOrigin, ResourceId = share.Body.ResourceId, Fields = [.. share.Body.Fields], Purpose = share.Body.Purpose,
        MatterCode = share.Body.MatterCode, LegalBasis = share.Body.LegalBasis,
        ReshareOf = share.ReceiptReference is { } r ? $"{r.Origin}#{r.Index}" : null,
        Receipt = receipt is null ? null : FlowEntry.Of(receipt.Origin, receipt.Index, receipt.LeafHash, receipt.Entry),
        Fault = fault,
    };
}
