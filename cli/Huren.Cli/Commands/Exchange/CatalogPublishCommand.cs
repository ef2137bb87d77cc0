using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Schemas.Bodies;
using Huren.Cli.Profiles;

namespace Huren.Cli.Commands.Exchange;

/// <summary>
/// <c>huren catalog publish</c> and <c>huren catalog show</c>: a providing department writes a catalogue resource in its
/// own city's log; anyone reads one resource, every field, from any city's node.
/// </summary>
internal static class CatalogPublishCommand
{
    /// <summary>The keys of a resource file, as <c>catalog show --json</c> prints them (so a shown resource can be edited and published again).</summary>
    private static readonly string[] FileKeys =
    [
        "resourceCode", "name", "sharingType", "fields", "updateFrequency", "legalBasis", "allowedPurposes", "allowedMatterCodes",
        "allowedConsumerCities", "allowedConsumerCodes", "notSharedReason",
        // Printed by 'catalog show --json' and ignored here: the provider is always the publishing department.
        "origin", "index", "issuerId", "publishedAt", "providerCode", "providerName",
    ];

    public static Command BuildPublish()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var file = new Option<string?>("--file") { Description = "A JSON file holding the resource (the keys 'catalog show --json' prints); options given as well override its values." };
        var code = new Option<string?>("--code") { Description = "The resource code (信息资源代码), e.g. 430100-YYZZ-0001." };
        var name = new Option<string?>("--name") { Description = "The resource name, e.g. 营业执照信息." };
        var sharing = new Option<string?>("--sharing") { Description = "The sharing type: 无条件 (unconditional), 有条件 (conditional) or 不予共享 (not-shared)." };
        var fields = new Option<string[]>("--field") { Description = "A data item offered: a field of the record's data or a file name (e.g. document); repeatable." };
        var frequency = new Option<string?>("--update-frequency") { Description = "Update frequency (更新周期), e.g. 实时, 每日." };
        var basis = new Option<string?>("--legal-basis") { Description = "The legal basis of the resource and its sharing type." };
        var purposes = new Option<string[]>("--purpose") { Description = "A purpose a consumer may state (exact text); repeatable; none = any." };
        var matters = new Option<string[]>("--matter-code") { Description = "A matter code (事项编码) a consumer may state; repeatable; none = any." };
        var cities = new Option<string[]>("--consumer-city") { Description = "A city whose departments may ask (6-digit code); repeatable; none = any member city." };
        var departments = new Option<string[]>("--consumer-code") { Description = "A department (统一社会信用代码) that may ask; repeatable; none = any department of an allowed city." };
        var notShared = new Option<string?>("--not-shared-reason") { Description = "For 不予共享: why the resource is not shared." };
        var publish = new Command("publish",
            "Publish a catalogue resource (政务信息资源目录) of the department in its own city's log: a catalog.publish entry signed\n" +
            "with the department's key. Publishing the same code again is a new version (only by the same department). The\n" +
            "provider code and name are the department's own registration.")
            { file, code, name, sharing, fields, frequency, basis, purposes, matters, cities, departments, notShared };
        access.AddTo(publish);
        publish.SetAction(async (parse, ct) =>
        {
            var resource = parse.GetValue(file) is { } path ? ReadFile(path) : new CatalogResourcePublished();
            if (parse.GetValue(code) is { } c) resource.ResourceCode = c;
            if (parse.GetValue(name) is { } n) resource.Name = n;
            if (parse.GetValue(sharing) is { } s) resource.SharingType = ParseSharing(s, "--sharing");
            if (parse.GetValue(frequency) is { } f) resource.UpdateFrequency = f;
            if (parse.GetValue(basis) is { } b) resource.LegalBasis = b;
            if (parse.GetValue(notShared) is { } r) resource.NotSharedReason = r;
            ReplaceIfGiven(resource.Fields, parse.GetValue(fields));
            ReplaceIfGiven(resource.AllowedPurposes, parse.GetValue(purposes));
            ReplaceIfGiven(resource.AllowedMatterCodes, parse.GetValue(matters));
            ReplaceIfGiven(resource.AllowedConsumerCities, parse.GetValue(cities));
            ReplaceIfGiven(resource.AllowedConsumerCodes, parse.GetValue(departments));
            if (resource.ResourceCode.Length == 0) throw new CliException("give the resource code (--code, or resourceCode in --file)");
            if (resource.SharingType == SharingType.Unspecified) throw new CliException("give the sharing type (--sharing 无条件|有条件|不予共享, or sharingType in --file)");
            if (resource.Fields.Count == 0) throw new CliException("give the data items offered (--field, repeatable, or fields in --file)");

            using var session = access.Open(parse);
            var issuerId = session.Credential.IssuerId ?? throw new CliException($"the credential '{session.Credential.Principal}' acts for no department (issuer id)");
            var issuers = await session.Client.Issuers.ListAsync(new Schemas.Services.ListIssuersRequest(), session.Options(ct)).ConfigureAwait(false);
            var self = issuers.Issuers.Find(i => i.IssuerId == issuerId) ?? throw new CliException($"{issuerId} is not registered in {session.Origin}");
            resource.ProviderCode = self.AuthorityCode;
            resource.ProviderName = self.Name;
            // A city given as its origin is accepted too; the entry holds the 6-digit code.
            for (var i = 0; i < resource.AllowedConsumerCities.Count; i++)
            {
                if (session.Network.ByOrigin(resource.AllowedConsumerCities[i]) is { } member) resource.AllowedConsumerCities[i] = member.CityCode;
            }
            Schemas.Services.SubmitResponse response;
            try
            {
                response = await session.Client.PublishCatalogAsync(resource, session.Origin, issuerId, session.Key, ct).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal));
            }
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { resourceCode = resource.ResourceCode, origin = response.Origin, index = response.Index, duplicate = response.Duplicate }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"catalogue resource {resource.ResourceCode} ({resource.Name}, {CatalogCommand.TypeName(resource.SharingType)}) published: {response.Origin} #{response.Index}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return publish;
    }

    public static Command BuildShow()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var code = new Argument<string>("code") { Description = "The resource code." };
        var origin = new Option<string?>("--origin") { Description = "The providing city (city code or origin); needed only when several cities use the code." };
        var show = new Command("show", "Show one catalogue resource, every field, as the node keeps it (its own log or a mirror). Exit 1 when no log the node keeps has it.") { code, origin };
        access.AddTo(show);
        show.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var resourceCode = parse.GetValue(code)!;
            var from = parse.GetValue(origin) is { } o ? session.OriginOf(o) : null;
            var found = await session.Client.GetCatalogResourceAsync(resourceCode, from, ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (found is null)
            {
                var where = from ?? "any log";
                if (session.AsJson) await output.WriteLineAsync(JsonSerializer.Serialize(new { resourceCode, found = false }, CliJson.Options)).ConfigureAwait(false);
                else await output.WriteLineAsync($"no catalogue resource {resourceCode} in {where} kept by {session.Describe()}").ConfigureAwait(false);
                return ExitCodes.Negative;
            }
            var r = found.Resource;
            var publishedAt = DateTimeOffset.FromUnixTimeMilliseconds(found.Entry.TimeUnixMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    origin = found.Origin, index = found.Index, issuerId = found.Entry.IssuerId, publishedAt,
                    resourceCode = r.ResourceCode, name = r.Name, providerCode = r.ProviderCode, providerName = r.ProviderName, sharingType = CatalogCommand.TypeName(r.SharingType),
                    fields = r.Fields, updateFrequency = r.UpdateFrequency, legalBasis = r.LegalBasis, allowedPurposes = r.AllowedPurposes, allowedMatterCodes = r.AllowedMatterCodes,
                    allowedConsumerCities = r.AllowedConsumerCities, allowedConsumerCodes = r.AllowedConsumerCodes, notSharedReason = r.NotSharedReason,
                }, CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            static string Any(List<string> values) => values.Count == 0 ? "any" : string.Join("、", values);
            var lines = new (string Label, string Value)[]
            {
                ("resource", r.ResourceCode), ("name", r.Name), ("provider", $"{r.ProviderName} ({r.ProviderCode}), issuer {found.Entry.IssuerId}"),
                ("sharing", CatalogCommand.TypeName(r.SharingType) + (r.NotSharedReason.Length > 0 ? $": {r.NotSharedReason}" : "")),
                ("fields", string.Join("、", r.Fields)), ("update frequency", r.UpdateFrequency.Length == 0 ? "-" : r.UpdateFrequency), ("legal basis", r.LegalBasis),
                ("purposes", Any(r.AllowedPurposes)), ("matter codes", Any(r.AllowedMatterCodes)), ("consumer cities", Any(r.AllowedConsumerCities)),
                ("consumer departments", Any(r.AllowedConsumerCodes)), ("published", $"{publishedAt}, {found.Origin} #{found.Index}"),
            };
            foreach (var (label, value) in lines) await output.WriteLineAsync($"{label + ":",-22}{value}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return show;
    }

    private static void ReplaceIfGiven(List<string> target, string[]? given)
    {
        if (given is not { Length: > 0 }) return;
        target.Clear();
        target.AddRange(given);
    }

    /// <summary>The sharing type from its Chinese name (with or without 共享) or its English one.</summary>
    internal static SharingType ParseSharing(string text, string where) => text.Trim() switch
    {
        "无条件" or "无条件共享" or "unconditional" => SharingType.Unconditional,
        "有条件" or "有条件共享" or "conditional" => SharingType.Conditional,
        "不予共享" or "不予" or "not-shared" => SharingType.NotShared,
        _ => throw new CliException($"{where}: '{text}' is not a sharing type; use 无条件, 有条件 or 不予共享 (or unconditional, conditional, not-shared)"),
    };

    /// <summary>Reads a resource file; every key is checked, so a misspelt one is an error rather than a silently empty field.</summary>
    private static CatalogResourcePublished ReadFile(string path)
    {
        if (!File.Exists(path)) throw new CliException($"--file: '{path}' does not exist");
        JsonDocument document;
        var text = File.ReadAllText(path);
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new CliException(Sdk.Files.JsonProblem.Describe($"--file '{path}'", text, ex));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new CliException($"--file '{path}' must hold one JSON object");
            var resource = new CatalogResourcePublished();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (Array.IndexOf(FileKeys, property.Name) < 0) throw new CliException($"--file '{path}': unknown key '{property.Name}' (known: {string.Join(", ", FileKeys[..11])})");
                var value = property.Value;
                switch (property.Name)
                {
                    case "resourceCode": resource.ResourceCode = Text(value, property.Name, path); break;
                    case "name": resource.Name = Text(value, property.Name, path); break;
                    case "sharingType": resource.SharingType = ParseSharing(Text(value, property.Name, path), $"--file '{path}': sharingType"); break;
                    case "updateFrequency": resource.UpdateFrequency = Text(value, property.Name, path); break;
                    case "legalBasis": resource.LegalBasis = Text(value, property.Name, path); break;
                    case "notSharedReason": resource.NotSharedReason = Text(value, property.Name, path); break;
                    case "fields": resource.Fields.AddRange(Texts(value, property.Name, path)); break;
                    case "allowedPurposes": resource.AllowedPurposes.AddRange(Texts(value, property.Name, path)); break;
                    case "allowedMatterCodes": resource.AllowedMatterCodes.AddRange(Texts(value, property.Name, path)); break;
                    case "allowedConsumerCities": resource.AllowedConsumerCities.AddRange(Texts(value, property.Name, path)); break;
                    case "allowedConsumerCodes": resource.AllowedConsumerCodes.AddRange(Texts(value, property.Name, path)); break;
                }
            }
            return resource;
        }
    }

    private static string Text(JsonElement value, string key, string path)
        => value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new CliException($"--file '{path}': {key} must be a string, not {value.ValueKind}");

    private static List<string> Texts(JsonElement value, string key, string path)
    {
        if (value.ValueKind != JsonValueKind.Array) throw new CliException($"--file '{path}': {key} must be an array of strings, not {value.ValueKind}");
        return [.. value.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new CliException($"--file '{path}': {key}[{i}] must be a string, not {item.ValueKind}"))];
    }
}
