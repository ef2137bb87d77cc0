using System.CommandLine;
using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;

namespace Huren.Cli.Commands.Trace;

/// <summary>
/// <c>huren trace RECORD-ID</c>: where a record came from and where it went (来源可查、去向可追) — every entry naming it
/// in every city's log, asked of every node in the profile (each keeps copies of all logs, so one answering is
/// enough; asking all covers a node that is down or behind).
/// </summary>
internal static class TraceCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var id = new Argument<string>("record-id") { Description = "A license id (证照标识), seal id, share id or issuer id." };
        var dot = new Option<bool>("--dot") { Description = "Print Graphviz DOT instead (render with: dot -Tsvg -o trace.svg)." };
        var flows = new Option<bool>("--flows")
        {
            Description = "Trace where the record's data went instead: issued → shared to a department for a purpose → received →\n" +
                "re-shared …, across every city's log as the node keeps them, each log's newer entries from its own node when\n" +
                "that holds a newer final checkpoint (--json prints huren-flows/v1, --dot a graph).",
        };
        var trace = new Command("trace",
            "Trace a record across all cities: a tree of the entries naming it, by log, with the references between them.\n" +
            "--json prints huren-trace/v1 (docs/trace-json.md); --dot prints a Graphviz graph. Asks every city's node in the\n" +
            "profile (or only --city). The entries are shown as the nodes return them; 'huren audit log' verifies a log.\n" +
            "Exit 0 when entries were found, 1 when none or when nodes disagree about an entry, 2 when no node answered or the\n" +
            "id has a license id's form but a wrong check character (a typo, as 'license verify' says).\n" +
            "With --flows: exit 0 when flows were found and none breaks the re-sharing rule, 1 otherwise.") { id, dot, flows };
        access.AddTo(trace);
        trace.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(access.Json) && parse.GetValue(dot)) throw new CliException("give --json or --dot, not both");
            var recordId = parse.GetValue(id)!;
            // Any record's id may be traced, but one with a license id's form and a wrong check character is a mistyped
            // license id: said so, as 'license verify' does, before any node is asked, never "no entry names this record".
            if (Huren.Schemas.Validation.LicenseIdentifier.HasWrongCheckCharacter(recordId)) Licenses.LicenseCommand.CheckLicenseId(recordId);
            using var session = access.Open(parse);
            if (parse.GetValue(flows)) return await FlowsAsync(parse, session, recordId, parse.GetValue(dot), ct).ConfigureAwait(false);
            var cities = parse.GetValue(access.City) is null ? session.Profile.Cities : [session.City];
            var asked = await Task.WhenAll(cities.Select(async city =>
            {
                try
                {
                    var client = city == session.City ? session.Client : session.ClientOf(city, city.Credential(parse.GetValue(access.As) ?? CliRoles.Auditor));
                    var entries = new List<LogEntry>();
                    await foreach (var e in client.TraceAsync(recordId, ct).ConfigureAwait(false)) entries.Add(e);
                    return (Source: new TraceSource { CityCode = city.CityCode, Endpoint = city.Endpoint, Answered = true, Entries = entries.Count }, Entries: entries);
                }
                catch (RpcException ex)
                {
                    return (Source: new TraceSource { CityCode = city.CityCode, Endpoint = city.Endpoint, Answered = false, Error = CliApp.Describe(ex) }, Entries: new List<LogEntry>());
                }
                catch (CliException ex)
                {
                    return (Source: new TraceSource { CityCode = city.CityCode, Endpoint = city.Endpoint, Answered = false, Error = ex.Message }, Entries: new List<LogEntry>());
                }
            })).ConfigureAwait(false);
            var document = TraceDocument.Build(recordId, session.Network, [.. asked.Select(a => a.Source)], asked.SelectMany(a => a.Entries));
            var output = parse.InvocationConfiguration.Output;
            if (!document.Sources.Any(s => s.Answered))
            {
                throw new CliException($"no node answered: {string.Join("; ", document.Sources.Select(s => $"{s.CityCode}: {s.Error}"))}");
            }
            if (session.AsJson) await output.WriteLineAsync(JsonSerializer.Serialize(document, CliJson.Options)).ConfigureAwait(false);
            else if (parse.GetValue(dot)) await output.WriteAsync(document.ToDot()).ConfigureAwait(false);
            else
            {
                await output.WriteAsync(document.ToTree()).ConfigureAwait(false);
                await output.WriteLineAsync($"{document.EntryCount} entr{(document.EntryCount == 1 ? "y" : "ies")} in {document.Logs.Count} log{(document.Logs.Count == 1 ? "" : "s")}; asked {string.Join(", ", document.Sources.Select(s => s.Answered ? s.CityCode : $"{s.CityCode} (no answer: {s.Error})"))}").ConfigureAwait(false);
            }
            foreach (var c in document.Conflicts)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"CONFLICT: nodes returned different entries for {c.Origin} #{c.Index} (leaf hashes {string.Join(", ", c.LeafHashes)}); check the log with 'huren audit log'").ConfigureAwait(false);
            }
            return document.EntryCount > 0 && document.Conflicts.Count == 0 ? ExitCodes.Success : ExitCodes.Negative;
        });
        return trace;
    }

    private static async Task<int> FlowsAsync(ParseResult parse, NodeSession session, string recordId, bool dot, CancellationToken ct)
    {
        FlowLedger ledger;
        try
        {
            ledger = await FlowLedger.ReadAsync(session, ct).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw new CliException($"the node {session.Describe()} did not give its logs: {CliApp.Describe(ex)}", ex);
        }
        var document = FlowDocument.Build(recordId, session.Network.NetworkId, ledger);
        var output = parse.InvocationConfiguration.Output;
        if (session.AsJson || dot)
        {
            await output.WriteAsync(session.AsJson ? JsonSerializer.Serialize(document, CliJson.Options) + "\n" : document.ToDot()).ConfigureAwait(false);
            // What was read goes beside the document, not into it: huren-flows/v1 and the graph are fixed formats.
            await parse.InvocationConfiguration.Error.WriteLineAsync(ledger.Coverage()).ConfigureAwait(false);
        }
        else
        {
            await output.WriteAsync(document.ToTree()).ConfigureAwait(false);
            await output.WriteLineAsync($"{document.ShareCount} share{(document.ShareCount == 1 ? "" : "s")} of {recordId}; read from {session.Describe()}").ConfigureAwait(false);
            await output.WriteLineAsync(ledger.Coverage()).ConfigureAwait(false);
        }
        return document.ShareCount > 0 && !HasFault(document.Shares) && ledger.OwnNodeRefused.Count == 0 ? ExitCodes.Success : ExitCodes.Negative;
    }

    private static bool HasFault(List<FlowShare> shares) => shares.Exists(s => s.Fault.Length > 0 || HasFault(s.Reshares));
}
