using Grpc.Core;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Sdk.Client;

/// <summary>A catalogue resource as a node lists it: the <c>catalog.publish</c> entry, where it is, and its body.</summary>
/// <param name="Origin">The providing city's log.</param>
/// <param name="Index">The entry's index in that log.</param>
/// <param name="Entry">The entry (department, time).</param>
/// <param name="Resource">The resource as published.</param>
public sealed record CatalogResource(string Origin, ulong Index, Entry Entry, CatalogResourcePublished Resource);

public sealed partial class HurenClient
{
    /// <summary>
    /// Publishes (or publishes a new version of) a catalogue resource (政务信息资源目录): a <c>catalog.publish</c> entry in
    /// the department's own city's log <paramref name="origin"/>, signed with the department's key. The body is checked
    /// by the schema's rules first, so a malformed resource is refused here, before anything is sent.
    /// </summary>
    /// <param name="resource">The resource; its code becomes the entry's record id.</param>
    /// <param name="origin">The department's city's log (the node this client talks to).</param>
    /// <param name="issuerId">The publishing department's issuer id; only it may publish later versions.</param>
    /// <param name="key">The department's registered signing key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">The resource breaks the schema's rules (the message names every field).</exception>
    /// <exception cref="RpcException">The node refused it (e.g. PERMISSION_DENIED: another department's resource, or one that may not share data).</exception>
    public async Task<SubmitResponse> PublishCatalogAsync(CatalogResourcePublished resource, string origin, string issuerId, SigningKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(key);
        var validation = BodyValidator.Validate(resource);
        if (!validation.IsValid) throw new ArgumentException($"the catalogue resource is not valid: {validation}", nameof(resource));
        var entry = Entry.Create(EntryKinds.CatalogPublish, origin, resource.ResourceCode, issuerId, resource, DateTimeOffset.UtcNow);
        return await Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(entry, key) }, Options(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// One catalogue resource, as the node lists it from its own log or its mirrors: the latest <c>catalog.publish</c>
    /// entry of <paramref name="resourceCode"/>, or null when no log the node keeps has it. Each entry the node answers is
    /// checked to be a catalogue entry of the log it is said to be from, for that code.
    /// </summary>
    /// <param name="resourceCode">The resource code.</param>
    /// <param name="origin">The providing city's log; null to look in every log the node keeps.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidOperationException">Several cities publish that code and <paramref name="origin"/> is null.</exception>
    /// <exception cref="InvalidDataException">The node answered an entry that is not that resource's catalogue entry.</exception>
    public async Task<CatalogResource?> GetCatalogResourceAsync(string resourceCode, string? origin = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceCode);
        var response = await Exchange.ListCatalogAsync(new CatalogListRequest { Origin = origin ?? "", ResourceCode = resourceCode }, Options(cancellationToken)).ConfigureAwait(false);
        var found = new List<CatalogResource>();
        foreach (var listed in response.Entries)
        {
            var resource = ReadCatalogEntry(listed);
            // A node that ignores the filter (an older one) lists every resource: keep only the code asked for.
            if (resource.Resource.ResourceCode == resourceCode && (origin is null || resource.Origin == origin)) found.Add(resource);
        }
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new InvalidOperationException($"resource {resourceCode} is published by {string.Join(", ", found.Select(r => r.Origin))}: name the city"),
        };
    }

    /// <summary>Reads a listed catalogue entry; throws <see cref="InvalidDataException"/> when it is not one of the log it is said to be from.</summary>
    /// <param name="listed">An entry a node listed.</param>
    public static CatalogResource ReadCatalogEntry(LogEntry listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        if (!LeafReader.TryRead(listed.Leaf, out var leaf, out var error)) throw new InvalidDataException($"entry {listed.Index} of {listed.Origin} does not decode: {error}");
        var entry = leaf!.Entry;
        if (entry.Kind != EntryKinds.CatalogPublish || entry.Origin != listed.Origin || !CanonicalCodec.TryDecode<CatalogResourcePublished>(entry.Body, out var body, out _))
            throw new InvalidDataException($"the node answered entry {listed.Index} of {listed.Origin}, which is not a catalogue entry of that log");
        if (body!.ResourceCode != entry.RecordId) throw new InvalidDataException($"catalogue entry {listed.Index} of {listed.Origin} names resource {body.ResourceCode} but has record id {entry.RecordId}");
        return new CatalogResource(listed.Origin, listed.Index, entry, body);
    }
}
