using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Cli.Commands.Audit;

/// <summary>
/// <c>huren audit log ORIGIN</c> re-verifies a whole city log from a node's copy; <c>huren audit equivocations</c>
/// lists the forks the cities' witnesses have caught. For auditors: exit 0 when clean, 1 when something is wrong.
/// </summary>
internal static class AuditCommand
{
    /// <summary>How long the audit waits for the next message before calling the stream stalled.</summary>
    private static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(20);

    public static Command Build()
    {
        var audit = new Command("audit", "Audit the ledger: re-verify a whole log, list equivocations.");
        audit.Subcommands.Add(BuildLog());
        audit.Subcommands.Add(BuildEquivocations());
        audit.Subcommands.Add(AuditFlowsCommand.Build());
        return audit;
    }

    private static Command BuildLog()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Argument<string>("origin") { Description = "The log: a city code (430100) or origin (huren.cz-t/430100)." };
        var log = new Command("log",
            "Re-verify a whole city log as the chosen node (--city) holds it: every entry (schema, signer, signature against\n" +
            "the keys the city root registered), the Merkle root at every checkpoint, every checkpoint's signatures and every\n" +
            "witness cosignature, against the network configuration only; every receipt against the share it references in the\n" +
            "provider's log as that node holds it (proven by an inclusion proof to a signed checkpoint): same share, this consumer\n" +
            "and city, same payload digest and record count. Prints counts and every fault; exit 1 if any.") { origin };
        access.AddTo(log);
        log.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var logOrigin = session.OriginOf(parse.GetValue(origin)!);
            var member = session.Network.ByOrigin(logOrigin)!;
            var auditor = new LogAudit(session.Network, member);
            auditor.Report.Origin = logOrigin;
            auditor.Report.Node = session.Describe();
            var output = parse.InvocationConfiguration.Output;
            var progress = parse.InvocationConfiguration.Error;
            var showProgress = !session.AsJson && !Console.IsErrorRedirected;

