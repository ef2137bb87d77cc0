using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;

namespace Huren.Cli.Commands.Issuers;

/// <summary>
/// <c>huren issuer register|revoke|list|credential</c>: a city data office registers its departments (issuers) with
/// their keys and scopes, and revokes them; entries signed with the city root key, submitted by the operator.
/// </summary>
internal static class IssuerCommand
{
    public static Command Build()
    {
        var issuer = new Command("issuer", "Register, revoke and list a city's issuers (departments that sign licenses, seals and data-sharing receipts).");
        issuer.Subcommands.Add(BuildRegister());
        issuer.Subcommands.Add(BuildRevoke());
        issuer.Subcommands.Add(BuildSucceed());
        issuer.Subcommands.Add(BuildList());
        issuer.Subcommands.Add(IssuerCredentialCommand.Build());
        return issuer;
    }

    private static Command BuildRegister()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var id = new Option<string?>("--id") { Description = "The issuer id, e.g. 430100-amr (required unless --file gives it)." };
        var name = new Option<string?>("--name") { Description = "The department's name, e.g. 长沙市市场监督管理局." };
        var authority = new Option<string?>("--authority-code") { Description = "The department's 统一社会信用代码 (18 characters, GB 32100 check character)." };
        var kind = new Option<string>("--department-kind") { Description = $"The kind of department: {string.Join(", ", DepartmentKindNames)}.", DefaultValueFactory = _ => DepartmentKinds.MarketRegulation };
        var region = new Option<string?>("--region") { Description = "Its 行政区划代码 (6 digits). Default: the city's code." };
        var key = new Option<string?>("--key") { Description = "The issuer's public key (PEM file; a private key file is accepted and only its public half is used). Default: the key of the profile's credential acting for --id." };
        var types = new Option<string[]>("--license-types") { Description = "License types it may issue, by code or name (comma-separated or repeated), e.g. 营业执照; see the catalog in 'huren issuer register --help'.", AllowMultipleArgumentsPerToken = true };
        var seals = new Option<string[]>("--seals") { Description = "Seal types it may register (GB/T 38540 codes, e.g. 1 2 3).", AllowMultipleArgumentsPerToken = true };
        var share = new Option<bool>("--may-share") { Description = "It may record data shares and receipts." };
        var makerKeys = new Option<string[]>("--seal-maker-key") { Description = "For a seal-making authority (制章机构): a key (PEM, SM2 or P-256) its seals' maker certificates may carry besides its signing key (repeat)." };
        var file = new Option<string?>("--file") { Description = "Read the IssuerRegistered body from a JSON file (schema field names, publicKey as base64 DER); flags then override." };
        var register = new Command("register",
            "Register an issuer in the city's log: an issuer.register entry signed with the city root key (profile 'rootKey'),\n" +
            "submitted as the operator. License types of the catalog:\n" +
            string.Join("\n", LicenseTypeCatalog.All.Select(t => $"  {t.Code}  {t.Name}")))
        {
            id, name, authority, kind, region, key, types, seals, share, makerKeys, file,
        };
        access.AddTo(register);
        register.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var body = parse.GetValue(file) is { } path ? EntrySubmission.ReadBody<IssuerRegistered>(path) : new IssuerRegistered();
            body.IssuerId = parse.GetValue(id) ?? body.IssuerId;
            if (string.IsNullOrWhiteSpace(body.IssuerId)) throw new CliException("--id is required (or an issuerId in --file)");
            body.Name = parse.GetValue(name) ?? body.Name;
            body.AuthorityCode = parse.GetValue(authority) ?? body.AuthorityCode;
            if (parse.GetResult(kind) is { Implicit: false } || string.IsNullOrEmpty(body.DepartmentKind)) body.DepartmentKind = parse.GetValue(kind)!;
            body.RegionCode = parse.GetValue(region) ?? (body.RegionCode.Length > 0 ? body.RegionCode : session.City.CityCode);
            if (SplitList(parse.GetValue(types)) is { Count: > 0 } typeList) body.LicenseTypeCodes = typeList.ConvertAll(t => TypeCode(t, "--license-types"));
            if (SplitList(parse.GetValue(seals)) is { Count: > 0 } sealList) body.SealPermissions = sealList;
            if (parse.GetValue(share)) body.MayShareData = true;
            foreach (var makerKey in parse.GetValue(makerKeys) ?? []) body.SealMakerKeys.Add(ReadPublicKey(makerKey).SubjectPublicKeyInfo);
            var publicKey = IssuerKey(session, parse.GetValue(key), body);
            body.PublicKey = publicKey.SubjectPublicKeyInfo;
            body.Algorithm = publicKey.Algorithm;

