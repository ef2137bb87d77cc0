using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Services;

namespace Huren.Cli.Commands.Exchange;

/// <summary><c>huren share request</c>: a department asks another city for a record's data through its own node.</summary>
internal static class ShareCommand
{
    public static Command Build()
    {
        var share = new Command("share", "Cross-city data exchange (跨域数据共享): ask, through the department's own node, for another city's record data.");
        share.Subcommands.Add(BuildRequest());
        share.Subcommands.Add(BuildList());
        share.Subcommands.Add(BuildDecide(approve: true));
        share.Subcommands.Add(BuildDecide(approve: false));
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
        var output = new Option<string?>("--out", "--output", "-o") { Description = "Folder the received parts are written to (fields.json and the files). Without it the data stays held by the own node, for 'huren data get'." };
        var request = new Command("request",
            "Ask for a record's data. The own node forwards the signed request to the provider's node, which records a share or a\n" +
            "refusal in its log; shared data is checked against the share entry, the department's receipt is recorded in its own log,\n" +
            "then the parts are written to --out (progress on standard error; without --out, 'huren data get' fetches them later).\n" +
            "Exit 0 shared, 1 refused or pending (ask again with --id), 2 error.")
            { provider, resource, record, fields, purpose, matter, basis, id, output };
        access.AddTo(request);
        request.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var issuerId = session.Credential.IssuerId ?? throw new CliException("the credential acts for no department (issuer id)");
            var consumer = await RegisteredAsync(session, issuerId, ct).ConfigureAwait(false);
            var asked = new ShareRequest
            {
                ShareId = parse.GetValue(id) ?? $"{session.City.CityCode}-req-{Guid.NewGuid():N}"[..32],
                ConsumerIssuerId = issuerId, ConsumerCode = consumer.AuthorityCode,
                ConsumerName = consumer.Name is { Length: > 0 } name ? name : issuerId, ConsumerOrigin = session.Origin,
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
            var folder = parse.GetValue(output);
            if (folder is not null) await DataCommand.WritePartsAsync(session, answer, folder, error, ct).ConfigureAwait(false);
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
                var where = folder is null ? $"held by {session.Origin} ('huren data get {asked.ShareId} --out DIR')" : $"written to {folder}";
                await stdout.WriteLineAsync($"share {asked.ShareId}: shared by {answer.Entry!.Origin} #{answer.Entry.Index}, receipt {receipt.Origin} #{receipt.Index}; {answer.Parts.Count} part(s) {where}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return request;
    }

    private static Command BuildList()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var list = new Command("list", "List the requests waiting for the department's decision (有条件共享), with who asks, for what and why.");
        access.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            // A request that does not decode is an InvalidDataException, reported as an error like any I/O fault.
            var requests = new List<ShareRequest>();
            await foreach (var r in session.Client.ListPendingAsync(ct).ConfigureAwait(false)) requests.Add(r);
            var stdout = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    pending = requests.Select(r => new
                    {
                        shareId = r.ShareId, consumerCode = r.ConsumerCode, consumerName = r.ConsumerName, consumerOrigin = r.ConsumerOrigin, resourceCode = r.ResourceCode,
                        recordId = r.RecordId, fields = r.Fields, purpose = r.Purpose, matterCode = r.MatterCode, legalBasis = r.LegalBasis,
                    }),
                }, CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (requests.Count == 0)
            {
                await stdout.WriteLineAsync("No pending requests.").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            await stdout.WriteAsync(ConsoleTable.Format(["SHARE", "CONSUMER", "RESOURCE", "RECORD", "FIELDS", "PURPOSE"],
                requests.Select(r => new[] { r.ShareId, $"{r.ConsumerName} ({r.ConsumerOrigin})", r.ResourceCode, r.RecordId, string.Join("、", r.Fields), r.Purpose }))).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command BuildDecide(bool approve)
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var shareId = new Argument<string>("share-id") { Description = "The pending request's share id ('huren share list')." };
        var reason = new Option<string?>("--reason") { Description = approve ? "A note on the approval." : "Why the request is refused (required).", Required = !approve };
        var decide = new Command(approve ? "approve" : "refuse", approve
            ? "Approve a pending request (有条件共享): a share.decision entry signed by the department; the consumer's next request gets the data."
            : "Refuse a pending request: a share.decision entry with the reason, signed by the department; no share may follow it.") { shareId, reason };
        access.AddTo(decide);
        decide.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var issuerId = session.Credential.IssuerId ?? throw new CliException("the credential acts for no department (issuer id)");
            var id = parse.GetValue(shareId)!;
            var asked = await session.Client.FindPendingAsync(id, ct).ConfigureAwait(false)
                ?? throw new CliException($"no pending request {id} for {issuerId} ('huren share list' shows them)");
            var providerCode = await AuthorityCodeAsync(session, issuerId, ct).ConfigureAwait(false);
            var response = await session.Client.DecideShareAsync(asked, approve ? ShareDecision.Approved : ShareDecision.Refused, parse.GetValue(reason) ?? "",
                providerCode, issuerId, session.Key, ct).ConfigureAwait(false);
            var stdout = parse.InvocationConfiguration.Output;
            if (session.AsJson) await stdout.WriteLineAsync(JsonSerializer.Serialize(new { shareId = asked.ShareId, decision = approve ? "approved" : "refused", origin = response.Origin, index = response.Index }, CliJson.Options)).ConfigureAwait(false);
            else await stdout.WriteLineAsync($"share request {asked.ShareId} {(approve ? "approved" : "refused")}: {response.Origin} #{response.Index}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return decide;
    }

    private static async Task<string> AuthorityCodeAsync(NodeSession session, string issuerId, CancellationToken ct)
        => (await RegisteredAsync(session, issuerId, ct).ConfigureAwait(false)).AuthorityCode;

    /// <summary>The department's registration in its own city's log (code and registered name).</summary>
    private static async Task<IssuerInfo> RegisteredAsync(NodeSession session, string issuerId, CancellationToken ct)
    {
        var issuers = await session.Client.Issuers.ListAsync(new ListIssuersRequest(), session.Options(ct)).ConfigureAwait(false);
        return issuers.Issuers.Find(i => i.IssuerId == issuerId) ?? throw new CliException($"{issuerId} is not registered in {session.Origin}");
    }
}
