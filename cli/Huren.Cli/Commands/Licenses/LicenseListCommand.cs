using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Catalog;
using Huren.Schemas.Services;
using Huren.Sdk.Evidence;

namespace Huren.Cli.Commands.Licenses;

/// <summary><c>huren license list</c>: the licenses of the logs a node keeps, filtered by issuer, type, status and log.</summary>
internal static class LicenseListCommand
{
    private static readonly string[] StatusNames = ["valid", "suspended", "revoked", "expired", "not-yet-valid", "transferred"];

    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var issuer = new Option<string?>("--issuer") { Description = "Only this issuer's licenses (issuer id)." };
        var type = new Option<string?>("--type") { Description = "Only this type (code or catalog name)." };
        var status = new Option<string?>("--status") { Description = $"Only with this verdict today: {string.Join(", ", StatusNames)}." };
        status.AcceptOnlyFromAmong(StatusNames);
        var origin = new Option<string?>("--origin") { Description = "Only this city's log (city code or origin). Default: every log the node keeps." };
        var list = new Command("list", "List licenses with their current verdict, by issuer, type, status and log.") { issuer, type, status, origin };
        access.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var request = new ListLicensesRequest
            {
                IssuerId = parse.GetValue(issuer) ?? "",
                Origin = parse.GetValue(origin) is { } o ? session.OriginOf(o) : "",
                Verdict = parse.GetValue(status) is { } s ? VerdictOf(s) : LicenseVerdict.Unspecified,
            };
            if (parse.GetValue(type) is { } t)
            {
                request.TypeCode = LicenseTypeCatalog.TryGet(t, out var byCode) ? byCode.Code
                    : LicenseTypeCatalog.TryGetByName(t, out var byName) ? byName.Code
                    : throw new CliException($"--type '{t}' is not in the license-type catalog");
            }
            var licenses = new List<LicenseSummary>();
            await foreach (var license in session.Client.ListLicensesAsync(request, ct).ConfigureAwait(false)) licenses.Add(license);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    licenses = licenses.Select(l => new
                    {
                        licenseId = l.LicenseId, typeCode = l.TypeCode, name = l.Name, holderName = l.HolderName, issuerId = l.IssuerId,
                        verdict = LicenseVerdictRules.Name(l.Verdict), origin = l.Origin, index = l.Index,
                    }),
                }, CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (licenses.Count == 0)
            {
                await output.WriteLineAsync("No licenses match.").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            await output.WriteAsync(ConsoleTable.Format(["LICENSE", "NAME", "HOLDER", "ISSUER", "VERDICT", "LOG"],
                licenses.Select(l => new[]
                {
                    l.LicenseId, l.Name, l.HolderName, l.IssuerId, LicenseVerdictRules.Name(l.Verdict), $"{l.Origin} #{l.Index.ToString(CultureInfo.InvariantCulture)}",
                }))).ConfigureAwait(false);
            await output.WriteLineAsync($"{licenses.Count} license{(licenses.Count == 1 ? "" : "s")}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return list;
    }

    private static LicenseVerdict VerdictOf(string status) => status switch
    {
        "valid" => LicenseVerdict.Valid,
        "suspended" => LicenseVerdict.Suspended,
        "revoked" => LicenseVerdict.Revoked,
        "expired" => LicenseVerdict.Expired,
        "not-yet-valid" => LicenseVerdict.NotYetValid,
        _ => LicenseVerdict.Transferred,
    };
}