            var entry = EntrySubmission.Create(EntryKinds.IssuerRegister, body.IssuerId, RootIssuerId(session), session.Origin, body);
            var response = await EntrySubmission.SubmitAsync(session, entry, RootKey(session), ct).ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(session, entry, response, parse.InvocationConfiguration.Output,
                $"issuer {body.IssuerId} ({body.Name}, key {publicKey.Id.ToString()[..16]}…)").ConfigureAwait(false);
        });
        return register;
    }

    private static Command BuildRevoke()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var id = new Argument<string>("issuer-id") { Description = "The issuer to revoke, e.g. 430100-amr." };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the entry).", DefaultValueFactory = _ => "撤销发证部门" };
        var revoke = new Command("revoke", "Revoke an issuer: its later entries are refused; what it signed before stays valid. Signed with the city root key.")
        {
            id, reason,
        };
        access.AddTo(revoke);
        revoke.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var body = new IssuerRevoked { IssuerId = parse.GetValue(id)!, Reason = parse.GetValue(reason)! };
            var entry = EntrySubmission.Create(EntryKinds.IssuerRevoke, body.IssuerId, RootIssuerId(session), session.Origin, body);
            var response = await EntrySubmission.SubmitAsync(session, entry, RootKey(session), ct).ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(session, entry, response, parse.InvocationConfiguration.Output, $"revocation of issuer {body.IssuerId}").ConfigureAwait(false);
        });
        return revoke;
    }

    private static Command BuildSucceed()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var predecessor = new Argument<string>("predecessor-id") { Description = "The issuer whose records pass on, e.g. 430100-amr (revoked or not)." };
        var successor = new Option<string>("--to") { Description = "The registered successor department, e.g. 430100-window.", Required = true };
        var types = new Option<string[]>("--license-types") { Description = "License types whose licenses pass on, by code or name (comma-separated or repeated). Default: every type of the predecessor's registration, with --seals also its seal types.", AllowMultipleArgumentsPerToken = true };
        var seals = new Option<string[]>("--seals") { Description = "Seal types whose seals pass on (GB/T 38540 codes).", AllowMultipleArgumentsPerToken = true };
        var reason = new Option<string?>("--reason") { Description = "Why, with the decision it rests on (e.g. 《长沙市机构改革方案》 and its document number); required." };
        var succeed = new Command("succeed",
            "Pass an issuer's records to a successor department (机构改革: merged, split or renamed departments): an\n" +
            "issuer.succeed entry signed with the city root key. From then on the successor changes, suspends, resumes, revokes\n" +
            "and transfers the predecessor's licenses of those types (and seals), and the predecessor no longer does. The\n" +
            "successor must be registered with those types. Verdicts and evidence name the succession.") { predecessor, successor, types, seals, reason };
        access.AddTo(succeed);
        succeed.SetAction(async (parse, ct) =>
        {
            var why = parse.GetValue(reason);
            if (string.IsNullOrWhiteSpace(why)) throw new CliException("--reason is required: a succession records the decision it rests on");
            using var session = access.Open(parse);
            var body = new IssuerSucceeded { PredecessorId = parse.GetValue(predecessor)!, SuccessorId = parse.GetValue(successor)!, Reason = why };
            body.LicenseTypeCodes = SplitList(parse.GetValue(types)).ConvertAll(t => TypeCode(t, "--license-types"));
            body.SealTypes = SplitList(parse.GetValue(seals));
            if (body.LicenseTypeCodes.Count == 0 && body.SealTypes.Count == 0)
            {
                var registered = await session.Client.Issuers.ListAsync(new ListIssuersRequest(), session.Options(ct)).ConfigureAwait(false);
                var from = registered.Issuers.Find(i => i.IssuerId == body.PredecessorId)
                    ?? throw new CliException($"issuer {body.PredecessorId} is not registered in {session.Origin}");
                body.LicenseTypeCodes = [.. from.LicenseTypeCodes];
                if (body.LicenseTypeCodes.Count == 0) throw new CliException($"issuer {body.PredecessorId} may issue no license type: name the seal types with --seals");
            }
            var entry = EntrySubmission.Create(EntryKinds.IssuerSucceed, body.PredecessorId, RootIssuerId(session), session.Origin, body);
            var response = await EntrySubmission.SubmitAsync(session, entry, RootKey(session), ct).ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(session, entry, response, parse.InvocationConfiguration.Output,
                $"succession of {body.PredecessorId} by {body.SuccessorId} ({string.Join(", ", body.LicenseTypeCodes.Select(TypeName).Concat(body.SealTypes.Select(t => $"seal type {t}")))})").ConfigureAwait(false);
        });
        return succeed;
    }

    /// <summary>A license type given by code or by name, as its code.</summary>
    /// <exception cref="CliException">Neither a code nor a name of the catalog.</exception>
    internal static string TypeCode(string codeOrName, string option)
        => LicenseTypeCatalog.TryGet(codeOrName, out var byCode) ? byCode.Code
            : LicenseTypeCatalog.TryGetByName(codeOrName, out var byName) ? byName.Code
            : throw new CliException($"{option} '{codeOrName}' is not in the license-type catalog, by code or by name (see 'huren issuer register --help')");

    private static Command BuildList()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Option<string?>("--origin") { Description = "Whose log: a city code or log origin. Default: the node's own city." };
        var list = new Command("list", "List the issuers registered in a city's log, with scope and state.") { origin };
        access.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var logOrigin = parse.GetValue(origin) is { } o ? session.OriginOf(o) : "";
            var response = await session.Client.Issuers.ListAsync(new ListIssuersRequest { Origin = logOrigin }, session.Options(ct)).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    issuers = response.Issuers.Select(i => new
                    {
                        issuerId = i.IssuerId, name = i.Name, authorityCode = i.AuthorityCode, keyId = i.KeyId, licenseTypeCodes = i.LicenseTypeCodes,
                        sealPermissions = i.SealPermissions, mayShareData = i.MayShareData, revoked = i.Revoked, registeredAt = i.RegisteredAt, origin = i.Origin,
                    }),
                }, CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (response.Issuers.Count == 0)
            {
                await output.WriteLineAsync("No issuers are registered in this log yet (register one with 'huren issuer register').").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            await output.WriteAsync(ConsoleTable.Format(["ISSUER", "NAME", "AUTHORITY CODE", "LICENSE TYPES", "SEAL TYPES", "SHARES", "STATE", "AT"],
                response.Issuers.Select(i => new[]
                {
                    i.IssuerId, i.Name, i.AuthorityCode, i.LicenseTypeCodes.Count == 0 ? "-" : string.Join(" ", i.LicenseTypeCodes.Select(TypeName)),
                    i.SealPermissions.Count == 0 ? "-" : string.Join(" ", i.SealPermissions),
                    i.MayShareData ? "yes" : "no", i.Revoked ? "revoked" : "active", $"{i.Origin} #{i.RegisteredAt.ToString(CultureInfo.InvariantCulture)}",
                }))).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return list;
    }

    private static readonly string[] DepartmentKindNames =
    [
        DepartmentKinds.MarketRegulation, DepartmentKinds.Health, DepartmentKinds.Transport, DepartmentKinds.HousingConstruction, DepartmentKinds.EcologyEnvironment,
        DepartmentKinds.DrugAdministration, DepartmentKinds.PublicSecurity, DepartmentKinds.AdministrativeApproval, DepartmentKinds.DataAdministration,
    ];

    private static string TypeName(string code) => LicenseTypeCatalog.TryGet(code, out var type) ? type.Name : code;

    /// <summary>Comma-separated or repeated values, trimmed, empty ones dropped.</summary>
    internal static List<string> SplitList(string[]? values)
    {
        var list = new List<string>();
        foreach (var value in values ?? [])
        {
            foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) list.Add(part);
        }
        return list;
    }

    /// <summary>The issuer id the city root writes under (the node's convention: <c>&lt;city&gt;-root</c>).</summary>
    internal static string RootIssuerId(NodeSession session) => $"{session.City.CityCode}-root";

    internal static SigningKey RootKey(NodeSession session)
    {
        if (string.IsNullOrWhiteSpace(session.City.RootKey)) throw new CliException($"the profile holds no root key for city {session.City.CityCode}: only its data office can register or revoke issuers");
        return session.Profile.LoadSigningKey(session.City.RootKey);
    }

    /// <summary>A public key from a PEM file; of a private key file, only its public half.</summary>
    /// <exception cref="CliException">Unreadable, or not a key.</exception>
    internal static PublicKey ReadPublicKey(string keyPath)
    {
        var full = Path.GetFullPath(keyPath);
        string pem;
        try
        {
            pem = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"key '{full}' cannot be read: {ex.Message}", ex);
        }
        try
        {
            return pem.Contains("PRIVATE KEY", StringComparison.Ordinal) ? SigningKey.FromPem(pem).PublicKey : PublicKey.FromPem(pem);
        }
        catch (FormatException ex)
        {
            throw new CliException($"key '{full}': {ex.Message}", ex);
        }
    }

    /// <summary>The key to register: --key, else the body's, else the profile credential acting for the issuer id.</summary>
    private static PublicKey IssuerKey(NodeSession session, string? keyPath, IssuerRegistered body)
    {
        if (keyPath is not null) return ReadPublicKey(keyPath);
        if (body.PublicKey.Length > 0)
        {
            try
            {
                return PublicKey.FromSubjectPublicKeyInfo(body.PublicKey);
            }
            catch (FormatException ex)
            {
                throw new CliException($"publicKey in the body file: {ex.Message}", ex);
            }
        }
        var credential = session.City.FindByIssuerId(body.IssuerId)
            ?? throw new CliException($"no --key given and the profile has no credential acting for '{body.IssuerId}' in city {session.City.CityCode}");
        return session.Profile.LoadSigningKey(credential.PrivateKey).PublicKey;
    }
}
