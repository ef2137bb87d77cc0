using System.Text.Json;
using Grpc.Core;
using Huren.Node.Network;
using Huren.Node.Services;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Client;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;

namespace Huren.Node.CounterDesk;

/// <summary>Where the node is: its origin and city code (the counter page names them on every answer).</summary>
/// <param name="Origin">The node's own log.</param>
/// <param name="CityCode">Its city.</param>
public sealed record CounterNode(string Origin, string CityCode);

/// <summary>
/// The counter page's HTTP API (<c>/counter/api/…</c>, JSON; docs/counter.md). Every call but sign-in needs a
/// session (bearer token); every verification and use is logged with the counter principal. Verification goes through
/// the Licenses and Seals services' own answers and the SDK's trust rules, exactly as the CLI; uses are encoded here and signed by
/// the counter's key in the browser, then submitted under the ledger's counter rules.
/// </summary>
public sealed partial class CounterEndpoints(
    CounterSessions sessions, CounterOptions options, CounterNode node, LicenseService licenses, SealService seals, LedgerService ledger, NetworkView network,
    TimeProvider time, ILogger<CounterEndpoints> logger)
{
    private const string SessionItem = "huren.counter.session";

    /// <summary>The session of an authenticated request (set by the API group's filter).</summary>
    internal static CounterSession SessionOf(HttpContext context) => (CounterSession)context.Items[SessionItem]!;

    /// <summary>Refuses a request without a live session (401); otherwise leaves the session on the request.</summary>
    internal IResult? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
        if (sessions.Find(token) is not { } session)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"huren-counter\"";
            return Error(StatusCodes.Status401Unauthorized, token is null ? "sign in with a counter key first" : "the session has ended (expired, idle too long or signed out); sign in again");
        }
        context.Items[SessionItem] = session;
        return null;
    }

    internal sealed record ChallengeRequest(string? Principal);

    internal sealed record SignInRequest(string? Principal, string? Nonce, string? Signature);

    internal sealed record VerifyRequest(string? Query, string? Source);

    internal sealed record PrepareUseRequest(string? LicenseId, string? MatterCode, string? MatterName, string? Reason, string? BusinessSerial);

    internal sealed record SubmitUseRequest(string? UseId, string? Signature);

    /// <summary>POST session/challenge: a one-time message for the principal's key to sign.</summary>
    internal async Task<IResult> ChallengeAsync(HttpContext context)
    {
        var request = await ReadJsonAsync<ChallengeRequest>(context, SignInBodyBytes).ConfigureAwait(false);
        if (request is null || string.IsNullOrWhiteSpace(request.Principal) || request.Principal.Length > 128) return Error(400, "give the counter's principal name (e.g. counter)");
        var (nonce, expires) = sessions.Challenge(request.Principal);
        var message = System.Text.Encoding.UTF8.GetString(BrowserSignature.LoginMessage(sessions.Origin, request.Principal, nonce));
        return Results.Json(new { principal = request.Principal, nonce, message, expires });
    }

    /// <summary>POST session: opens a session from a signed challenge.</summary>
    internal async Task<IResult> SignInAsync(HttpContext context)
    {
        var request = await ReadJsonAsync<SignInRequest>(context, SignInBodyBytes).ConfigureAwait(false);
        // The principal is logged when refused: no longer than a challenge takes it.
        if (request is not { Principal: { Length: > 0 and <= 128 } principal, Nonce: { Length: > 0 } nonce } || FromBase64(request.Signature) is not { } signature)
            return Error(400, "give principal (at most 128 characters), nonce and signature (base64)");
        if (sessions.SignIn(principal, nonce, signature, out var error) is not var (session, token))
        {
            LogSignInRefused(logger, principal, error!);
            return Error(401, error!);
        }
        LogSignedIn(logger, principal, session.Principal.IssuerId ?? "", session.Ends);
        return Results.Json(new { token, session = Describe(session) });
    }

    /// <summary>GET session: who is signed in, until when, and what this node's page can do.</summary>
    internal IResult Who(HttpContext context) => Results.Json(Describe(SessionOf(context)));

    /// <summary>DELETE session: signs out.</summary>
    internal IResult SignOut(HttpContext context)
    {
        var session = SessionOf(context);
        sessions.SignOut(context.Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim());
        LogSignedOut(logger, session.Principal.Name);
        return Results.NoContent();
    }

    /// <summary>POST verify: a license id, or a QR reference (typed, pasted or read by the camera).</summary>
    internal async Task<IResult> VerifyAsync(HttpContext context)
    {
        var session = SessionOf(context);
        var request = await ReadJsonAsync<VerifyRequest>(context).ConfigureAwait(false);
        var query = request?.Query?.Trim();
        if (string.IsNullOrEmpty(query)) return Error(400, "type or paste a license id (证照标识) or a Huren QR reference");
        var source = request!.Source == "camera" ? "camera" : null;
        return await AnswerQueryAsync(session, query, source, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>POST verify/photo: the image of a QR code, decoded here.</summary>
    internal async Task<IResult> VerifyPhotoAsync(HttpContext context)
    {
        var session = SessionOf(context);
        var image = await ReadBodyAsync(context).ConfigureAwait(false);
        if (image is null) return Error(413, $"the image is larger than {options.MaxUploadBytes / 1024 / 1024} MiB");
        if (image.Length == 0) return Error(400, "send the photo of the QR code");
        if (QrPhotoDecoder.Decode(image, out var error) is not { } text)
        {
            LogPhotoUnread(logger, session.Principal.Name, error!);
            return Error(422, error!);
        }
        return await AnswerQueryAsync(session, text.Trim(), "photo", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>POST verify/bundle: an evidence bundle file, checked offline against the configuration this node holds.</summary>
    internal async Task<IResult> VerifyBundleAsync(HttpContext context)
    {
        var session = SessionOf(context);
        var bytes = await ReadBodyAsync(context).ConfigureAwait(false);
        if (bytes is null) return Error(413, $"the bundle is larger than {options.MaxUploadBytes / 1024 / 1024} MiB");
        if (bytes.Length == 0) return Error(400, "send the evidence bundle file (huren-evidence/v1 JSON)");
        var now = time.GetUtcNow();
        if (network.Current is not { } trusted) return Results.Json(VerdictViews.NoNetwork("bundle", "", Node(session), now));
        string json;
        try
        {
            json = new System.Text.UTF8Encoding(false, true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            json = "";
        }
        var result = new EvidenceVerifier(trusted).Verify(json, LicenseVerdictRules.DayOf(now), out var bundle);
        var view = VerdictViews.Offline(result, bundle, json, trusted, Node(session), now);
        LogVerified(logger, session.Principal.Name, view.Asked.Length > 0 ? view.Asked : "(bundle)", "bundle", view.Status, view.Verdict ?? "-", view.Failure ?? "");
        return Results.Json(view);
    }

    /// <summary>
    /// POST verify/sealed-document (用章文件核验): a document and its GB/T 38540 seal signature, as multipart parts
    /// <c>document</c> and <c>signature</c>. The document is hashed (SM3) as it streams in and not kept; the node's own
    /// Seals answer for the signature and digest is believed only as far as the SDK's rule goes (<see cref="VerifiedSeal.Check"/>,
    /// as <c>huren seal verify</c>).
    /// </summary>
    internal async Task<IResult> VerifySealedDocumentAsync(HttpContext context)
    {
        var session = SessionOf(context);
        var (upload, status, error) = await SealedDocumentUpload.ReadAsync(context.Request, options.MaxDocumentBytes, context.RequestAborted).ConfigureAwait(false);
        if (upload is null) return Error(status, error!);
        var document = new DocumentDetails(upload.DocumentName, upload.DocumentBytes, Convert.ToHexStringLower(upload.DocumentSm3));
        if (network.Current is not { } trusted) return Results.Json(VerdictViews.NoNetwork("sealed-document", upload.DocumentName, Node(session), time.GetUtcNow()) with { Document = document });
        var request = new VerifySealRequest { SesSignature = upload.Signature, DocumentSm3 = upload.DocumentSm3, WaitFinalMs = (uint)options.WaitForFinality.TotalMilliseconds };
        SealVerdictResponse response;
        try
        {
            response = await seals.AnswerVerifyAsync(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            return Error(HttpStatusOf(ex.StatusCode), ex.Status.Detail);
        }
        var answer = VerifiedSeal.Check(response, SealQuestion.ForDigest(upload.DocumentSm3, upload.Signature), new SealEvidenceVerifier(trusted), time.GetUtcNow());
        var view = VerdictViews.Sealed(answer, document, trusted, Node(session), time.GetUtcNow());
        LogVerified(logger, session.Principal.Name, response.SealId.Length > 0 ? response.SealId : "(seal unread)", "sealed-document", view.Status, view.Verdict ?? view.NodeVerdict ?? "-", view.Failure ?? "");
        return Results.Json(view);
    }

    /// <summary>
    /// POST uses/prepare: verifies the license again (never trusting an earlier answer), and encodes the
    /// <c>license.use</c> entry for the counter's key to sign. Matter code and name are required; a use of a license
    /// that is not a believed VALID needs a reason.
    /// </summary>
    internal async Task<IResult> PrepareUseAsync(HttpContext context)
    {
        var session = SessionOf(context);
        var request = await ReadJsonAsync<PrepareUseRequest>(context).ConfigureAwait(false);
        if (request is null || string.IsNullOrWhiteSpace(request.LicenseId)) return Error(400, "give the license id");
        if (string.IsNullOrWhiteSpace(request.MatterCode) || string.IsNullOrWhiteSpace(request.MatterName)) return Error(400, "give the matter code (事项编码) and the matter name (事项名称)");
        if (network.Current is not { } trusted) return Error(409, "this node has no network configuration, so it cannot check the license's evidence");
        var licenseId = request.LicenseId.Trim();
        var (answer, failed) = await AskAsync(licenseId, trusted, context.RequestAborted).ConfigureAwait(false);
        if (failed is not null) return failed;
        if (answer!.IsUnknown) return Error(404, $"license {licenseId} is not known to this node: {answer.Response.Reason}");
        if (!answer.IsVerified || answer.Evidence.LicenseEntry is not { } licenseEntry) return Error(409, $"the evidence for {licenseId} does not verify, so its use is not recorded: {answer.Failure}");
        var believedValid = answer.IsAccepted;
        var reason = request.Reason?.Trim() ?? "";
        var verdict = LicenseVerdictRules.Name(answer.Verdict);
        if (!believedValid && reason.Length == 0)
            return Error(409, $"the license is {(answer.IsFinal ? verdict : $"{verdict}, not final")}: say why it is used all the same (reason)");
        var matter = request.MatterCode.Trim();
        var body = new LicenseUsed
        {
            LicenseId = licenseId,
            MatterCode = matter.StartsWith(node.CityCode, StringComparison.Ordinal) ? matter : $"{node.CityCode}-{matter}",
            MatterName = request.MatterName.Trim(),
            Counter = session.Principal.Name,
            // A VALID answer whose checkpoint is not final yet is used only with a reason, which the purpose keeps.
            Purpose = believedValid || verdict != LicenseUseVerdicts.Valid ? "跨域通办：核验证照" : $"核验结论 VALID（未终局），仍予使用：{reason}",
            // The verdict the counter was shown, checked by the node against the license's state on the entry's day.
            VerdictAtUse = verdict,
            DespiteStatusReason = verdict == LicenseUseVerdicts.Valid ? "" : reason,
            BusinessSerial = string.IsNullOrWhiteSpace(request.BusinessSerial) ? $"{node.CityCode}{time.GetUtcNow():yyyyMMddHHmmssfff}" : request.BusinessSerial.Trim(),
        };
        var entry = Entry.Create(EntryKinds.LicenseUse, node.Origin, licenseId, session.Principal.IssuerId ?? "", body, time.GetUtcNow(), licenseEntry);
        var validation = EntryValidator.Validate(entry);
        if (!validation.IsValid) return Error(400, $"the use cannot be recorded: {validation}");
        var bytes = CanonicalCodec.Encode(entry);
        if (sessions.Prepare(session, bytes, licenseId) is not { } useId) return Error(429, "too many uses are waiting for a signature; sign or drop them first");
        return Results.Json(new
        {
            useId,
            entry = Convert.ToBase64String(bytes),
            licenseId,
            verdict,
            final = answer.IsFinal,
            matterCode = body.MatterCode,
            matterName = body.MatterName,
            purpose = body.Purpose,
            businessSerial = body.BusinessSerial,
            issuerId = entry.IssuerId,
            expires = time.GetUtcNow() + CounterSessions.PreparedUseLifetime,
        });
    }

    /// <summary>POST uses: the counter's signature over a prepared entry; the signed entry is submitted to this node's log.</summary>
    internal async Task<IResult> SubmitUseAsync(HttpContext context)
    {
        var session = SessionOf(context);
        var request = await ReadJsonAsync<SubmitUseRequest>(context).ConfigureAwait(false);
        if (request?.UseId is not { Length: > 0 } useId || FromBase64(request.Signature) is not { } signature) return Error(400, "give useId and signature (base64)");
        if (sessions.Take(session, useId) is not { } prepared) return Error(404, "no such prepared use (it was recorded, lapsed after 5 minutes, or belongs to another session); prepare it again");
        var key = session.Principal.Key;
        if (BrowserSignature.ToLedgerForm(key.Algorithm, signature) is not { } ledgerForm) return Error(400, $"the signature is not a WebCrypto {key.Algorithm} signature");
        var signed = new SignedEntry { EntryBytes = prepared.EntryBytes, SignerKeyId = key.Id.Bytes.ToArray(), Algorithm = key.Algorithm, Signature = ledgerForm };
        if (!SignedEntryVerifier.Verify(signed, key, out var signatureError)) return Error(400, $"the signature does not verify with the key of '{session.Principal.Name}': {signatureError}");
        var leaf = CanonicalCodec.Encode(signed);
        SubmitResponse response;
        try
        {
            response = await ledger.SubmitOneAsync(session.Principal, new SubmitRequest { SignedEntry = leaf }, context.RequestAborted).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            LogUseRefused(logger, session.Principal.Name, prepared.LicenseId, ex.Status.Detail);
            return Error(HttpStatusOf(ex.StatusCode), $"the ledger refused the use: {ex.Status.Detail}");
        }
        var leafHash = MerkleHash.LeafHash(leaf);
        if (!leafHash.AsSpan().SequenceEqual(response.LeafHash)) return Error(500, "the log acknowledged other bytes than those signed");
        LogUseRecorded(logger, session.Principal.Name, prepared.LicenseId, response.Origin, response.Index);
        return Results.Json(new
        {
            licenseId = prepared.LicenseId,
            origin = response.Origin,
            index = response.Index,
            leafHash = Convert.ToHexStringLower(response.LeafHash),
            duplicate = response.Duplicate,
            principal = session.Principal.Name,
        });
    }

    private async Task<IResult> AnswerQueryAsync(CounterSession session, string query, string? source, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        LicenseReference? reference = null;
        string licenseId;
        if (query.StartsWith("huren:", StringComparison.Ordinal))
        {
            if (!LicenseReference.TryParse(query, out reference, out var referenceError)) return Error(400, $"the QR code is not a license reference this page reads: {referenceError}");
            licenseId = reference.LicenseId;
        }
        else if (LicenseIdentifier.Validate(query, "license id") is { } idError)
        {
            // A typo must not read as "no such license": the form and check character are checked first.
            return Error(400, idError.Message);
        }
        else licenseId = query;
        source ??= reference is null ? "id" : "reference";
        if (network.Current is not { } trusted) return Results.Json(VerdictViews.NoNetwork(source, query, Node(session), now));
        var (answer, failed) = await AskAsync(licenseId, trusted, cancellationToken).ConfigureAwait(false);
        if (failed is not null) return failed;
        var view = VerdictViews.Online(source, query, answer!, trusted, Node(session), time.GetUtcNow(), reference);
        LogVerified(logger, session.Principal.Name, licenseId, source, view.Status, view.Verdict ?? view.NodeVerdict ?? "-", view.Failure ?? "");
        return Results.Json(view);
    }

    /// <summary>The Licenses service's answer for <paramref name="licenseId"/>, checked with the SDK's trust rule (as the CLI does).</summary>
    private async Task<(VerifiedLicense? Answer, IResult? Failed)> AskAsync(string licenseId, Sdk.Network.TrustedNetwork trusted, CancellationToken cancellationToken)
    {
        var request = new VerifyLicenseRequest { LicenseId = licenseId, WaitFinalMs = (uint)options.WaitForFinality.TotalMilliseconds };
        try
        {
            var response = await licenses.AnswerVerifyAsync(request, cancellationToken).ConfigureAwait(false);
            return (VerifiedLicense.Check(response, LicenseQuestion.ById(licenseId), new EvidenceVerifier(trusted), LicenseVerdictRules.DayOf(time.GetUtcNow())), null);
        }
        catch (RpcException ex)
        {
            return (null, Error(HttpStatusOf(ex.StatusCode), ex.Status.Detail));
        }
    }

    private object Describe(CounterSession session) => new
    {
        principal = session.Principal.Name,
        issuerId = session.Principal.IssuerId,
        algorithm = session.Principal.Key.Algorithm.ToString(),
        started = session.Started,
        ends = session.Ends,
        idleTimeoutSeconds = (int)options.IdleTimeout.TotalSeconds,
        node = Node(session),
    };

    private NodeDetails Node(CounterSession session)
    {
        var member = network.Current?.ByOrigin(node.Origin);
        return new NodeDetails(node.Origin, node.CityCode, member?.Name ?? "", session.Principal.Name, session.Principal.IssuerId ?? "");
    }

    internal static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => 400,
        StatusCode.Unauthenticated => 401,
        StatusCode.PermissionDenied => 403,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.FailedPrecondition => 409,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => 503,
        _ => 500,
    };

    internal static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    /// <summary>
    /// The largest body of the open sign-in calls (challenge, session): anyone may send them, so they get a few
    /// kilobytes, not the upload limit.
    /// </summary>
    internal const int SignInBodyBytes = 4096;

    /// <summary>The request body, or null when it exceeds <paramref name="limit"/> (default: the upload limit).</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpContext context, long? limit = null)
    {
        limit ??= options.MaxUploadBytes;
        if (context.Request.ContentLength > limit) return null;
        return await SealedDocumentUpload.ReadWithinAsync(context.Request.Body, limit.Value, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<T?> ReadJsonAsync<T>(HttpContext context, long? limit = null)
        where T : class
    {
        var bytes = await ReadBodyAsync(context, limit).ConfigureAwait(false);
        if (bytes is not { Length: > 0 }) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? FromBase64(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 1024) return null;
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Counter {Principal} ({IssuerId}) signed in; the session ends at {Ends}")]
    private static partial void LogSignedIn(ILogger logger, string principal, string issuerId, DateTimeOffset ends);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counter sign-in refused for {Principal}: {Reason}")]
    private static partial void LogSignInRefused(ILogger logger, string principal, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Counter {Principal} signed out")]
    private static partial void LogSignedOut(ILogger logger, string principal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Counter {Principal} verified {LicenseId} by {Source}: {Status} {Verdict} {Failure}")]
    private static partial void LogVerified(ILogger logger, string principal, string licenseId, string source, string status, string verdict, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Counter {Principal} sent a photo without a readable QR code: {Reason}")]
    private static partial void LogPhotoUnread(ILogger logger, string principal, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Counter {Principal} recorded a use of {LicenseId} at {Origin} #{Index}")]
    private static partial void LogUseRecorded(ILogger logger, string principal, string licenseId, string origin, ulong index);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counter {Principal}: the ledger refused a use of {LicenseId}: {Reason}")]
    private static partial void LogUseRefused(ILogger logger, string principal, string licenseId, string reason);
}
