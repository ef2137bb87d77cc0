using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;

namespace Huren.Cli.Commands.Witness;

/// <summary><c>huren witness quarantine list|clear</c>: the origins a node's witness refuses after an equivocation.</summary>
internal static class WitnessCommand
{
    public static Command Build()
    {
        var witness = new Command("witness", "A node's witness of the other cities' logs.");
        var quarantine = new Command("quarantine",
            "Origins the witness refuses after it saw them sign two checkpoints that cannot both be right (an equivocation).");
        quarantine.Subcommands.Add(BuildList());
        quarantine.Subcommands.Add(BuildClear());
        witness.Subcommands.Add(quarantine);
        return witness;
    }

    private static Command BuildList()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var list = new Command("list", "List every quarantine of the node's witness, in force or cleared (with who cleared it and why).");
        access.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var response = await session.Client.Witness.ListQuarantinesAsync(new QuarantinesRequest(), session.Options(ct)).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(response.Quarantines.Select(View), CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (response.Quarantines.Count == 0) await output.WriteLineAsync("No origin was ever quarantined by this witness.").ConfigureAwait(false);
            foreach (var q in response.Quarantines)
            {
                await output.WriteLineAsync(q.InForce
                    ? $"{q.Origin}  QUARANTINED since {Time(q.SinceUnixMs)} (evidence #{q.Equivocation}): {q.Reason}"
                    : $"{q.Origin}  cleared {Time(q.ClearedUnixMs)} by {q.ClearedBy}: {q.ClearedReason} (was: {q.Reason})").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command BuildClear()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var origin = new Argument<string>("origin") { Description = "The quarantined log: a city code (430200) or origin (huren.cz-t/430200)." };
        var reason = new Option<string>("--reason") { Description = "What was checked before the origin is accepted again (recorded with the clearing).", Required = true };
        var clear = new Command("clear",
            "Accept a quarantined origin again (operator role). The witness then cosigns from the checkpoint it last cosigned;\n" +
            "the evidence stays, and the clearing is recorded with the reason and the operator.") { origin, reason };
        access.AddTo(clear);
        clear.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var logOrigin = session.OriginOf(parse.GetValue(origin)!);
            var text = parse.GetValue(reason)!;
            if (string.IsNullOrWhiteSpace(text)) throw new CliException("--reason must say what was checked");
            var cleared = await session.Client.Witness.ClearQuarantineAsync(new ClearQuarantineRequest { Origin = logOrigin, Reason = text }, session.Options(ct)).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson) await output.WriteLineAsync(JsonSerializer.Serialize(View(cleared), CliJson.Options)).ConfigureAwait(false);
            else await output.WriteLineAsync($"Cleared the quarantine of {cleared.Origin} at {session.City.CityCode}'s witness: {cleared.ClearedReason}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return clear;
    }

    private static object View(Quarantine q) => new
    {
        origin = q.Origin, inForce = q.InForce, sinceUnixMs = q.SinceUnixMs, equivocation = q.Equivocation, reason = q.Reason,
        clearedUnixMs = q.ClearedUnixMs == 0 ? (long?)null : q.ClearedUnixMs, clearedReason = q.ClearedReason, clearedBy = q.ClearedBy,
    };

    private static string Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("u", System.Globalization.CultureInfo.InvariantCulture);
}
