using System.Text.Json;
using Grpc.Core;
using Huren.Node.Auth;
using Huren.Node.Content;
using Huren.Node.Ledger;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Entries;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>
/// The Content gRPC service: a department (issuer) stores its records' data and files in its own node and reads back
/// what it stored; an operator may read any object. Other cities never call it: their data comes through an exchange.
/// </summary>
public sealed class ContentService(ContentStore store, ContentIndex index, LedgerStates states) : IContentService
{
    /// <summary>Largest JSON object of a record's fields.</summary>
    public const int MaxFieldsJson = 4 * 1024 * 1024;

    /// <inheritdoc/>
    public async ValueTask<ContentPutResponse> PutAsync(IAsyncEnumerable<ContentChunk> chunks, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Operator);
        try
        {
            using var writer = store.BeginWrite();
            await foreach (var chunk in chunks.WithCancellation(context.CancellationToken).ConfigureAwait(false))
            {
                if (chunk.Data.Length == 0) continue;
                await writer.WriteAsync(chunk.Data, context.CancellationToken).ConfigureAwait(false);
                // The writer has hashed, copied or encrypted the piece: it may be reused (TransferMarshalling).
                TransferMarshalling.ReturnData(chunk.Data);
            }
            // A small object and its owner row in one synced write; a file is synced before the row names its owner.
            using var batch = index.CreateBatch();
            var (info, duplicate) = await writer.CompleteAsync(batch, context.CancellationToken).ConfigureAwait(false);
            // "Duplicate" only for content the caller had stored itself: for anyone else's it would confirm what another
            // department holds, guessed field values included.
            var own = duplicate && index.IsOwner(info.Sha256Hex, OwnerOf(principal));
            index.AddOwner(batch, info.Sha256Hex, OwnerOf(principal));
            index.Write(batch);
            return new ContentPutResponse { Sha256 = info.Sha256, Sm3 = info.Sm3, Length = info.Length, Duplicate = own };
        }
        catch (ContentKeyException ex)
        {
            throw RpcErrors.FailedPrecondition($"the content store cannot encrypt: {ex.Message}");
        }
        catch (ContentException ex)
        {
            throw RpcErrors.InvalidArgument(ex.Message);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ContentChunk> GetAsync(ContentGetRequest request, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Operator);
        // A department reads back only what it stored; the operator reads any object.
        using var reader = principal.Role == ClientRole.Operator ? Open(request.Sha256, request.Sm3) : OpenOwned(principal, request.Sha256, request.Sm3);
        yield return new ContentChunk { Length = reader.Info.Length, Sha256 = reader.Info.Sha256, Sm3 = reader.Info.Sm3 };
        var pieces = reader.ReadPiecesAsync(context.CancellationToken).GetAsyncEnumerator(context.CancellationToken);
        await using (pieces.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await pieces.MoveNextAsync().ConfigureAwait(false)) break;
                }
                catch (ContentException ex)
                {
                    throw RpcErrors.DataLoss(ex.Message);
                }
                yield return new ContentChunk { Data = pieces.Current };
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RecordDataResponse> PutRecordAsync(RecordDataRequest request, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer);
        var owner = OwnerOf(principal);
        var errors = new List<string>();
        if (IdError(request.ResourceCode) is { } resourceError) errors.Add($"resource_code: {resourceError}");
        if (IdError(request.RecordId) is { } recordError) errors.Add($"record_id: {recordError}");
        if (errors.Count > 0) throw RpcErrors.InvalidArgument(string.Join("; ", errors));
        // A department publishes data only under its own resources, and replaces only its own records: the provider's
        // node shares a record under the resource's department's name and key.
        var published = states.Own.TryGetCatalog(request.ResourceCode, out var resource);
        if (published && !string.Equals(resource!.IssuerId, owner, StringComparison.Ordinal))
            throw RpcErrors.PermissionDenied($"resource_code: catalogue resource {request.ResourceCode} is {resource.IssuerId}'s, not '{principal.Name}''s");
        // The resource's own department may replace what another put under the code before it published the resource:
        // a department cannot claim record ids under a resource that is not yet in the catalogue.
        var existing = index.FindRecord(request.ResourceCode, request.RecordId);
        if (existing is not null && !string.Equals(existing.OwnerIssuerId, owner, StringComparison.Ordinal) && !published)
            throw RpcErrors.PermissionDenied($"record {request.RecordId} of resource {request.ResourceCode} was published by {existing.OwnerIssuerId}; only it may replace it");
        byte[] json;
        using (var reader = OpenOwned(principal, request.FieldsSha256, [], "fields_sha256: "))
        {
            try
            {
                json = await reader.ReadAllAsync(MaxFieldsJson, context.CancellationToken).ConfigureAwait(false);
            }
            catch (ContentException ex)
            {
                throw RpcErrors.InvalidArgument($"fields_sha256: {ex.Message}");
            }
        }
        var names = FieldNames(json);
        var data = new RecordData { ResourceCode = request.ResourceCode, RecordId = request.RecordId, OwnerIssuerId = owner, FieldsSha256 = request.FieldsSha256, FieldNames = names };
        foreach (var (file, i) in request.Files.Select((f, i) => (f, i)))
        {
            if (IdError(file.Name) is { } nameError) throw RpcErrors.InvalidArgument($"files[{i}].name: {nameError}");
            // A file's name is the name of its part in a share, which a consumer saves as a file beside the fields part.
            if (file.Name is SharePayload.FieldsPart or "." or ".." || file.Name.AsSpan().IndexOfAny('/', '\\') >= 0)
                throw RpcErrors.InvalidArgument($"files[{i}].name: '{file.Name}' cannot name a part of a share (not {SharePayload.FieldsPart}, '.' or '..', and without '/' or '\\')");
            if (names.Contains(file.Name) || data.FileNames.Contains(file.Name)) throw RpcErrors.InvalidArgument($"files[{i}].name: '{file.Name}' is already a field or file of the record");
            if (file.Sha256.Length != 32 || !index.IsOwner(Convert.ToHexStringLower(file.Sha256), owner) || !store.Contains(file.Sha256))
                throw NotHeld(principal, file.Sha256, [], $"files[{i}].sha256: ");
            data.FileNames.Add(file.Name);
            data.FileSha256s.Add(file.Sha256);
        }
        index.PutRecord(data);
        return new RecordDataResponse { Fields = names, Replaced = existing is not null };
    }

    private static List<string> FieldNames(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw RpcErrors.InvalidArgument("fields_sha256: the record's fields must be a JSON object");
            return [.. document.RootElement.EnumerateObject().Select(p => p.Name)];
        }
        catch (JsonException ex)
        {
            throw RpcErrors.InvalidArgument($"fields_sha256: the object is not JSON: {ex.Message}");
        }
    }

    /// <summary>
    /// Opens an object <paramref name="principal"/>'s department stored. Not stored and stored by another department
    /// are one answer (NOT_FOUND), so a department cannot learn whether anyone holds content it can guess (a record's
    /// fields, say), as <c>Put</c>'s duplicate flag does not tell it either.
    /// </summary>
    private ContentReader OpenOwned(ClientPrincipal principal, byte[] sha256, byte[] sm3, string field = "")
    {
        var owner = OwnerOf(principal);
        if (sha256.Length == 32 && !index.IsOwner(Convert.ToHexStringLower(sha256), owner)) throw NotHeld(principal, sha256, sm3, field);
        ContentReader reader;
        try
        {
            reader = Open(sha256, sm3);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw NotHeld(principal, sha256, sm3, field);
        }
        // Asked by SM3 only: whose it is shows once it is open.
        if (sha256.Length == 32 || index.IsOwner(reader.Info.Sha256Hex, owner)) return reader;
        reader.Dispose();
        throw NotHeld(principal, sha256, sm3, field);
    }

    private static RpcException NotHeld(ClientPrincipal principal, byte[] sha256, byte[] sm3, string field) => RpcErrors.NotFound(sha256.Length == 32
        ? $"{field}'{principal.Name}' stored no object with SHA-256 {Convert.ToHexStringLower(sha256)}"
        : $"{field}'{principal.Name}' stored no object with SM3 {Convert.ToHexStringLower(sm3)}");

    private ContentReader Open(byte[] sha256, byte[] sm3)
    {
        if (sha256.Length != 32 && sm3.Length != 32) throw RpcErrors.InvalidArgument("give sha256 or sm3, 32 bytes");
        try
        {
            return store.OpenRead(sha256, sha256.Length == 32 ? default : sm3);
        }
        catch (ContentException ex) when (ex.NotFound)
        {
            throw RpcErrors.NotFound(ex.Message);
        }
        catch (ContentException ex)
        {
            throw RpcErrors.DataLoss(ex.Message);
        }
        catch (ContentKeyException ex)
        {
            throw RpcErrors.FailedPrecondition(ex.Message);
        }
    }

    /// <summary>Why <paramref name="value"/> is not an identifier (printable ASCII, no spaces, 1 to 128 characters), or null.</summary>
    internal static string? IdError(string value)
    {
        if (string.IsNullOrEmpty(value)) return "is required";
        if (value.Length > 128) return "must be at most 128 characters";
        foreach (var c in value) if (c is <= ' ' or > '~') return "must be printable ASCII without spaces";
        return null;
    }

    /// <summary>Who owns what a principal stores: its issuer (department), else its own name.</summary>
    internal static string OwnerOf(ClientPrincipal principal) => principal.IssuerId ?? principal.Name;
}
