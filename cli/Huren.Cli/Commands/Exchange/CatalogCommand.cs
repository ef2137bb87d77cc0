using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;

namespace Huren.Cli.Commands.Exchange;

/// <summary><c>huren catalog publish|list|show</c>: the resource catalogues (政务信息资源目录) of every log a node keeps.</summary>
internal static class CatalogCommand
{
    public static Command Build()
    {
        var catalog = new Command("catalog", "The government information resource catalogue (政务信息资源目录) each city publishes in its own log.");
        catalog.Subcommands.Add(CatalogPublishCommand.BuildPublish());
        catalog.Subcommands.Add(BuildList());
        catalog.Subcommands.Add(CatalogPublishCommand.BuildShow());
        return catalog;
    }

    private static Command BuildList()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Option<string?>("--origin") { Description = "Only this city's log (city code or origin). Default: every log the node keeps." };
        var list = new Command("list", "List catalogue resources: code, name, provider, sharing type, fields offered and who may ask, from any city's node.") { origin };
        access.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            // An entry that is not a catalogue entry of its log is an InvalidDataException, reported as an error.
            var rows = new List<(string Origin, ulong Index, CatalogResourcePublished Body)>();
            await foreach (var r in session.Client.ListCatalogAsync(parse.GetValue(origin) is { } o ? session.OriginOf(o) : null, ct).ConfigureAwait(false))
                rows.Add((r.Origin, r.Index, r.Resource));
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    resources = rows.Select(r => new
                    {
                        origin = r.Origin, index = r.Index, resourceCode = r.Body.ResourceCode, name = r.Body.Name, providerCode = r.Body.ProviderCode,
                        providerName = r.Body.ProviderName, sharingType = TypeName(r.Body.SharingType), fields = r.Body.Fields, updateFrequency = r.Body.UpdateFrequency,
                        legalBasis = r.Body.LegalBasis, allowedPurposes = r.Body.AllowedPurposes, allowedMatterCodes = r.Body.AllowedMatterCodes,
                        allowedConsumerCities = r.Body.AllowedConsumerCities, allowedConsumerCodes = r.Body.AllowedConsumerCodes, notSharedReason = r.Body.NotSharedReason,
                    }),
                }, CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (rows.Count == 0)
            {
                await output.WriteLineAsync("No catalogue resources.").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            await output.WriteAsync(ConsoleTable.Format(["RESOURCE", "NAME", "PROVIDER", "SHARING", "FIELDS", "CITIES", "LOG"],
                rows.Select(r => new[]
                {
                    r.Body.ResourceCode, r.Body.Name, r.Body.ProviderName, TypeName(r.Body.SharingType), string.Join("、", r.Body.Fields),
                    r.Body.AllowedConsumerCities.Count == 0 ? "any" : string.Join(",", r.Body.AllowedConsumerCities), $"{r.Origin} #{r.Index}",
                }))).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return list;
    }

    /// <summary>The sharing type as printed and in JSON.</summary>
    public static string TypeName(SharingType type) => type switch
    {
        SharingType.Unconditional => "无条件共享",
        SharingType.Conditional => "有条件共享",
        SharingType.NotShared => "不予共享",
        _ => type.ToString(),
    };
}
