using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;

namespace Huren.Cli.Commands.Licenses;

/// <summary>
/// <c>huren license issue</c>: an issuer records a new license (GB/T 36903 metadata) from flags or a JSON body file.
/// What the issuer's registration already says (authority name and code) is filled in from the node.
/// </summary>
internal static class LicenseIssueCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var file = new Option<string?>("--file") { Description = "Read the LicenseIssued body from a JSON file (the proto3 JSON form of schemas/proto/huren/v1/entries.proto: licenseId, typeCode, holderName, …; bytes as base64). Flags override it." };
        var type = new Option<string?>("--type") { Description = "License type code or name from the catalog, e.g. 11100000HUREN0001P001 or 营业执照." };
        var serial = new Option<string?>("--serial") { Description = "The issuer's serial number for this license; with the type and authority code it makes the 证照标识." };
        var id = new Option<string?>("--id") { Description = "The 证照标识 itself (instead of --serial)." };
        var name = new Option<string?>("--name") { Description = "The license's name. Default: the type's name." };
        var number = new Option<string?>("--number") { Description = "The license number printed on it (证照编号). Default: derived from the serial." };
        var holderName = new Option<string?>("--holder-name") { Description = "The holder (持证主体) name." };
        var holderCode = new Option<string?>("--holder-code") { Description = "The holder's 统一社会信用代码." };
        var holderId = new Option<string?>("--holder-id") { Description = "For a person: the 公民身份号码; only a salted SM3 commitment enters the ledger (the salt is printed)." };
        var issueDate = new Option<string?>("--issue-date") { Description = "The issue date printed on the license (发证日期, yyyy-MM-dd). Default: today (China time)." };
        var validFrom = new Option<string?>("--valid-from") { Description = "First day of validity (yyyy-MM-dd). Default: today." };
        var validUntil = new Option<string?>("--valid-until") { Description = "Last day of validity (yyyy-MM-dd). Default: the type's term from the catalog (e.g. 5 years: the day before the fifth anniversary), else none (长期)." };
        var document = new Option<string?>("--document") { Description = "The license document file (e.g. OFD/PDF); its SHA-256 is recorded. Default: the digest of the license's own metadata." };
        var fields = new Option<string[]>("--field") { Description = "A type-specific field as name=value (repeat), e.g. --field 住所=湖南省长沙市岳麓区." };
        var issue = new Command("issue",
            "Issue a license: a license.issue entry signed by the acting issuer (--as; default the profile's issuer of the city).\n" +
            "The issuer's authority name and code come from its registration. Types, their terms and fields (* required):\n" +
            string.Join("\n", LicenseTypeCatalog.All.Select(t => $"  {t.Code}  {t.Name}{(t.DefaultValidityYears is { } years ? $" ({years}-year term)" : "")}:\n"
                + string.Join("\n", t.Fields.Select(f => $"      {(f.Required ? "*" : " ")} {f.Name}: {f.Describe()}")))))
        {
            file, type, serial, id, name, number, holderName, holderCode, holderId, issueDate, validFrom, validUntil, document, fields,
        };
        access.AddTo(issue);
        issue.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var issuerId = LicenseCommand.ActingIssuerId(session);
            var body = parse.GetValue(file) is { } path ? EntrySubmission.ReadBody<LicenseIssued>(path) : new LicenseIssued();
            var registered = await session.Client.Issuers.ListAsync(new ListIssuersRequest(), session.Options(ct)).ConfigureAwait(false);
            var issuer = registered.Issuers.Find(i => i.IssuerId == issuerId)
                ?? throw new CliException($"issuer {issuerId} is not registered in {session.Origin} (a data office registers it with 'huren issuer register')");

            if (parse.GetValue(type) is { } typeArgument)
            {
                body.TypeCode = Issuers.IssuerCommand.TypeCode(typeArgument, "--type");
            }
            if (body.TypeCode.Length == 0)
            {
                if (issuer.LicenseTypeCodes.Count != 1) throw new CliException($"--type is required (issuer {issuerId} may issue {string.Join(", ", issuer.LicenseTypeCodes)})");
                body.TypeCode = issuer.LicenseTypeCodes[0];
            }
            LicenseTypeCatalog.TryGet(body.TypeCode, out var catalogType);
            body.IssuingAuthority = body.IssuingAuthority.Length > 0 ? body.IssuingAuthority : issuer.Name;
            body.IssuingAuthorityCode = body.IssuingAuthorityCode.Length > 0 ? body.IssuingAuthorityCode : issuer.AuthorityCode;
            if (parse.GetValue(id) is { } explicitId) body.LicenseId = explicitId;
            else if (parse.GetValue(serial) is { } serialNumber)
            {
                try
                {
                    body.LicenseId = LicenseIdentifier.Create(body.TypeCode, body.IssuingAuthorityCode, serialNumber, "001").ToString();
                }
                catch (ArgumentException ex)
                {
                    throw new CliException($"--serial '{serialNumber}': {ex.Message}", ex);
                }
                body.LicenseNumber = body.LicenseNumber.Length > 0 ? body.LicenseNumber : $"{session.City.CityCode}{serialNumber}";
            }
            if (body.LicenseId.Length == 0) throw new CliException("give --serial (or --id, or licenseId in --file)");
            body.Name = parse.GetValue(name) ?? (body.Name.Length > 0 ? body.Name : catalogType?.Name ?? "");
            body.LicenseNumber = parse.GetValue(number) ?? (body.LicenseNumber.Length > 0 ? body.LicenseNumber : body.LicenseId);
            body.HolderName = parse.GetValue(holderName) ?? body.HolderName;
            string? salt = null;
            if (parse.GetValue(holderCode) is not null && parse.GetValue(holderId) is not null) throw new CliException("give --holder-code (an organisation) or --holder-id (a person), not both");
            if (parse.GetValue(holderCode) is { } code)
            {
                body.HolderCode = code;
                body.HolderCodeType = HolderCodeTypes.Uscc;
            }
            else if (parse.GetValue(holderId) is { } personalId)
            {
                var saltBytes = RandomNumberGenerator.GetBytes(16);
                try
                {
                    // Checked before it is committed to: a mistyped number would bind the license to nobody.
                    body.HolderIdCommitment = Digests.CitizenIdCommitment(saltBytes, personalId, Sdk.Evidence.LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow));
                }
                catch (ArgumentException)
                {
                    throw new CliException(CitizenIdNumber.Validate(personalId, "--holder-id")!.Message);
                }
                salt = Convert.ToHexStringLower(saltBytes);
                body.HolderCode = "";
                body.HolderCodeType = HolderCodeTypes.CitizenId;
            }
            var today = Sdk.Evidence.LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            body.ValidFrom = parse.GetValue(validFrom) ?? (body.ValidFrom.Length > 0 ? body.ValidFrom : today);
            // The day the license is issued, not the first day it is valid (a license may be valid from a later day).
            body.IssueDate = parse.GetValue(issueDate) ?? (body.IssueDate.Length > 0 ? body.IssueDate : today);
            body.ValidUntil = parse.GetValue(validUntil) ?? body.ValidUntil;
            if (body.ValidUntil.Length == 0 && catalogType?.DefaultValidityYears is not null && LicenseDates.TryParse(body.ValidFrom, out var from))
            {
                // No end date given: the type's term applies (长期 only for types without one).
                body.ValidUntil = catalogType.DefaultValidUntil(from)!.Value.ToString(LicenseDates.Format, System.Globalization.CultureInfo.InvariantCulture);
            }
            body.JurisdictionCode = body.JurisdictionCode.Length > 0 ? body.JurisdictionCode : session.City.CityCode;
            foreach (var field in ParseFields(parse.GetValue(fields)))
            {
                body.Fields.RemoveAll(f => f.Name == field.Name);
                body.Fields.Add(field);
            }
            if (parse.GetValue(document) is { } documentPath)
            {
                body.DocumentDigest = DigestOfFile(documentPath);
                body.DigestAlgorithm = "sha256";
            }
            else if (body.DocumentDigest.Length == 0)
            {
                // No document given: commit to the license's own metadata, so the digest is still unique per license.
                body.DocumentDigest = SHA256.HashData(Encoding.UTF8.GetBytes($"{body.LicenseId}\n{body.LicenseNumber}\n{body.HolderName}\n{body.HolderCode}\n{body.ValidFrom}"));
                body.DigestAlgorithm = "sha256";
            }

            var entry = EntrySubmission.Create(EntryKinds.LicenseIssue, body.LicenseId, issuerId, session.Origin, body);
            var response = await EntrySubmission.SubmitAsync(session, entry, session.Key, ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            return await EntrySubmission.ReportAsync(session, entry, response, output, $"license {body.LicenseId} ({body.Name}, {body.HolderName})", salt).ConfigureAwait(false);
        });
        return issue;
    }

    /// <summary>Parses <c>name=value</c> fields.</summary>
    /// <exception cref="CliException">A field without '='.</exception>
    internal static List<LicenseField> ParseFields(string[]? values)
    {
        var list = new List<LicenseField>();
        foreach (var value in values ?? [])
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new CliException($"--field '{value}' is not name=value");
            list.Add(new LicenseField { Name = value[..eq].Trim(), Value = value[(eq + 1)..].Trim() });
        }
        return list;
    }

    /// <summary>SHA-256 of a file.</summary>
    /// <exception cref="CliException">Missing or unreadable.</exception>
    internal static byte[] DigestOfFile(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            using var stream = File.OpenRead(full);
            return SHA256.HashData(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"document '{full}' cannot be read: {ex.Message}", ex);
        }
    }
}
