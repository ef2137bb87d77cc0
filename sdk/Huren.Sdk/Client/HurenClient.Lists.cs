using System.Runtime.CompilerServices;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;

namespace Huren.Sdk.Client;

public sealed partial class HurenClient
{
    /// <summary>
    /// The licenses of the node's logs that match <paramref name="filter"/>, with today's verdict, by log then license id:
    /// every page, asked for one after the other as the caller reads (the node answers at most 1,000 per call).
    /// </summary>
    /// <param name="filter">Issuer, type, verdict and log to keep; its page fields are ignored (a null filter keeps all).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="Grpc.Core.RpcException">The node refused a call or is unreachable.</exception>
    public IAsyncEnumerable<LicenseSummary> ListLicensesAsync(ListLicensesRequest? filter = null, CancellationToken cancellationToken = default)
    {
        filter ??= new ListLicensesRequest();
        return PagesAsync(async (token, ct) =>
        {
            var page = await Licenses.ListAsync(new ListLicensesRequest
            {
                IssuerId = filter.IssuerId, TypeCode = filter.TypeCode, Verdict = filter.Verdict, Origin = filter.Origin, PageToken = token,
            }, Options(ct)).ConfigureAwait(false);
            return (page.Licenses, page.NextPageToken);
        }, cancellationToken);
    }

    /// <summary>
    /// The seals registered in the node's logs that match <paramref name="filter"/>, by log then seal id: every page, as
    /// the caller reads (the node's listing; <see cref="GetSealAsync"/> verifies one).
    /// </summary>
    /// <param name="filter">Log, registering issuer and owner to keep; its page fields are ignored (a null filter keeps all).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="Grpc.Core.RpcException">The node refused a call or is unreachable.</exception>
    public IAsyncEnumerable<SealSummary> ListSealsAsync(ListSealsRequest? filter = null, CancellationToken cancellationToken = default)
    {
        filter ??= new ListSealsRequest();
        return PagesAsync(async (token, ct) =>
        {
            var page = await Seals.ListAsync(new ListSealsRequest
            {
                Origin = filter.Origin, IssuerId = filter.IssuerId, OwnerCode = filter.OwnerCode, PageToken = token,
            }, Options(ct)).ConfigureAwait(false);
            return (page.Seals, page.NextPageToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Every catalogue resource (政务信息资源目录) of the logs the node keeps, or of <paramref name="origin"/>: each
    /// resource's latest <c>catalog.publish</c> entry, by log then resource code, every page as the caller reads. Each
    /// entry is checked to be a catalogue entry of the log it is said to be from.
    /// </summary>
    /// <param name="origin">The providing city's log; null for every log the node keeps.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="InvalidDataException">The node answered an entry that is not a catalogue entry of its log.</exception>
    /// <exception cref="Grpc.Core.RpcException">The node refused a call or is unreachable.</exception>
    public async IAsyncEnumerable<CatalogResource> ListCatalogAsync(string? origin = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var entries = PagesAsync(async (token, ct) =>
        {
            var page = await Exchange.ListCatalogAsync(new CatalogListRequest { Origin = origin ?? "", PageToken = token }, Options(ct)).ConfigureAwait(false);
            return (page.Entries, page.NextPageToken);
        }, cancellationToken);
        await foreach (var entry in entries.ConfigureAwait(false)) yield return ReadCatalogEntry(entry);
    }

    /// <summary>
    /// The requests waiting for the calling department's decision (有条件共享; an operator sees every department's), by
    /// share id, as the consumers signed them, every page as the caller reads.
    /// </summary>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="InvalidDataException">The node listed a request that does not decode.</exception>
    /// <exception cref="Grpc.Core.RpcException">The node refused a call or is unreachable.</exception>
    public async IAsyncEnumerable<ShareRequest> ListPendingAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var signed = PagesAsync(async (token, ct) =>
        {
            var page = await Exchange.ListPendingAsync(new PendingRequestsRequest { PageToken = token }, Options(ct)).ConfigureAwait(false);
            return (page.Requests, page.NextPageToken);
        }, cancellationToken);
        await foreach (var request in signed.ConfigureAwait(false)) yield return ReadPending(request);
    }

    /// <summary>The request pending under <paramref name="shareId"/> for the calling department's decision, or null.</summary>
    /// <param name="shareId">The share id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidDataException">The node answered a request that does not decode, or another share's.</exception>
    /// <exception cref="Grpc.Core.RpcException">The node refused the call or is unreachable.</exception>
    public async Task<ShareRequest?> FindPendingAsync(string shareId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shareId);
        var answer = await Exchange.ListPendingAsync(new PendingRequestsRequest { ShareId = shareId }, Options(cancellationToken)).ConfigureAwait(false);
        // A node that ignores the filter (an older one) lists every pending request: keep only the one asked for.
        foreach (var signed in answer.Requests)
        {
            if (ReadPending(signed) is { } request && request.ShareId == shareId) return request;
        }
        return null;
    }

    private static ShareRequest ReadPending(SignedShareRequest signed)
        => ShareRequestSigner.Read(signed) ?? throw new InvalidDataException("the node listed a pending request that does not decode");

    /// <summary>
    /// Every entry naming <paramref name="recordId"/> (a license, share, seal or issuer id) in the logs the node keeps, by
    /// log then index: every page of <c>Trace</c>, as the caller reads. Counters and issuers get only their own entries.
    /// </summary>
    /// <param name="recordId">The record id.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="Grpc.Core.RpcException">The node refused a call or is unreachable.</exception>
    public IAsyncEnumerable<LogEntry> TraceAsync(string recordId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        return PagesAsync(async (token, ct) =>
        {
            var page = await Trace.TraceAsync(new TraceRequest { RecordId = recordId, PageToken = token }, Options(ct)).ConfigureAwait(false);
            return (page.Entries, page.NextPageToken);
        }, cancellationToken);
    }

    /// <summary>Every item of a paged list, asking for the next page as the caller reads on.</summary>
    private static async IAsyncEnumerable<T> PagesAsync<T>(Func<string, CancellationToken, Task<(List<T> Items, string Next)>> page,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var token = "";
        do
        {
            var (items, next) = await page(token, cancellationToken).ConfigureAwait(false);
            foreach (var item in items) yield return item;
            // A token that does not move would ask for the same page for ever.
            if (next.Length > 0 && next == token) throw new InvalidDataException("the node answered the page token it was given: the list does not advance");
            token = next;
        }
        while (token.Length > 0);
    }
}
