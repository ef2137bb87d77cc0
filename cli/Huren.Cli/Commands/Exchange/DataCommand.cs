using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;

namespace Huren.Cli.Commands.Exchange;

/// <summary><c>huren data put</c>: a department publishes a record's data (fields and files) into its own node's content store.</summary>
internal static class DataCommand
{
    public static Command Build()
    {
        var data = new Command("data", "A record's full data in the department's own node: stored encrypted, off the ledger, shared only through 'huren share'.");
        data.Subcommands.Add(BuildPut());
        return data;
    }

    private static Command BuildPut()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var record = new Argument<string>("record") { Description = "The record id (e.g. a license id)." };
        var resource = new Option<string>("--resource") { Description = "The catalogue resource code the record belongs to.", Required = true };
        var fields = new Option<string>("--fields") { Description = "A JSON file holding one object: the record's fields.", Required = true };
        var files = new Option<string[]>("--file") { Description = "A file of the record, as NAME=PATH (e.g. document=license.ofd); repeatable.", AllowMultipleArgumentsPerToken = false };
        var put = new Command("put", "Upload a record's fields (JSON) and files to the node (streamed in pieces, progress on standard error) and name them as the record's data for a catalogue resource.") { record, resource, fields, files };
        access.AddTo(put);
        put.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var error = parse.InvocationConfiguration.Error;
            var fieldsPath = parse.GetValue(fields)!;
            if (!File.Exists(fieldsPath)) throw new CliException($"--fields: '{fieldsPath}' does not exist");
            var request = new RecordDataRequest { ResourceCode = parse.GetValue(resource)!, RecordId = parse.GetValue(record)! };
            await using (var json = File.OpenRead(fieldsPath)) request.FieldsSha256 = (await session.Client.PutContentAsync(json, cancellationToken: ct).ConfigureAwait(false)).Sha256;
            foreach (var spec in parse.GetValue(files) ?? [])
            {
                var at = spec.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0) throw new CliException($"--file '{spec}': give NAME=PATH");
                var path = spec[(at + 1)..];
                if (!File.Exists(path)) throw new CliException($"--file {spec[..at]}: '{path}' does not exist");
                await using var source = File.OpenRead(path);
                var length = source.Length;
                var progress = new InlineProgress<long>(sent => error.Write($"\r{spec[..at]}: {sent * 100 / Math.Max(1, length)}% of {length} bytes"));
                var stored = await session.Client.PutContentAsync(source, progress, cancellationToken: ct).ConfigureAwait(false);
                await error.WriteLineAsync().ConfigureAwait(false);
                request.Files.Add(new RecordFile { Name = spec[..at], Sha256 = stored.Sha256 });
            }
            var answer = await session.Client.Content.PutRecordAsync(request, session.Options(ct)).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    recordId = request.RecordId, resourceCode = request.ResourceCode, fieldsSha256 = Convert.ToHexStringLower(request.FieldsSha256), fields = answer.Fields,
                    files = request.Files.Select(f => new { name = f.Name, sha256 = Convert.ToHexStringLower(f.Sha256) }), replaced = answer.Replaced,
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"record {request.RecordId} of {request.ResourceCode}: {answer.Fields.Count} field(s) ({string.Join("、", answer.Fields)}), {request.Files.Count} file(s){(answer.Replaced ? "; replaced the earlier data" : "")}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return put;
    }
}
