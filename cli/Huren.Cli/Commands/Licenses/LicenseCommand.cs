using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Sdk.Client;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;

namespace Huren.Cli.Commands.Licenses;

/// <summary>
/// <c>huren license …</c>: the lifecycle of an e-license (issue, change, suspend, resume, revoke, transfer, accept),
/// its uses at counters, and the questions counters and auditors ask (list, verify).
/// </summary>
internal static class LicenseCommand
{
    public static Command Build()
    {
        var license = new Command("license", "Issue and manage e-licenses (电子证照), record their uses, list and verify them, make their QR codes.");
        license.Subcommands.Add(LicenseIssueCommand.Build());
        license.Subcommands.Add(BuildChange());
        license.Subcommands.Add(BuildStatus("suspend", LicenseStatusAction.Suspend, LicenseCodes.StatusSuspended, "暂扣", "Suspend a license (暂扣): verdict SUSPENDED until resumed."));
        license.Subcommands.Add(BuildStatus("resume", LicenseStatusAction.Resume, LicenseCodes.StatusValid, "暂扣发还", "Resume a suspended license (暂扣发还)."));
        license.Subcommands.Add(BuildStatus("revoke", LicenseStatusAction.Revoke, LicenseCodes.StatusRevoked, "吊销", "Revoke a license: 07 吊销 (default), 04 注销 or 03 撤销 with --status-code. Final."));
        license.Subcommands.Add(BuildTransfer());
        license.Subcommands.Add(BuildAccept());
        license.Subcommands.Add(BuildUse());
        license.Subcommands.Add(LicenseListCommand.Build());
        license.Subcommands.Add(LicenseVerifyCommand.Build());
        license.Subcommands.Add(LicenseRefreshCommand.Build());
        license.Subcommands.Add(LicenseXmlCommands.BuildExport());
        license.Subcommands.Add(LicenseQrCommand.Build());
        return license;
    }

