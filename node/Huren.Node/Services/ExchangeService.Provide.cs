using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Node.Auth;
using Huren.Node.Content;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

public sealed partial class ExchangeService
{
    /// <summary>What the provider decided for one request: a header, and when shared the parts to stream (<paramref name="Made"/>: by a share entry written for this call).</summary>
    private sealed record Answer(ProvideMessage Header, byte[]? FieldsJson, List<byte[]> Files, bool Made = false);

    /// <inheritdoc/>
    public async IAsyncEnumerable<ProvideMessage> ProvideAsync(SignedShareRequest request, CallContext context = default)
    {
        var answer = await DecideAsync(request, context).ConfigureAwait(false);
        yield return answer.Header;
        if (answer.Header.Status != ExchangeStatus.Shared) yield break;
        // TEST HOOK only (Huren:TestHooks:KillAfterShareOfRecord): the node crashes after a new share entry, before its data.
        if (answer.Made && settings.KillAfterShareOfRecord is { Length: > 0 } crashing && crashing == ShareRecordId(answer))
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        var altered = !settings.AlterSharedData;
        if (answer.FieldsJson is { } json)
        {
            for (var at = 0; at < json.Length; at += Sdk.Client.HurenClient.TransferChunkSize)
            {
                var piece = json.AsSpan(at, Math.Min(Sdk.Client.HurenClient.TransferChunkSize, json.Length - at)).ToArray();
                // TEST HOOK only (Huren:TestHooks:AlterSharedData): data altered after the share entry was written.
                if (!altered) { piece[0] ^= 1; altered = true; }
                yield return new ProvideMessage { Data = piece };
            }
        }
        foreach (var sha256 in answer.Files)
        {
            using var reader = store.OpenRead(sha256);
            await foreach (var piece in reader.ReadPiecesAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (!altered) { piece[0] ^= 1; altered = true; }
                yield return new ProvideMessage { Data = piece };
            }
        }
    }

