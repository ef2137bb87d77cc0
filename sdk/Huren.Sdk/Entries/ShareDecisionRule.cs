using Huren.Schemas.Bodies;
using Huren.Schemas.Services;

namespace Huren.Sdk.Entries;

/// <summary>
/// An approval (<c>share.decision</c>, 有条件共享) answers one request: the share made under it, and any request that
/// claims it, must be that request — the same consumer (log and department), resource, record, purpose and matter code,
/// and no data item the approval did not name (fewer is minimisation, allowed). Without this, a share id approved for one
/// request would release whatever another request under the same id asked for, past the catalogue's rules. Shared by
/// the provider's node, which refuses such a request before writing anything, and by the ledger's rules, which refuse
/// such a share in the provider's log wherever it is replayed.
/// </summary>
public static class ShareDecisionRule
{
    /// <summary>Checks a share entry's body against the approval of its share id.</summary>
    /// <returns>Null when the share is the approved request's; otherwise which field differs.</returns>
    public static string? CheckShare(ShareDecided approval, DataShared share)
    {
        ArgumentNullException.ThrowIfNull(approval);
        ArgumentNullException.ThrowIfNull(share);
        return Mismatch(approval, share.ConsumerOrigin, share.ConsumerCode, share.ResourceId, share.RecordId, share.Purpose, share.MatterCode, share.Fields);
    }

    /// <summary>Checks a request against the approval of its share id.</summary>
    /// <returns>Null when the request is the approved one (or asks for fewer data items); otherwise which field differs.</returns>
    public static string? CheckRequest(ShareDecided approval, ShareRequest request)
    {
        ArgumentNullException.ThrowIfNull(approval);
        ArgumentNullException.ThrowIfNull(request);
        return Mismatch(approval, request.ConsumerOrigin, request.ConsumerCode, request.ResourceCode, request.RecordId, request.Purpose, request.MatterCode, request.Fields);
    }

    private static string? Mismatch(ShareDecided approval, string consumerOrigin, string consumerCode, string resource, string record, string purpose, string matter, List<string> fields)
    {
        static bool Same(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);
        if (!Same(approval.ConsumerOrigin, consumerOrigin) || !Same(approval.ConsumerCode, consumerCode))
            return $"consumer {consumerCode} of {consumerOrigin} is not the approved {approval.ConsumerCode} of {approval.ConsumerOrigin}";
        if (!Same(approval.ResourceCode, resource) || !Same(approval.RecordId, record))
            return $"resource/record {resource}/{record} is not the approved {approval.ResourceCode}/{approval.RecordId}";
        if (!Same(approval.Purpose, purpose)) return $"purpose '{purpose}' is not the approved '{approval.Purpose}'";
        if (!Same(approval.MatterCode, matter)) return $"matter code '{matter}' is not the approved '{approval.MatterCode}'";
        foreach (var field in fields)
        {
            if (!approval.Fields.Contains(field)) return $"data item '{field}' was not approved (approved: {string.Join("、", approval.Fields)})";
        }
        return null;
    }
}
