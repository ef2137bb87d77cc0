using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;

namespace Huren.Cli.Commands.Checkpoints;

/// <summary><c>huren checkpoint ORIGIN</c>: prints a log's latest (or a given size's, or the newest final) signed checkpoint exactly as signed.</summary>
internal static class CheckpointCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Argument<string>("origin") { Description = "The log: a city code (430100) or origin (huren.cz-t/430100)." };
        // Size 0 is how the request says "the latest": given on the command line it would silently mean that, so it is refused.
        var size = new Option<ulong>("--size") { Description = "The checkpoint of this tree size (one the node stored), 1 or more; default the latest." }
            .WholeNumber(1UL, ulong.MaxValue, OptionValues.SizeRule("the latest"));
        var final = new Option<bool>("--final")
        {
            Description = "The newest final checkpoint the node holds (with the network's threshold of witness cosignatures); a busy log's latest is often still being cosigned.",
        };
        var wait = new Option<TimeSpan>("--wait")
        {
            Description = "With --final: while the node holds no final checkpoint (its witnesses are down or behind), ask again until this long has passed (hh:mm:ss, e.g. 00:00:30, at most 01:00:00); default 0, ask once.",
        }.Duration(TimeSpan.Zero, TimeSpan.FromHours(1), "a duration hh:mm:ss from 00:00:00 to 01:00:00 (e.g. 00:00:30)");
        var checkpoint = new Command("checkpoint",
            "Print a log's signed checkpoint (C2SP signed note: origin, size, root hash, then the log's, SM2 and witness\n" +
            "signature lines) byte for byte as the node holds it, e.g. to hand to another verifier. The note goes to standard\n" +
            "output; whether it verifies (log signature, witness cosignatures) to standard error. Exit 1 if it does not verify,\n" +
            "or, with --final, if it is not final; 2 when the node holds no final checkpoint (with --wait: none by then).") { origin, size, final, wait };
        checkpoint.Validators.Add(result =>
        {
            // Values the parser refused are not read here (that would throw): their own errors are reported.
            if (result.GetValue(final) && result.ReadValue(size) is not null) result.AddError("--final and --size exclude each other: --final asks for the newest final checkpoint");
            if (result.ReadValue(wait) > TimeSpan.Zero && !result.GetValue(final)) result.AddError("--wait goes with --final: it waits for a final checkpoint");
        });
        access.AddTo(checkpoint);
        checkpoint.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var logOrigin = session.OriginOf(parse.GetValue(origin)!);
            var askedFinal = parse.GetValue(final);
            CheckpointResponse response;
            if (parse.GetValue(wait) is { Ticks: > 0 } patience)
            {
                // The SDK's wait: asks every 200 ms, and takes only a note that verifies and is final.
                try
                {
                    var (finalSize, note) = await session.Client.FinalCheckpointAsync(session.Network, logOrigin, 0, DateTime.UtcNow + patience, ct).ConfigureAwait(false);
                    response = new CheckpointResponse { Origin = logOrigin, Size = finalSize, Note = note };
                }
                catch (InvalidOperationException ex)
                {
                    throw new CliException($"{ex.Message} (waited {patience})", ex);
                }
            }
            else response = await session.Client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = logOrigin, Size = parse.GetValue(size), Final = askedFinal }, session.Options(ct)).ConfigureAwait(false);
            // Printed as is, but only after checking it: the log's signature, and how many member witnesses cosigned it.
            // Every line of a key the configuration gives (log, SM2, witnesses) must verify.
            var verification = session.Network.ByOrigin(logOrigin)!.VerifyCheckpoint(response.Note);
            var witnesses = session.Network.WitnessesFor(logOrigin).Count;
            var finality = verification.IsValid ? session.Network.Finality(verification) : null;
            var failure = verification.Failure ?? (verification.Checkpoint!.Origin != logOrigin ? $"the note is of {verification.Checkpoint.Origin}, not {logOrigin}" : null);
            // A node that predates --final answers its latest checkpoint: not what was asked for unless it is final.
            if (failure is null && askedFinal && !finality!.IsFinal) failure = $"the node answered a checkpoint that is not final ({finality.ValidCosignatures} of {finality.Threshold} witness cosignatures)";
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    origin = response.Origin, size = response.Size, note = response.Note,
                    verified = failure is null, failure, cosignatures = finality?.ValidCosignatures ?? 0, final = finality?.IsFinal ?? false,
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteAsync(response.Note).ConfigureAwait(false);
                var error = parse.InvocationConfiguration.Error;
                if (failure is not null) await error.WriteLineAsync($"NOT VERIFIED: {failure}").ConfigureAwait(false);
                else await error.WriteLineAsync($"verified: signed by {logOrigin}'s log key; {finality!.ValidCosignatures} of {witnesses} witness cosignatures ({(finality.IsFinal ? "final" : "not final")})").ConfigureAwait(false);
            }
            return failure is null ? ExitCodes.Success : ExitCodes.Negative;
        });
        return checkpoint;
    }
}
