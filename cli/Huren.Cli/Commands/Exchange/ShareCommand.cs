using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;

namespace Huren.Cli.Commands.Exchange;

/// <summary><c>huren share request</c>: a department asks another city for a record's data through its own node.</summary>
internal static class ShareCommand
{
    public static Command Build()
    {
        var share = new Command("share", "Cross-city data exchange (跨域数据共享): ask, through the department's own node, for another city's record data.");
        share.Subcommands.Add(BuildRequest());
        return share;
    }

    private static Command BuildRequest()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var provider = new Option<string>("--provider") { Description = "The providing city (city code or origin).", Required = true };
        var resource = new Option<string>("--resource") { Description = "The provider's catalogue resource code.", Required = true };
        var record = new Option<string>("--record") { Description = "The record id.", Required = true };
        var fields = new Option<string[]>("--field") { Description = "A data item needed (minimisation: only what the matter needs); repeatable.", Required = true };
        var purpose = new Option<string>("--purpose") { Description = "The purpose, as the catalogue allows it.", Required = true };
        var matter = new Option<string>("--matter-code") { Description = "The matter code (事项编码)." };
        var basis = new Option<string>("--legal-basis") { Description = "The legal basis.", Required = true };
        var id = new Option<string?>("--id") { Description = "The request's share id (to ask again after a pending answer); new by default." };
        var output = new Option<string>("--out") { Description = "Folder the received parts are written to (fields.json and the files).", Required = true };
        var request = new Command("request",
            "Ask for a record's data. The own node forwards the signed request to the provider's node, which records a share or a\n" +
            "refusal in its log; shared data is checked against the share entry, the department's receipt is recorded in its own log,\n" +
            "then the parts are written to --out (progress on standard error). Exit 0 shared, 1 refused or pending (ask again with --id), 2 error.")
            { provider, resource, record, fields, purpose, matter, basis, id, output };
        access.AddTo(request);
        request.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var issuerId = session.Credential.IssuerId ?? throw new CliException("the credential acts for no department (issuer id)");
            var asked = new ShareRequest
            {
                ShareId = parse.GetValue(id) ?? $"{session.City.CityCode}-req-{Guid.NewGuid():N}"[..32],
                ConsumerIssuerId = issuerId, ConsumerCode = await AuthorityCodeAsync(session, issuerId, ct).ConfigureAwait(false),
                ConsumerName = session.Credential.Name is { Length: > 0 } name ? name : issuerId, ConsumerOrigin = session.Origin,
                ProviderOrigin = session.OriginOf(parse.GetValue(provider)!), ResourceCode = parse.GetValue(resource)!, RecordId = parse.GetValue(record)!,
                Fields = [.. parse.GetValue(fields)!], Purpose = parse.GetValue(purpose)!, MatterCode = parse.GetValue(matter) ?? "", LegalBasis = parse.GetValue(basis)!,
            };
            var answer = await session.Client.RequestShareAsync(asked, session.Key, cancellationToken: ct).ConfigureAwait(false);
            var stdout = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (answer.Status != ExchangeStatus.Shared)
            {
                var what = answer.Status == ExchangeStatus.Refused ? $"refused ({answer.ReasonCode}): {answer.Reason}" : $"pending: {answer.Reason}";
                if (session.AsJson) await stdout.WriteLineAsync(JsonSerializer.Serialize(new { shareId = asked.ShareId, status = answer.Status.ToString().ToLowerInvariant(), reasonCode = answer.ReasonCode, reason = answer.Reason, entry = answer.Entry is { } e ? new { origin = e.Origin, index = e.Index } : null }, CliJson.Options)).ConfigureAwait(false);
                else await stdout.WriteLineAsync($"share {asked.ShareId} {what}").ConfigureAwait(false);
                return ExitCodes.Negative;
            }
            var receipt = await session.Client.RecordReceiptAsync(answer, issuerId, session.Key, cancellationToken: ct).ConfigureAwait(false);
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            foreach (var part in answer.Parts)
            {
                if (part.Name.Contains('/', StringComparison.Ordinal) || part.Name.Contains('\\', StringComparison.Ordinal) || part.Name is "." or "..")
                    throw new CliException($"the provider named a part '{part.Name}', which is not a file name");
                await using var target = File.Create(Path.Combine(folder, part.Name));
                var progress = new Progress<(long Received, long Length)>(p => error.Write($"\r{part.Name}: {p.Received * 100 / Math.Max(1, p.Length)}% of {p.Length} bytes"));
                await session.Client.FetchSharedAsync(answer, part.Name, target, progress, cancellationToken: ct).ConfigureAwait(false);
                await error.WriteLineAsync().ConfigureAwait(false);
            }
            if (session.AsJson)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    shareId = asked.ShareId, status = "shared", share = new { origin = answer.Entry!.Origin, index = answer.Entry.Index },
                    receipt = new { origin = receipt.Origin, index = receipt.Index }, parts = answer.Parts.Select(p => new { name = p.Name, length = p.Length, sha256 = Convert.ToHexStringLower(p.Sha256) }),
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync($"share {asked.ShareId}: shared by {answer.Entry!.Origin} #{answer.Entry.Index}, receipt {receipt.Origin} #{receipt.Index}; {answer.Parts.Count} part(s) written to {folder}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return request;
    }

    private static async Task<string> AuthorityCodeAsync(NodeSession session, string issuerId, CancellationToken ct)
    {
        var issuers = await session.Client.Issuers.ListAsync(new ListIssuersRequest(), session.Options(ct)).ConfigureAwait(false);
        return issuers.Issuers.Find(i => i.IssuerId == issuerId)?.AuthorityCode ?? throw new CliException($"{issuerId} is not registered in {session.Origin}");
    }
}
