using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Client;

namespace Huren.Cli.Commands.Exchange;

/// <summary>
/// <c>huren data put</c>: a department publishes a record's data (fields and files) into its own node's content store;
/// <c>huren data get</c>: a department fetches data it received in an exchange from its own node.
/// </summary>
internal static class DataCommand
{
    public static Command Build()
    {
        var data = new Command("data", "A record's full data in the department's own node: stored encrypted, off the ledger, shared only through 'huren share'.");
        data.Subcommands.Add(BuildPut());
        data.Subcommands.Add(BuildGet());
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
    private static Command BuildGet()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var shareId = new Argument<string>("share-id") { Description = "The share id ('huren share request' prints it)." };
        var provider = new Option<string?>("--provider") { Description = "The providing city (city code or origin); needed only when shares of several cities carry the id." };
        var output = new Option<string>("--out", "--output", "-o") { Description = "Folder the parts are written to (fields.json and the files); created if missing, existing parts replaced.", Required = true };
        var get = new Command("get",
            "Fetch data the department already received in an exchange, from its own node (which holds it encrypted since the\n" +
            "exchange): each part checked against the SHA-256 the share entry's payload digest covers, written to --out, progress\n" +
            "on standard error. Only the department that requested the share gets it, and only once its receipt is recorded.")
            { shareId, provider, output };
        access.AddTo(get);
        get.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var id = parse.GetValue(shareId)!;
            var held = await session.Client.GetHeldShareAsync(id, parse.GetValue(provider) is { } from ? session.OriginOf(from) : null, ct).ConfigureAwait(false);
            if (held.Receipt is null)
                throw new CliException($"share {id} has no receipt in {session.Origin} yet: the data is released only after the department's receipt entry ('huren share request --id {id} …' records it)");
            var answer = HurenClient.AsSharedAnswer(held);
            var folder = parse.GetValue(output)!;
            var written = await WritePartsAsync(session, answer, folder, parse.InvocationConfiguration.Error, ct).ConfigureAwait(false);
            var stdout = parse.InvocationConfiguration.Output;
            var share = held.Share!;
            if (session.AsJson)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    shareId = id, share = new { origin = share.Origin, index = share.Index }, receipt = new { origin = held.Receipt.Origin, index = held.Receipt.Index },
                    parts = answer.Parts.Select((part, i) => new { name = part.Name, length = part.Length, sha256 = Convert.ToHexStringLower(part.Sha256), path = written[i] }),
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync($"share {id}: shared by {share.Origin} #{share.Index}, receipt {held.Receipt.Origin} #{held.Receipt.Index}; {answer.Parts.Count} part(s) written to {folder}, each checked against its SHA-256:").ConfigureAwait(false);
                foreach (var part in answer.Parts) await stdout.WriteLineAsync($"  {part.Name}  {part.Length} bytes  sha256 {Convert.ToHexStringLower(part.Sha256)}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return get;
    }

    /// <summary>
    /// Fetches every part of a share the department received into <paramref name="folder"/> (created if missing), with
    /// progress on <paramref name="error"/>; each part is written beside its target and moved into place only once the
    /// SDK has checked its SHA-256, so a failed transfer leaves no part that looks complete. Used by <c>data get</c> and
    /// <c>share request --out</c>. The paths written, in the answer's order.
    /// </summary>
    internal static async Task<List<string>> WritePartsAsync(NodeSession session, ShareRequestResponse answer, string folder, TextWriter error, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>(answer.Parts.Count);
        foreach (var part in answer.Parts)
        {
            if (part.Name.Length == 0 || part.Name.Contains('/', StringComparison.Ordinal) || part.Name.Contains('\\', StringComparison.Ordinal) || part.Name is "." or "..")
                throw new CliException($"the share names a part '{part.Name}', which is not a file name");
            var target = Path.Combine(folder, part.Name);
            var partial = target + ".partial";
            try
            {
                await using (var file = File.Create(partial))
                {
                    var progress = new InlineProgress<(long Received, long Length)>(r => error.Write($"\r{part.Name}: {r.Received * 100 / Math.Max(1, r.Length)}% of {r.Length} bytes"));
                    await session.Client.FetchSharedAsync(answer, part.Name, file, progress, cancellationToken: ct).ConfigureAwait(false);
                }
                await error.WriteLineAsync().ConfigureAwait(false);
                File.Move(partial, target, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
            written.Add(target);
        }
        return written;
    }
}