            // How far to audit: the node's latest checkpoint, believed only once its log signature verifies.
            var latest = await session.Client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = logOrigin }, session.Options(ct)).ConfigureAwait(false);
            var latestCheck = auditor.VerifyCheckpoint(latest.Note);
            if (!latestCheck.IsValid) throw new CliException($"the node's latest checkpoint of {logOrigin} does not verify: {latestCheck.Failure}");
            var target = latestCheck.Checkpoint!.Size;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var stream = session.Client.Ledger.FollowAsync(new FollowRequest { Origin = logOrigin, FromIndex = 0 }, new CallContext(new CallOptions(cancellationToken: stop.Token)));
            await using var messages = stream.GetAsyncEnumerator(stop.Token);
            try
            {
                while (auditor.Report.LatestCheckpointSize < target || auditor.Size < auditor.Report.LatestCheckpointSize)
                {
                    var next = messages.MoveNextAsync().AsTask();
                    if (await Task.WhenAny(next, Task.Delay(IdleLimit, ct)).ConfigureAwait(false) != next)
                    {
                        throw new CliException($"the node sent nothing for {IdleLimit.TotalSeconds:0} s at entry {auditor.Size} of {target}");
                    }
                    if (!await next.ConfigureAwait(false)) break;
                    var message = messages.Current;
                    if (message.Entry is { } entry)
                    {
                        auditor.AddEntry(entry.Index, entry.Leaf);
                        if (showProgress && auditor.Size % 5000 == 0) await progress.WriteAsync($"\r  audited {auditor.Size:N0} of {target:N0} entries…").ConfigureAwait(false);
                    }
                    else if (message.Checkpoint is { } checkpoint)
                    {
                        auditor.AddCheckpoint(checkpoint.Note);
                    }
                }
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                if (showProgress) await progress.WriteAsync("\r                                                  \r").ConfigureAwait(false);
            }
            // Each receipt against its share, read with a proof from the provider's log as this node holds it.
            var shares = new ProvenEntries(session.Client, session.Network, ct);
            foreach (var claim in auditor.Receipts)
            {
                var (share, problem) = await shares.GetAsync(claim.Share.Origin, claim.Share.Index, claim.Share.LeafHash).ConfigureAwait(false);
                auditor.CheckReceipt(claim, share, problem);
            }
            var report = auditor.Report;
            if (report.LatestCheckpointSize < target) report.Faults.Add($"the stream ended before the checkpoint of size {target}");
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"{(report.Ok ? "OK" : "FAULTS")}  {logOrigin} as held by {report.Node}").ConfigureAwait(false);
                await output.WriteAsync(ConsoleTable.Rows(
                [
                    ("Entries", $"{report.Entries:N0} ({string.Join(", ", report.EntriesByKind.Select(k => $"{k.Key} {k.Value.ToString(CultureInfo.InvariantCulture)}"))})"),
                    ("Signatures", $"{report.SignaturesVerified:N0} entry signatures verified"),
                    ("Checkpoints", $"{report.Checkpoints:N0} verified (roots recomputed), {report.FinalCheckpoints:N0} final; latest size {report.LatestCheckpointSize:N0}"),
                    ("Cosignatures", $"{report.CosignaturesVerified:N0} witness cosignatures verified"),
                    ("Receipts", $"{report.ReceiptsChecked:N0} of {auditor.Receipts.Count:N0} matched their share in the provider's log"),
                    ("Faults", report.FaultCount.ToString(CultureInfo.InvariantCulture)),
                ])).ConfigureAwait(false);
                foreach (var fault in report.Faults) await output.WriteLineAsync($"  ! {fault}").ConfigureAwait(false);
            }
            return report.Ok && report.LatestCheckpointSize >= target ? ExitCodes.Success : ExitCodes.Negative;
        });
        return log;
    }

    private static Command BuildEquivocations()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Option<string?>("--origin") { Description = "Only this log (city code or origin)." };
        var equivocations = new Command("equivocations",
            "List the equivocations (two different checkpoints of one log for the same size, or a checkpoint inconsistent with\n" +
            "an earlier one) that the witnesses of every city in the profile (or only --city) have recorded, with both notes.\n" +
            "Exit 0 when every witness answered and none recorded one, 1 when any did, 2 when a witness did not answer (the\n" +
            "audit is incomplete).") { origin };
        access.AddTo(equivocations);
        equivocations.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var logOrigin = parse.GetValue(origin) is { } o ? session.OriginOf(o) : "";
            var cities = parse.GetValue(access.City) is null ? session.Profile.Cities : [session.City];
            var found = new List<(string Witness, Equivocation Equivocation, string Proof)>();
            var answered = new List<string>();
            var unanswered = new List<string>();
            foreach (var city in cities)
            {
                try
                {
                    var client = city == session.City ? session.Client : session.ClientOf(city, city.Credential(parse.GetValue(access.As) ?? CliRoles.Auditor));
                    var response = await client.Witness.ListEquivocationsAsync(new EquivocationsRequest { Origin = logOrigin }, client.Options(ct)).ConfigureAwait(false);
                    answered.Add(city.CityCode);
                    foreach (var e in response.Equivocations) found.Add((city.CityCode, e, ProveEquivocation(session, e)));
                }
                catch (RpcException ex)
                {
                    unanswered.Add($"{city.CityCode}: {CliApp.Describe(ex)}");
                }
                catch (CliException ex)
                {
                    unanswered.Add($"{city.CityCode}: {ex.Message}");
                }
            }
            if (answered.Count == 0) throw new CliException($"no witness answered: {string.Join("; ", unanswered)}");
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    equivocations = found.Select(f => new
                    {
                        witness = f.Witness, origin = f.Equivocation.Origin, reason = f.Equivocation.Reason, proven = f.Proof.Length == 0, check = f.Proof.Length == 0 ? null : f.Proof,
                        seen = DateTimeOffset.FromUnixTimeMilliseconds(f.Equivocation.SeenUnixMs).ToString("O", CultureInfo.InvariantCulture),
                        knownNote = f.Equivocation.KnownNote, conflictingNote = f.Equivocation.ConflictingNote,
                    }),
                    answered,
                    unanswered,
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else if (found.Count == 0)
            {
                await output.WriteLineAsync($"No equivocation recorded by the witnesses of {string.Join(", ", answered)}{(unanswered.Count > 0 ? $" ({unanswered.Count} did not answer)" : "")}.").ConfigureAwait(false);
            }
            else
            {
                foreach (var (witness, e, proof) in found)
                {
                    await output.WriteLineAsync($"EQUIVOCATION  {e.Origin}  seen by the witness of {witness} at {DateTimeOffset.FromUnixTimeMilliseconds(e.SeenUnixMs).ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm:ss}: {e.Reason}").ConfigureAwait(false);
                    await output.WriteLineAsync(proof.Length == 0 ? "  proven: both checkpoints carry the log's valid signature and conflict" : $"  NOT proven by the notes: {proof}").ConfigureAwait(false);
                    await output.WriteLineAsync("  known checkpoint:").ConfigureAwait(false);
                    await output.WriteAsync(Indent(e.KnownNote)).ConfigureAwait(false);
                    await output.WriteLineAsync("  conflicting checkpoint:").ConfigureAwait(false);
                    await output.WriteAsync(Indent(e.ConflictingNote)).ConfigureAwait(false);
                }
            }
            foreach (var u in unanswered) await parse.InvocationConfiguration.Error.WriteLineAsync($"error: no answer from the witness of {u}").ConfigureAwait(false);
            // An unanswered witness leaves the audit incomplete: "none found" would claim more than was checked.
            return found.Count > 0 ? ExitCodes.Negative : unanswered.Count > 0 ? ExitCodes.Error : ExitCodes.Success;
        });
        return equivocations;
    }

    /// <summary>
    /// Checks a witness's claim with the network configuration alone: both notes signed by the log's key, same
    /// origin, and in conflict (same size with different roots, or a smaller size claimed after a larger one). Returns ""
    /// when proven, else what is missing (an inconsistency between different sizes needs a consistency proof).
    /// </summary>
    private static string ProveEquivocation(NodeSession session, Equivocation e)
    {
        var member = session.Network.ByOrigin(e.Origin);
        if (member is null) return $"{e.Origin} is not a member of the network";
        var verifier = member.CheckpointVerifier;
        var known = verifier.Verify(e.KnownNote);
        var conflicting = verifier.Verify(e.ConflictingNote);
        if (!known.IsValid) return $"the known checkpoint does not verify: {known.Failure}";
        if (!conflicting.IsValid) return $"the conflicting checkpoint does not verify: {conflicting.Failure}";
        var a = known.Checkpoint!;
        var b = conflicting.Checkpoint!;
        if (a.Size == b.Size) return a.RootHash.SequenceEqual(b.RootHash) ? "the two checkpoints have the same root" : "";
        return "the checkpoints are of different sizes; their inconsistency rests on the witness's consistency check";
    }

    private static string Indent(string note) => string.Concat(note.Split('\n').Where(l => l.Length > 0).Select(l => "    " + l + "\n"));
}