    /// <summary>
    /// The provider's checks, in order: the caller is the consumer city's node; the request is signed by a department
    /// registered (with the data-sharing permission) in this node's copy of the consumer's log; the resource is in this
    /// log's catalogue; then the catalogue's rules. A refusal and a share are entries in this log, written before the
    /// answer; a conditional request without a decision is held as pending.
    /// </summary>
    private async Task<Answer> DecideAsync(SignedShareRequest request, CallContext context)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Peer);
        var asked = ShareRequestSigner.Read(request) ?? throw RpcErrors.InvalidArgument("request_bytes: not a ShareRequest");
        if (RequestProblem(asked) is { } problem) throw RpcErrors.InvalidArgument(problem);
        var consumerCity = asked.ConsumerOrigin.Length > 6 ? asked.ConsumerOrigin[^6..] : "";
        if (!string.Equals(principal.Name, PeerName(consumerCity), StringComparison.Ordinal) || asked.ConsumerOrigin != $"huren.{settings.NetworkId}/{consumerCity}")
            throw RpcErrors.PermissionDenied($"{principal.Name} may forward only its own city's requests, not one from {asked.ConsumerOrigin}");
        if (asked.ProviderOrigin != settings.Origin) throw RpcErrors.InvalidArgument($"provider_origin {asked.ProviderOrigin} is not this node's log {settings.Origin}");
        var consumerLog = states.Get(asked.ConsumerOrigin) ?? throw RpcErrors.FailedPrecondition($"this node keeps no copy of {asked.ConsumerOrigin}");
        if (!consumerLog.TryGetIssuer(asked.ConsumerIssuerId, out var consumer))
            throw RpcErrors.Unavailable($"this node's copy of {asked.ConsumerOrigin} does not know department {asked.ConsumerIssuerId} yet; try again once it has caught up");
        if (consumer.Revoked || !consumer.Registration.MayShareData || consumer.Registration.AuthorityCode != asked.ConsumerCode)
            throw RpcErrors.PermissionDenied($"{asked.ConsumerIssuerId} of {asked.ConsumerOrigin} is revoked, may not receive shared data, or is not {asked.ConsumerCode}");
        if (!ShareRequestSigner.Verify(request, consumerLog.RegisteredKey(consumer.Registration.PublicKey)))
            throw RpcErrors.PermissionDenied($"the request's signature does not verify under {asked.ConsumerIssuerId}'s registered key");
        // TEST HOOK only (Huren:TestHooks:HoldProvideOfRecord): held, with nothing written, until the caller gives up.
        if (settings.HoldProvideOfRecord is { Length: > 0 } holding && holding == asked.RecordId)
            await Task.Delay(Timeout.Infinite, context.CancellationToken).ConfigureAwait(false);

        var own = states.Own;
        if (!own.TryGetCatalog(asked.ResourceCode, out var resource)) throw RpcErrors.NotFound($"the catalogue of {settings.Origin} has no resource {asked.ResourceCode}");
        var catalog = CanonicalCodec.Decode<CatalogResourcePublished>(LeafReader.Read(logs.Own.GetLeaf(resource.Index)!).Entry.Body);
        if (own.TryGetShare(asked.ShareId, out var made)) return await SendAgainAsync(asked, catalog, resource, made.Index, consumerCity, context.CancellationToken).ConfigureAwait(false);
        DecisionRecord? decision = own.TryGetDecision(asked.ShareId, out var decided) ? decided : null;
        if (decision is { Approved: false })
        {
            var refused = CanonicalCodec.Decode<ShareDecided>(LeafReader.Read(logs.Own.GetLeaf(decision.Index)!).Entry.Body);
            // Share ids are the consumers' choice: a refusal answers the consumer it was made for, not another one that
            // chose the same id.
            if (refused.ConsumerOrigin != asked.ConsumerOrigin || refused.ConsumerCode != asked.ConsumerCode)
                throw RpcErrors.AlreadyExists($"share id {asked.ShareId} is taken by another consumer's request; ask with a new share id");
            return Refused(decision.Index, logs.Own.GetLeaf(decision.Index)!, refused.ReasonCode, refused.Reason);
        }
        // A second, different request under a pending one's id must neither replace it nor, refused, remove it.
        if (decision is null && index.FindPending(asked.ShareId) is { } waiting && !SameAsk(ShareRequestSigner.Read(new SignedShareRequest { RequestBytes = waiting.RequestBytes }), asked))
            throw RpcErrors.AlreadyExists($"another request is pending under share id {asked.ShareId}; ask with a new share id");
        if (decision is not null)
        {
            // An approval answers the request it was made for, not whatever another request under its share id asks.
            var approved = CanonicalCodec.Decode<ShareDecided>(LeafReader.Read(logs.Own.GetLeaf(decision.Index)!).Entry.Body);
            if (ShareDecisionRule.CheckRequest(approved, asked) is { } mismatch)
                throw RpcErrors.PermissionDenied($"share id {asked.ShareId} was approved (entry {decision.Index}) for another request: {mismatch}; nothing was recorded");
        }
        var record = PublishedRecord(asked, resource);
        if (decision is not null && record is null)
            throw RpcErrors.NotFound($"record {asked.RecordId} of resource {asked.ResourceCode} has no published data (any more); nothing was recorded");
        // An approval lifts the condition (有条件共享), not the catalogue: a consumer, purpose, matter or data item the
        // resource does not allow (now) is not shared, whoever approved. One decision per share id, so no refusal entry.
        if (decision is not null && Refusal(asked, catalog, record, consumerCity) is { } beyond)
            throw RpcErrors.PermissionDenied($"share id {asked.ShareId} was approved (entry {decision.Index}), but the catalogue does not allow it: {beyond.Reason}; nothing was recorded");
        if (decision is null && Refusal(asked, catalog, record, consumerCity) is { } refusal)
        {
            var body = DecisionBody(asked, catalog, ShareDecision.Refused, refusal.Code, refusal.Reason);
            var (refusalIndex, refusalLeaf) = await SubmitAsync(EntryKinds.ShareDecision, asked.ShareId, resource.IssuerId, body, context.CancellationToken).ConfigureAwait(false);
            index.RemovePending(asked.ShareId);
            return Refused(refusalIndex, refusalLeaf, refusal.Code, refusal.Reason);
        }
        if (decision is null && catalog.SharingType == SharingType.Conditional)
        {
            index.PutPending(new PendingRequest { ShareId = asked.ShareId, ProviderIssuerId = resource.IssuerId, RequestBytes = request.RequestBytes, Signature = request.Signature });
            return new Answer(new ProvideMessage { Status = ExchangeStatus.Pending, Reason = $"resource {asked.ResourceCode} is shared on condition (有条件共享): waiting for {resource.IssuerId}'s decision; ask again later" }, null, []);
        }
        return await ShareAsync(asked, catalog, resource, record!, decision, context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether two requests ask the same (asked again later, they differ only in their time and signature).</summary>
    private static bool SameAsk(ShareRequest? a, ShareRequest b)
        => a is not null && a.ConsumerOrigin == b.ConsumerOrigin && a.ConsumerIssuerId == b.ConsumerIssuerId && a.ConsumerCode == b.ConsumerCode
           && a.ResourceCode == b.ResourceCode && a.RecordId == b.RecordId && a.Purpose == b.Purpose && a.MatterCode == b.MatterCode && a.LegalBasis == b.LegalBasis
           && a.Fields.SequenceEqual(b.Fields, StringComparer.Ordinal);

    /// <summary>The record's data, when its resource's own department published it: only that is shared under the resource.</summary>
    private RecordData? PublishedRecord(ShareRequest asked, CatalogRecord resource)
        => index.FindRecord(asked.ResourceCode, asked.RecordId) is { } found && string.Equals(found.OwnerIssuerId, resource.IssuerId, StringComparison.Ordinal) ? found : null;

    private static string PeerName(string city) => Network.PeerClients.PrincipalOf(city);

    private Answer Refused(ulong index, byte[] leaf, string code, string reason) => new(new ProvideMessage
    {
        Status = ExchangeStatus.Refused, ReasonCode = code, Reason = reason, Entry = new LogEntry { Origin = settings.Origin, Index = index, Leaf = leaf },
    }, null, []);

    /// <summary>The catalogue's rules, in order; the first that fails is the refusal.</summary>
    private static (string Code, string Reason)? Refusal(ShareRequest asked, CatalogResourcePublished catalog, RecordData? record, string consumerCity)
    {
        if (catalog.SharingType == SharingType.NotShared) return ("not-shared", $"resource {catalog.ResourceCode} is not shared (不予共享): {catalog.NotSharedReason}");
        if (catalog.AllowedConsumerCities.Count > 0 && !catalog.AllowedConsumerCities.Contains(consumerCity))
            return ("consumer", $"consumer city {consumerCity} is not allowed for resource {catalog.ResourceCode} (allowed: {string.Join("、", catalog.AllowedConsumerCities)})");
        if (catalog.AllowedConsumerCodes.Count > 0 && !catalog.AllowedConsumerCodes.Contains(asked.ConsumerCode))
            return ("consumer", $"consumer department {asked.ConsumerCode} is not allowed for resource {catalog.ResourceCode}");
        if (catalog.AllowedPurposes.Count > 0 && !catalog.AllowedPurposes.Contains(asked.Purpose))
            return ("purpose", $"purpose '{asked.Purpose}' is not allowed for resource {catalog.ResourceCode} (allowed: {string.Join("、", catalog.AllowedPurposes)})");
        if (catalog.AllowedMatterCodes.Count > 0 && !catalog.AllowedMatterCodes.Contains(asked.MatterCode))
            return ("matter", $"matter code '{asked.MatterCode}' is not allowed for resource {catalog.ResourceCode} (allowed: {string.Join("、", catalog.AllowedMatterCodes)})");
        foreach (var field in asked.Fields)
        {
            if (!catalog.Fields.Contains(field)) return ("fields", $"'{field}' is not a data item resource {catalog.ResourceCode} offers (offered: {string.Join("、", catalog.Fields)})");
        }
        if (record is null) return ("record", $"record {asked.RecordId} of resource {catalog.ResourceCode} has no published data");
        foreach (var field in asked.Fields)
        {
            if (!record.FieldNames.Contains(field) && !record.FileNames.Contains(field)) return ("fields", $"record {asked.RecordId} has no data item '{field}'");
        }
        return null;
    }

    private static ShareDecided DecisionBody(ShareRequest asked, CatalogResourcePublished catalog, ShareDecision decision, string code, string reason) => new()
    {
        ShareId = asked.ShareId, Decision = decision, ProviderCode = catalog.ProviderCode, ConsumerCode = asked.ConsumerCode, ConsumerOrigin = asked.ConsumerOrigin,
        ResourceCode = asked.ResourceCode, RecordId = asked.RecordId, Purpose = asked.Purpose, MatterCode = asked.MatterCode, ReasonCode = code, Reason = reason,
        Fields = [.. asked.Fields],
    };

    /// <summary>
    /// Answers a request under the id of a share this log already holds. The same consumer asking the same again (its
    /// transfer broke off, or this node stopped, after the share entry) gets that share again — the same entry, salt and
    /// parts, and no new entry — while the share is unexpired and the catalogue still allows it; anyone else is refused.
    /// </summary>
    private async Task<Answer> SendAgainAsync(ShareRequest asked, CatalogResourcePublished catalog, CatalogRecord resource, ulong shareIndex, string consumerCity, CancellationToken cancellationToken)
    {
        var leaf = logs.Own.GetLeaf(shareIndex)!;
        var made = CanonicalCodec.Decode<DataShared>(LeafReader.Read(leaf).Entry.Body);
        if (!Answers(made, asked))
            throw RpcErrors.AlreadyExists($"share {asked.ShareId} was already made (entry {shareIndex}) for another request; ask with a new share id");
        var why = $"share {asked.ShareId} was made (entry {shareIndex}) but cannot be sent again";
        if (string.CompareOrdinal(made.ExpiresOn, Today().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) < 0)
            throw RpcErrors.FailedPrecondition($"{why}: it expired on {made.ExpiresOn}; ask with a new share id");
        var record = PublishedRecord(asked, resource);
        if (Refusal(asked, catalog, record, consumerCity) is { } refusal) throw RpcErrors.PermissionDenied($"{why}: {refusal.Reason}");
        var served = index.FindServed(asked.ShareId) ?? throw RpcErrors.FailedPrecondition($"{why}: this node keeps no copy of what it sent (made by an earlier version); ask with a new share id");
        var parts = new List<SharePart>();
        for (var i = 0; i < served.PartNames.Count; i++) parts.Add(new SharePart { Name = served.PartNames[i], Sha256 = served.PartSha256s[i], Length = served.PartLengths[i] });
        if (!SharePayload.Digest(served.Salt, parts).AsSpan().SequenceEqual(made.PayloadDigest))
            throw RpcErrors.FailedPrecondition($"{why}: what this node kept of it does not give the entry's payload digest");
        byte[]? fieldsJson = null;
        var files = new List<byte[]>();
        foreach (var part in parts)
        {
            if (part.Name == SharePayload.FieldsPart)
            {
                fieldsJson = await MinimalFieldsAsync(served.FieldsSourceSha256, served.JsonFields, cancellationToken).ConfigureAwait(false);
                if (!Digests.Sha256(fieldsJson).AsSpan().SequenceEqual(part.Sha256)) throw RpcErrors.FailedPrecondition($"{why}: its fields no longer read as they were sent");
            }
            else
            {
                if (!store.Contains(part.Sha256)) throw RpcErrors.FailedPrecondition($"{why}: the content store no longer holds part {part.Name}");
                files.Add(part.Sha256);
            }
        }
        var header = new ProvideMessage { Status = ExchangeStatus.Shared, Entry = new LogEntry { Origin = settings.Origin, Index = shareIndex, Leaf = leaf }, Salt = served.Salt };
        header.Parts.AddRange(parts);
        return new Answer(header, fieldsJson, files);
    }

    /// <summary>The record's stored JSON reduced to <paramref name="fields"/>, in that order: the same bytes each time for the same stored object.</summary>
    private async Task<byte[]> MinimalFieldsAsync(byte[] sourceSha256, List<string> fields, CancellationToken cancellationToken)
    {
        using var reader = store.OpenRead(sourceSha256);
        var all = JsonNode.Parse(await reader.ReadAllAsync(ContentService.MaxFieldsJson, cancellationToken).ConfigureAwait(false))!.AsObject();
        var minimal = new JsonObject();
        foreach (var name in fields) minimal[name] = all[name]?.DeepClone();
        return JsonSerializer.SerializeToUtf8Bytes(minimal, MinimalJson);
    }

    private static readonly JsonSerializerOptions MinimalJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static string ShareRecordId(Answer answer) => CanonicalCodec.Decode<DataShared>(LeafReader.Read(answer.Header.Entry!.Leaf).Entry.Body).RecordId;

    /// <summary>
    /// Builds the minimised parts and records the share entry (digest of exactly those parts, salted) together with what
    /// was sent (<see cref="ServedShare"/>, in the entry's own write), and returns what to stream.
    /// </summary>
    private async Task<Answer> ShareAsync(ShareRequest asked, CatalogResourcePublished catalog, CatalogRecord resource, RecordData record, DecisionRecord? decision, CancellationToken cancellationToken)
    {
        var parts = new List<SharePart>();
        byte[]? fieldsJson = null;
        var jsonFields = asked.Fields.Where(record.FieldNames.Contains).ToList();
        if (jsonFields.Count > 0)
        {
            fieldsJson = await MinimalFieldsAsync(record.FieldsSha256, jsonFields, cancellationToken).ConfigureAwait(false);
            parts.Add(new SharePart { Name = SharePayload.FieldsPart, Length = fieldsJson.Length, Sha256 = Digests.Sha256(fieldsJson) });
        }
        var files = new List<byte[]>();
        foreach (var name in asked.Fields)
        {
            var at = record.FileNames.IndexOf(name);
            if (at < 0) continue;
            using var reader = store.OpenRead(record.FileSha256s[at]);
            parts.Add(new SharePart { Name = name, Length = reader.Info.Length, Sha256 = reader.Info.Sha256 });
            files.Add(reader.Info.Sha256);
        }
        var salt = RandomNumberGenerator.GetBytes(32);
        var today = Today();
        var body = new DataShared
        {
            ShareId = asked.ShareId, ProviderCode = catalog.ProviderCode, ProviderName = catalog.ProviderName,
            ConsumerCode = asked.ConsumerCode, ConsumerName = asked.ConsumerName, ConsumerOrigin = asked.ConsumerOrigin,
            ResourceId = asked.ResourceCode, RecordId = asked.RecordId, Fields = [.. asked.Fields],
            PayloadDigest = SharePayload.Digest(salt, parts), DigestAlgorithm = Digests.Sha256Name,
            Purpose = asked.Purpose, MatterCode = asked.MatterCode, LegalBasis = asked.LegalBasis, SharingType = catalog.SharingType,
            ApprovalId = decision is null ? "" : $"{settings.Origin[^6..]}-decision-{decision.Index}",
            ExpiresOn = today.AddDays(settings.Options.ShareValidityDays).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            RecordCount = 1,
        };
        var served = new ServedShare { ShareId = asked.ShareId, Salt = salt, FieldsSourceSha256 = fieldsJson is null ? [] : record.FieldsSha256, JsonFields = jsonFields };
        foreach (var part in parts)
        {
            served.PartNames.Add(part.Name);
            served.PartSha256s.Add(part.Sha256);
            served.PartLengths.Add(part.Length);
        }
        var (shareIndex, shareLeaf) = await SubmitAsync(EntryKinds.Share, asked.ShareId, resource.IssuerId, body, cancellationToken, batch => index.PutServed(batch, served)).ConfigureAwait(false);
        index.RemovePending(asked.ShareId);
        var header = new ProvideMessage { Status = ExchangeStatus.Shared, Entry = new LogEntry { Origin = settings.Origin, Index = shareIndex, Leaf = shareLeaf }, Salt = salt };
        header.Parts.AddRange(parts);
        return new Answer(header, fieldsJson, files, Made: true);
    }

    /// <summary>
    /// Signs an entry with the department's deposited key and appends it to this node's log (durable before it returns),
    /// with <paramref name="writeWith"/>'s rows in the same atomic write.
    /// </summary>
    private async Task<(ulong Index, byte[] Leaf)> SubmitAsync<T>(string kind, string recordId, string issuerId, T body, CancellationToken cancellationToken,
        Action<Storage.StoreBatch>? writeWith = null) where T : class
    {
        var key = DepartmentKey(issuerId);
        var entry = Entry.Create(kind, settings.Origin, recordId, issuerId, body, time.GetUtcNow());
        var leaf = EntrySigner.SignToLeaf(entry, key);
        try
        {
            var result = await sequencer.SubmitAsync(leaf, null, writeWith, cancellationToken).ConfigureAwait(false);
            return (result.Index, leaf);
        }
        catch (AdmissionException ex)
        {
            throw RpcErrors.From(ex);
        }
        // An entry not written (AppendFailedException) answers UNAVAILABLE with its reason (FaultStatusInterceptor).
    }

    private SigningKey DepartmentKey(string issuerId)
    {
        if (_departmentKeys.TryGetValue(issuerId, out var key)) return key;
        if (!settings.Options.DepartmentKeys.TryGetValue(issuerId, out var file))
            throw RpcErrors.FailedPrecondition($"this node holds no signing key for department {issuerId} (Huren:Exchange:DepartmentKeys:{issuerId}): it cannot record shares or refusals for it");
        var path = Path.GetFullPath(file, settings.BaseDirectory);
        // The caller may be a peer: the setting is named, the node's file paths are not.
        if (!File.Exists(path)) throw RpcErrors.FailedPrecondition($"this node cannot sign for department {issuerId}: the key file Huren:Exchange:DepartmentKeys:{issuerId} names does not exist");
        return _departmentKeys.GetOrAdd(issuerId, SigningKey.FromPem(File.ReadAllText(path)));
    }
}
