using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;

namespace Huren.Cli.Commands.Checkpoints;

/// <summary><c>huren checkpoint ORIGIN</c>: prints a log's latest (or a given size's) signed checkpoint exactly as signed.</summary>
internal static class CheckpointCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Argument<string>("origin") { Description = "The log: a city code (430100) or origin (huren.cz-t/430100)." };
        var size = new Option<ulong>("--size") { Description = "The checkpoint of this tree size (one the node stored); default the latest." };
        var checkpoint = new Command("checkpoint",
            "Print a log's signed checkpoint (C2SP signed note: origin, size, root hash, then the log's, SM2 and witness\n" +
            "signature lines) byte for byte as the node holds it, e.g. to hand to another verifier.") { origin, size };
        access.AddTo(checkpoint);
        checkpoint.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var response = await session.Client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = session.OriginOf(parse.GetValue(origin)!), Size = parse.GetValue(size) }, session.Options(ct)).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson) await output.WriteLineAsync(JsonSerializer.Serialize(new { origin = response.Origin, size = response.Size, note = response.Note }, CliJson.Options)).ConfigureAwait(false);
            else await output.WriteAsync(response.Note).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return checkpoint;
    }
}