    private static Command BuildChange()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var id = LicenseIdArgument("The 证照标识 of the license (or licenseId in --file).");
        var fields = new Option<string[]>("--field") { Description = "A changed field as name=value (repeat), e.g. --field 住所=湖南省长沙市天心区." };
        var validUntil = new Option<string?>("--valid-until") { Description = "New last day of validity (yyyy-MM-dd)." };
        var renew = new Option<bool>("--renew") { Description = "A renewal (延续, operation 02) rather than a change (变更, 09); needs --valid-until." };
        var document = new Option<string?>("--document") { Description = "The new document file; its SHA-256 is recorded." };
        var reason = new Option<string>("--reason") { Description = "Why.", DefaultValueFactory = _ => "证照信息变更" };
        var file = BodyFileOption(nameof(LicenseChanged));
        var change = new Command("change", "Record a change (变更) or renewal (延续) of a license the acting issuer issued.") { id, fields, validUntil, renew, document, reason, file };
        access.AddTo(change);
        change.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var body = ReadBodyOrNew<LicenseChanged>(parse, file);
            body.LicenseId = RequireLicenseId(parse.GetValue(id), body.LicenseId);
            if (parse.GetValue(renew)) body.OperationCode = LicenseCodes.OperationRenew;
            else if (string.IsNullOrEmpty(body.OperationCode)) body.OperationCode = LicenseCodes.OperationChange;
            foreach (var field in LicenseIssueCommand.ParseFields(parse.GetValue(fields))) body.ChangedFields.Add(field);
            body.NewValidUntil = parse.GetValue(validUntil) ?? body.NewValidUntil;
            if (parse.GetValue(document) is { } documentPath)
            {
                body.NewDocumentDigest = LicenseIssueCommand.DigestOfFile(documentPath);
                body.DigestAlgorithm = "sha256";
            }
            body.Reason = Pick(parse, reason, body.Reason);
            var previous = await LatestEntryAsync(session, body.LicenseId, ct).ConfigureAwait(false);
            return await SubmitAsIssuerAsync(session, EntryKinds.LicenseChange, body.LicenseId, body, parse, ct, reference: previous).ConfigureAwait(false);
        });
        return change;
    }

    private static Command BuildStatus(string name, LicenseStatusAction action, string defaultCode, string defaultReason, string description)
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var id = LicenseIdArgument("The 证照标识 of the license (or licenseId in --file).");
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the entry).", DefaultValueFactory = _ => defaultReason };
        var file = BodyFileOption(nameof(LicenseStatusChanged));
        var byRoot = new Option<bool>("--by-city-root")
        {
            Description = "Act as the city's data office, as a last resort (e.g. the issuing department is gone and no successor answers): the\n" +
                "entry is signed with the profile's city root key and submitted by the operator. The city root resumes only its own suspensions.",
        };
        var command = new Command(name, description) { id, reason, file, byRoot };
        Option<string>? statusCode = null;
        if (action == LicenseStatusAction.Revoke)
        {
            statusCode = new Option<string>("--status-code") { Description = "07 吊销 (revoked as a penalty), 04 注销 (cancelled) or 03 撤销 (withdrawn).", DefaultValueFactory = _ => defaultCode };
            statusCode.AcceptOnlyFromAmong([.. LicenseCodes.RevocationStatuses]);
            command.Options.Add(statusCode);
        }
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var body = ReadBodyOrNew<LicenseStatusChanged>(parse, file);
            if (body.Action != LicenseStatusAction.Unspecified && body.Action != action)
                throw new CliException($"the body file says action {body.Action}, but this is 'license {name}'");
            body.LicenseId = RequireLicenseId(parse.GetValue(id), body.LicenseId);
            body.Action = action;
            body.StatusCode = statusCode is null ? (body.StatusCode.Length > 0 ? body.StatusCode : defaultCode) : Pick(parse, statusCode, body.StatusCode);
            body.Reason = Pick(parse, reason, body.Reason);
            if (!parse.GetValue(byRoot))
            {
                using var session = access.Open(parse);
                var previous = await LatestEntryAsync(session, body.LicenseId, ct).ConfigureAwait(false);
                return await SubmitAsIssuerAsync(session, EntryKinds.LicenseStatus, body.LicenseId, body, parse, ct, $"{name} of license {body.LicenseId}", previous).ConfigureAwait(false);
            }
            if (parse.GetValue(access.As) is not null) throw new CliException("--by-city-root acts as the city root (submitted by the operator); leave out --as");
            using var rootSession = access.Open(parse, asOverride: CliRoles.Operator);
            var latest = await LatestEntryAsync(rootSession, body.LicenseId, ct).ConfigureAwait(false);
            var entry = EntrySubmission.Create(EntryKinds.LicenseStatus, body.LicenseId, Issuers.IssuerCommand.RootIssuerId(rootSession), rootSession.Origin, body, latest);
            var response = await EntrySubmission.SubmitAsync(rootSession, entry, Issuers.IssuerCommand.RootKey(rootSession), ct).ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(rootSession, entry, response, parse.InvocationConfiguration.Output, $"{name} of license {body.LicenseId} by the city root").ConfigureAwait(false);
        });
        return command;
    }

    private static Command BuildTransfer()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var id = LicenseIdArgument("The 证照标识 of the license (or licenseId in --file).");
        var to = new Option<string?>("--to") { Description = "The city the license moves to (6-digit code of a network member), e.g. 430300 (or toCityCode in --file)." };
        var reason = new Option<string>("--reason") { Description = "Why.", DefaultValueFactory = _ => "住所迁至外市" };
        var file = BodyFileOption(nameof(LicenseTransferred));
        var transfer = new Command("transfer",
            "Transfer a license to another city (跨域迁移): verdict TRANSFERRED here; the receiving city's issuer then records\n" +
            "'huren license accept' and the license is valid there.") { id, to, reason, file };
        access.AddTo(transfer);
        transfer.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var body = ReadBodyOrNew<LicenseTransferred>(parse, file);
            body.LicenseId = RequireLicenseId(parse.GetValue(id), body.LicenseId);
            body.ToCityCode = parse.GetValue(to) ?? body.ToCityCode;
            if (body.ToCityCode.Length == 0) throw new CliException("--to is required (the receiving city's code)");
            body.ToOrigin = session.OriginOf(body.ToCityCode);
            body.Reason = Pick(parse, reason, body.Reason);
            var previous = await LatestEntryAsync(session, body.LicenseId, ct).ConfigureAwait(false);
            return await SubmitAsIssuerAsync(session, EntryKinds.LicenseTransfer, body.LicenseId, body, parse, ct, $"transfer of license {body.LicenseId} to {body.ToOrigin}", previous).ConfigureAwait(false);
        });
        return transfer;
    }

    private static Command BuildAccept()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var id = LicenseIdArgument("The 证照标识 of the transferred license (or licenseId in --file).");
        var from = new Option<string?>("--from") { Description = "The city (or origin) that transferred it. Default: found from the transfer entry." };
        var newId = new Option<string?>("--new-id") { Description = "A new identifier in this city (with this issuer's authority code); default: keep the identifier." };
        // Bounded: a transfer entry reaches the other city's copy in seconds; a typo such as 100000 would hang the command a day.
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for the transfer entry to reach this city's copy of the other log (0–300).", DefaultValueFactory = _ => 30 }
            .InRange(0, 300, "seconds");
        var file = BodyFileOption(nameof(LicenseTransferAccepted));
        var accept = new Command("accept",
            "Accept a license transferred to this city (run with --city of the receiving city and its issuer): a\n" +
            "license.transfer.accept entry referencing the transfer entry in the other city's log.") { id, from, newId, wait, file };
        access.AddTo(accept);
        accept.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var body = ReadBodyOrNew<LicenseTransferAccepted>(parse, file);
            body.LicenseId = RequireLicenseId(parse.GetValue(id), body.LicenseId);
            var fromArgument = parse.GetValue(from) ?? (body.FromOrigin.Length > 0 ? body.FromOrigin : null);
            var fromOrigin = fromArgument is null ? null : session.OriginOf(fromArgument);
            var transfer = await FindEntryAsync(session, body.LicenseId, EntryKinds.LicenseTransfer, fromOrigin, TimeSpan.FromSeconds(parse.GetValue(wait)), ct).ConfigureAwait(false)
                ?? throw new CliException($"no transfer of license {body.LicenseId}{(fromOrigin is null ? "" : " in " + fromOrigin)} reached {session.Describe()} (is it transferred, and to this city?)");
            body.FromOrigin = transfer.Origin;
            body.NewLicenseId = parse.GetValue(newId) ?? body.NewLicenseId;
            if (body.NewLicenseId.Length > 0) CheckLicenseId(body.NewLicenseId, "--new-id");
            // The record id is the transferred license's id, also when it gets a new one here (the schema's rule).
            var entry = EntrySubmission.Create(EntryKinds.LicenseTransferAccept, body.LicenseId, ActingIssuerId(session), session.Origin, body,
                ReferenceTo(transfer, Relations.Transfer));
            var response = await EntrySubmission.SubmitAsync(session, entry, session.Key, ct).ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(session, entry, response, parse.InvocationConfiguration.Output, $"acceptance of license {body.LicenseId} from {transfer.Origin}").ConfigureAwait(false);
        });
        return accept;
    }

    private static Command BuildUse()
    {
        var access = new NodeAccessOptions(CliRoles.Counter);
        var id = LicenseIdArgument("The 证照标识 of the license used (or licenseId in --file).");
        var matterCode = new Option<string?>("--matter-code") { Description = "The government service matter (事项编码), required; the city code is prefixed unless given." };
        var matterName = new Option<string?>("--matter-name") { Description = "The matter's name (事项名称), required." };
        var counter = new Option<string>("--counter") { Description = "Which window (窗口).", DefaultValueFactory = _ => "政务服务中心窗口" };
        var purpose = new Option<string?>("--purpose") { Description = "Why the license was used (申请事由, at most 200 characters), required." };
        var serial = new Option<string?>("--business-serial") { Description = "The counter's business serial number (办件编号). Default: city code and time." };
        var despite = new Option<string?>("--despite-status")
        {
            Description = "Record the use of a license that is not VALID (revoked, suspended, expired, …) anyway, for this reason (recorded\n" +
                "with the verdict). Without it such a use is refused (exit 1).",
        };
        var file = BodyFileOption(nameof(LicenseUsed));
        var use = new Command("use",
            "Record that a counter used a license for a matter (用证): a license.use entry in the counter's city, referencing\n" +
            "the license's issue entry wherever it is, with the verdict the counter saw (verified here from the node's\n" +
            "evidence). A license that is not VALID is refused (exit 1) unless --despite-status says why.\n" +
            "Acts as the profile's counter by default.") { id, matterCode, matterName, counter, purpose, serial, despite, file };
        access.AddTo(use);
        use.SetAction(async (parse, ct) =>
        {
            var body = ReadBodyOrNew<LicenseUsed>(parse, file);
            body.LicenseId = RequireLicenseId(parse.GetValue(id), body.LicenseId);
            var matter = parse.GetValue(matterCode) ?? body.MatterCode;
            body.MatterName = parse.GetValue(matterName) ?? body.MatterName;
            body.Purpose = parse.GetValue(purpose) ?? body.Purpose;
            var missing = new List<string>();
            if (string.IsNullOrWhiteSpace(matter)) missing.Add("--matter-code");
            if (string.IsNullOrWhiteSpace(body.MatterName)) missing.Add("--matter-name");
            if (string.IsNullOrWhiteSpace(body.Purpose)) missing.Add("--purpose");
            if (missing.Count > 0) throw new CliException($"{string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} required: a use records the matter (事项) and the stated purpose (申请事由)");
            body.DespiteStatusReason = parse.GetValue(despite) ?? body.DespiteStatusReason;

            using var session = access.Open(parse);
            var answer = await session.VerifyAsync(LicenseQuestion.ById(body.LicenseId), TimeSpan.Zero, null, ct).ConfigureAwait(false);
            var verdict = answer.Response;
            if (answer.IsUnknown) throw new CliException($"license {body.LicenseId} is not known to {session.Describe()}: {verdict.Reason}");
            // The use references the license's entry as the verified evidence shows it (the accept entry, after a transfer).
            if (!answer.IsVerified) throw new CliException($"the node's evidence for {body.LicenseId} does not verify, so its use is not recorded: {answer.Failure}");
            var issue = answer.Evidence.LicenseEntry ?? throw new CliException($"the node's evidence for {body.LicenseId} holds no issue entry");
            body.VerdictAtUse = LicenseVerdictRules.Name(answer.Verdict);
            if (answer.Verdict != LicenseVerdict.Valid && string.IsNullOrWhiteSpace(body.DespiteStatusReason))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"not recorded: license {body.LicenseId} is {body.VerdictAtUse} ({verdict.Reason}); to record its use anyway, say why with --despite-status REASON").ConfigureAwait(false);
                // Scripts read the answer from stdout, the negative one too.
                if (session.AsJson)
                {
                    await parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(
                        new { recorded = false, licenseId = body.LicenseId, verdict = body.VerdictAtUse, reason = verdict.Reason }, CliJson.Options)).ConfigureAwait(false);
                }
                return ExitCodes.Negative;
            }
            if (answer.Verdict == LicenseVerdict.Valid && body.DespiteStatusReason.Length > 0)
            {
                throw new CliException($"license {body.LicenseId} is VALID: --despite-status is only for a license that is not");
            }
            body.MatterCode = matter!.StartsWith(session.City.CityCode, StringComparison.Ordinal) ? matter : $"{session.City.CityCode}-{matter}";
            body.Counter = Pick(parse, counter, body.Counter);
            body.BusinessSerial = parse.GetValue(serial) ?? (body.BusinessSerial.Length > 0 ? body.BusinessSerial : $"{session.City.CityCode}{DateTimeOffset.UtcNow:yyyyMMddHHmmssfff}");
            var entry = EntrySubmission.Create(EntryKinds.LicenseUse, body.LicenseId, ActingIssuerId(session), session.Origin, body, issue);
            var response = await EntrySubmission.SubmitAsync(session, entry, session.Key, ct).ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(session, entry, response, parse.InvocationConfiguration.Output,
                $"use of license {body.LicenseId} ({verdict.TypeName}, {body.VerdictAtUse}) for {body.MatterName}").ConfigureAwait(false);
        });
        return use;
    }

    private static Argument<string?> LicenseIdArgument(string description) => new("license-id") { Description = description, Arity = ArgumentArity.ZeroOrOne };

    private static Option<string?> BodyFileOption(string bodyName) => new("--file")
    {
        Description = $"Read the {bodyName} body from a JSON file (the proto3 JSON form of schemas/proto/huren/v1/entries.proto: lowerCamelCase fields, bytes as base64, enums by name); flags given explicitly override it.",
    };

    private static T ReadBodyOrNew<T>(ParseResult parse, Option<string?> file)
        where T : class, new()
        => parse.GetValue(file) is { } path ? EntrySubmission.ReadBody<T>(path) : new T();

    /// <summary>The license id from the argument or the body file, checked for form and check character before any node is asked.</summary>
    private static string RequireLicenseId(string? argument, string fromFile)
        => CheckLicenseId(argument ?? (fromFile.Length > 0 ? fromFile : throw new CliException("give the license id (or licenseId in --file)")));

    /// <summary>
    /// <paramref name="licenseId"/> if it is a well-formed 证照标识 (GB/T 36904, with its check character); otherwise a
    /// one-line error naming the rule (e.g. <c>check character should be F, not G</c>): a typo is reported as a typo,
    /// before any node is asked, not as "no such license".
    /// </summary>
    /// <exception cref="CliException">The id is malformed.</exception>
    internal static string CheckLicenseId(string licenseId, string what = "license id")
    {
        if (LicenseIdentifier.Validate(licenseId, $"{what} '{TextContent.Printable(licenseId, 120)}'") is { } error) throw new CliException(error.Message);
        return licenseId;
    }

    /// <summary>An option's value when given on the command line, else the body file's, else the option's default.</summary>
    private static string Pick(ParseResult parse, Option<string> option, string fromFile)
        => parse.GetResult(option) is { Implicit: false } || fromFile.Length == 0 ? parse.GetValue(option)! : fromFile;

    /// <summary>Signs <paramref name="body"/> as the acting issuer (with <paramref name="reference"/>, when given) and submits it to its city's log.</summary>
    internal static async Task<int> SubmitAsIssuerAsync<TBody>(NodeSession session, string kind, string recordId, TBody body, ParseResult parse, CancellationToken ct, string? summary = null, EntryReference? reference = null)
    {
        var entry = reference is null
            ? EntrySubmission.Create(kind, recordId, ActingIssuerId(session), session.Origin, body)
            : EntrySubmission.Create(kind, recordId, ActingIssuerId(session), session.Origin, body, reference);
        var response = await EntrySubmission.SubmitAsync(session, entry, session.Key, ct).ConfigureAwait(false);
        return await EntrySubmission.ReportAsync(session, entry, response, parse.InvocationConfiguration.Output, summary).ConfigureAwait(false);
    }

    /// <summary>The issuer id the acting credential signs for.</summary>
    internal static string ActingIssuerId(NodeSession session)
        => session.Credential.IssuerId is { Length: > 0 } issuerId ? issuerId
            : throw new CliException($"'{session.Credential.Principal}' ({session.Credential.Role}) does not act for an issuer; use --as with an issuer id or 'issuer'");

    /// <summary>
    /// The license's latest entry in the session's own log, which a change, status change or transfer names as 'previous'
    /// (the node refuses one that names another): read from the node's state, so an entry written a moment ago counts.
    /// </summary>
    private static Task<EntryReference> LatestEntryAsync(NodeSession session, string licenseId, CancellationToken ct)
        => session.Client.LatestLicenseEntryAsync(licenseId, session.Origin, ct);

    /// <summary>A reference to a log entry, by origin, index and leaf hash.</summary>
    internal static EntryReference ReferenceTo(LogEntry entry, string relation)
        => new() { Origin = entry.Origin, Index = entry.Index, LeafHash = MerkleHash.LeafHash(entry.Leaf).ToArray(), Relation = relation };

    /// <summary>
    /// The latest entry of <paramref name="kind"/> about <paramref name="recordId"/> that the node holds (its own log or
    /// a mirror), read through the trace as an auditor when the profile has one; retried until <paramref name="wait"/>
    /// since a mirror may still be catching up.
    /// </summary>
    private static async Task<LogEntry?> FindEntryAsync(NodeSession session, string recordId, string kind, string? origin, TimeSpan wait, CancellationToken ct)
    {
        var reader = session.City.FindByRole(CliRoles.Auditor) is { } auditor ? session.ClientOf(session.City, auditor) : session.Client;
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            LogEntry? found = null;
            await foreach (var e in reader.TraceAsync(recordId, ct).ConfigureAwait(false))
            {
                if (origin is not null && e.Origin != origin) continue;
                if (LeafReader.Read(e.Leaf).Entry.Kind == kind) found = e;
            }
            if (found is not null || DateTimeOffset.UtcNow >= deadline) return found;
            await Task.Delay(500, ct).ConfigureAwait(false);
        }
    }
}
