using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Commands;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;

namespace Huren.Cli.Tests.Ledger;

/// <summary>
/// Receipts against their shares, over three real node processes: Xiangtan's provider records shares, Zhuzhou's consumer
/// acknowledges them in its own log, and Zhuzhou's node checks each receipt against the share entry in its copy of
/// Xiangtan's log (another city's share, another department's, another payload digest or record count, another share's
/// entry, a license entry, an entry its copy has not reached), each refused with its gRPC status and a message naming
/// the field and the rule; a matching receipt is accepted, and 'huren audit log' checks it against the share.
/// </summary>
/// <remarks>
/// Uses departments no other class of the collection registers: Xiangtan's sample seal maker as the provider (the
/// 'seals' credential of the profile) and Zhuzhou's approval bureau as the consumer.
/// </remarks>
[Collection(LedgerNetworkCollection.Name)]
public sealed class ReceiptRulesTests(LedgerNetwork net)
{
    private const string ProviderId = "430300-seals";
    private const string ConsumerId = "430200-approval";
    private static readonly string ProviderCode = LedgerNetwork.Uscc("11430300HUREN0401");
    private static readonly string ConsumerCode = LedgerNetwork.Uscc("11430200HUREN0401");
    private static readonly SemaphoreSlim Registration = new(1, 1);
    private static string? _registeredIn;

    private NodeSession Session(string city, string who)
    {
        var profile = CliProfile.Load(net.Profile);
        var cityProfile = profile.City(city);
        return new NodeSession(profile, profile.LoadGenesis(), cityProfile, cityProfile.Credential(who), json: false);
    }

    private static string OriginOf(string city) => $"huren.cz-t/{city}";

    /// <summary>Registers the provider and the consumer (with the data-sharing permission) once per network.</summary>
    private async Task RegisterPartiesAsync()
    {
        await Registration.WaitAsync();
        try
        {
            if (_registeredIn == net.Dir) return;
            await net.MustAsync("issuer", "register", "--city", LedgerNetwork.Xiangtan, "--id", ProviderId, "--name", "湘潭市数据资源局",
                "--authority-code", ProviderCode, "--may-share");
            await net.MustAsync("issuer", "register", "--city", LedgerNetwork.Zhuzhou, "--id", ConsumerId, "--name", "株洲市行政审批服务局",
                "--authority-code", ConsumerCode, "--department-kind", "administrative-approval", "--may-share");
            _registeredIn = net.Dir;
        }
        finally
        {
            Registration.Release();
        }
    }

    private static DataShared ShareBody(string shareId) => new()
    {
        ShareId = shareId,
        ProviderCode = ProviderCode,
        ProviderName = "湘潭市数据资源局",
        ConsumerCode = ConsumerCode,
        ConsumerName = "株洲市行政审批服务局",
        ConsumerOrigin = OriginOf(LedgerNetwork.Zhuzhou),
        ResourceId = "430300-resource-0001",
        Fields = ["holderName", "validUntil"],
        PayloadDigest = Digests.Sha256(System.Text.Encoding.UTF8.GetBytes("payload " + shareId)),
        DigestAlgorithm = "sha256",
        Purpose = "跨域通办：企业迁移登记核验",
        MatterCode = "430200-QT-0001",
        LegalBasis = "《政务数据共享条例》第十五条",
        SharingType = SharingType.Unconditional,
        ExpiresOn = "2030-12-31",
        RecordCount = 3,
    };

    private static DataReceived ReceiptBody(DataShared share) => new()
    {
        ShareId = share.ShareId,
        ProviderOrigin = OriginOf(LedgerNetwork.Xiangtan),
        ConsumerCode = ConsumerCode,
        PayloadDigest = share.PayloadDigest,
        DigestAlgorithm = "sha256",
        RecordCount = share.RecordCount,
    };

    /// <summary>Xiangtan's provider records <paramref name="body"/>; returns the reference to its entry once Zhuzhou's copy of Xiangtan's log holds it.</summary>
    private async Task<EntryReference> ShareAsync(DataShared body)
    {
        using var provider = Session(LedgerNetwork.Xiangtan, "seals");
        var entry = Entry.Create(EntryKinds.Share, provider.Origin, body.ShareId, ProviderId, body, DateTimeOffset.UtcNow);
        var leaf = EntrySigner.SignToLeaf(entry, provider.Key);
        var response = await provider.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, provider.Options());
        await WaitUntilMirroredAsync(provider.Origin, response.Index);
        return new EntryReference { Origin = provider.Origin, Index = response.Index, LeafHash = MerkleHash.LeafHash(leaf).ToArray(), Relation = Relations.Share };
    }

    /// <summary>Waits (up to 60 s) until Zhuzhou's node holds entry <paramref name="index"/> of <paramref name="origin"/>.</summary>
    private async Task WaitUntilMirroredAsync(string origin, ulong index)
    {
        using var auditor = Session(LedgerNetwork.Zhuzhou, "auditor");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        ulong size = 0;
        while (DateTime.UtcNow < deadline)
        {
            size = (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, auditor.Options())).Size;
            if (size > index) return;
            await Task.Delay(100);
        }
        Assert.Fail($"Zhuzhou's copy of {origin} did not reach entry {index} within 60 s (size {size})");
    }

    private static Entry Receipt(NodeSession consumer, DataReceived body, EntryReference share) =>
        Entry.Create(EntryKinds.Receipt, consumer.Origin, body.ShareId, ConsumerId, body, DateTimeOffset.UtcNow, share);

    private static string NewShareId() => $"430300-share-{Guid.NewGuid():N}"[..32];

    [Fact]
    public async Task A_receipt_matching_a_share_in_another_citys_log_is_accepted_and_the_audit_checks_it()
    {
        await RegisterPartiesAsync();
        var share = ShareBody(NewShareId());
        var reference = await ShareAsync(share);
        using var consumer = Session(LedgerNetwork.Zhuzhou, "approval");
        var leaf = EntrySigner.SignToLeaf(Receipt(consumer, ReceiptBody(share), reference), consumer.Key);
        var accepted = await consumer.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, consumer.Options());

        // The audit of Zhuzhou's log reads the share from Xiangtan's log with a proof and finds the receipt matches.
        var (code, output, error) = await net.RunAsync("audit", "log", LedgerNetwork.Zhuzhou, "--city", LedgerNetwork.Zhuzhou, "--json");
        Assert.True(code == 0, error + output);
        var audit = JsonDocument.Parse(output).RootElement;
        Assert.True(audit.GetProperty("ok").GetBoolean(), output);
        Assert.True(audit.GetProperty("entries").GetUInt64() > accepted.Index);
        Assert.True(audit.GetProperty("receiptsChecked").GetUInt64() >= 1, output);
        Assert.Equal(audit.GetProperty("entriesByKind").GetProperty("receipt").GetUInt64(), audit.GetProperty("receiptsChecked").GetUInt64());
    }

    public static TheoryData<string> RefusalCases => new(Refusals.Keys);

    /// <summary>How the share or the receipt is made not to match, the status and what the refusal must say.</summary>
    private static readonly Dictionary<string, (Action<DataShared> Share, Action<DataReceived> Receipt, StatusCode Status, string Message)> Refusals = new()
    {
        ["a share to another city"] = (s => s.ConsumerOrigin = OriginOf(LedgerNetwork.Changsha), _ => { }, StatusCode.PermissionDenied,
            $"is addressed to the log {OriginOf(LedgerNetwork.Changsha)}, not to {OriginOf(LedgerNetwork.Zhuzhou)}: a receipt is written in the receiving city's log"),
        ["a share to another department"] = (s => s.ConsumerCode = LedgerNetwork.Uscc("11430200HUREN0101"), _ => { }, StatusCode.PermissionDenied,
            $"body.consumerCode: share {{0}} ({{1}}) was made to {LedgerNetwork.Uscc("11430200HUREN0101")}, not to {ConsumerCode}"),
        ["another payload digest"] = (_ => { }, r => r.PayloadDigest = Digests.Sha256("other payload"u8.ToArray()), StatusCode.FailedPrecondition,
            "body.payloadDigest: "),
        // Found by the flows review: the algorithm was not compared, so a receipt saying sm3 for a sha256 digest passed.
        ["another digest algorithm"] = (_ => { }, r => r.DigestAlgorithm = "sm3", StatusCode.FailedPrecondition,
            "body.digestAlgorithm: sm3 is not the algorithm sha256 of the payload digest share {0} ({1}) recorded"),
        ["another record count"] = (_ => { }, r => r.RecordCount = 30, StatusCode.FailedPrecondition,
            "body.recordCount: 30 is not the record count 3 share {0} ({1}) recorded"),
        ["another share's entry"] = (_ => { }, r => r.ShareId = "430300-share-not-this-one", StatusCode.NotFound,
            "body.shareId: {1} is share {0}, not 430300-share-not-this-one"),
    };

    [Theory]
    [MemberData(nameof(RefusalCases))]
    public async Task A_receipt_not_matching_its_share_in_the_providers_log_is_refused_naming_the_field_and_the_rule(string name)
    {
        await RegisterPartiesAsync();
        var (breakShare, breakReceipt, status, message) = Refusals[name];
        var share = ShareBody(NewShareId());
        var receipt = ReceiptBody(share);
        breakShare(share);
        breakReceipt(receipt);
        var reference = await ShareAsync(share);
        using var consumer = Session(LedgerNetwork.Zhuzhou, "approval");
        var at = $"entry {reference.Index} of {reference.Origin}";
        await RefusedAsync(consumer, Receipt(consumer, receipt, reference), status, "references[0]: ", string.Format(System.Globalization.CultureInfo.InvariantCulture, message, share.ShareId, at));
    }

    [Fact]
    public async Task A_receipt_pointing_at_a_license_entry_a_forged_leaf_hash_or_an_entry_not_mirrored_yet_is_refused()
    {
        await RegisterPartiesAsync();
        using var consumer = Session(LedgerNetwork.Zhuzhou, "approval");
        using var auditor = Session(LedgerNetwork.Zhuzhou, "auditor");
        // A license.issue entry of Changsha's log, which Zhuzhou's node holds.
        var issue = (await auditor.Client.Trace.TraceAsync(new TraceRequest { RecordId = net.ValidLicense }, auditor.Options())).Entries
            .First(e => LeafReader.Read(e.Leaf).Entry.Kind == EntryKinds.LicenseIssue);
        var license = new EntryReference { Origin = issue.Origin, Index = issue.Index, LeafHash = MerkleHash.LeafHash(issue.Leaf).ToArray(), Relation = Relations.Share };
        var body = ReceiptBody(ShareBody(NewShareId()));
        body.ProviderOrigin = issue.Origin;
        await RefusedAsync(consumer, Receipt(consumer, body, license), StatusCode.NotFound,
            $"references[0]: entry {issue.Index} of {issue.Origin} has kind license.issue, not share: a receipt references the share entry it acknowledges");

        var share = ShareBody(NewShareId());
        var reference = await ShareAsync(share);
        var forged = new EntryReference { Origin = reference.Origin, Index = reference.Index, LeafHash = Digests.Sha256("forged"u8.ToArray()), Relation = Relations.Share };
        await RefusedAsync(consumer, Receipt(consumer, ReceiptBody(share), forged), StatusCode.NotFound,
            $"references[0]: entry {reference.Index} of {reference.Origin} with leaf hash {Convert.ToHexStringLower(forged.LeafHash)} does not exist in this node's copy of that log");

        // Beyond what Zhuzhou's copy of Xiangtan's log holds: retryable, and it says so (the SDK retried it already).
        var beyond = new EntryReference { Origin = reference.Origin, Index = 1_000_000, LeafHash = reference.LeafHash, Relation = Relations.Share };
        await RefusedAsync(consumer, Receipt(consumer, ReceiptBody(share), beyond), StatusCode.Unavailable,
            $"references[0]: this node's copy of {reference.Origin} holds ", " entries and has not reached entry 1000000 yet; retry once it has caught up");

        // Nothing of that was recorded: the matching receipt of the same share is still the first.
        var leaf = EntrySigner.SignToLeaf(Receipt(consumer, ReceiptBody(share), reference), consumer.Key);
        await consumer.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, consumer.Options());
    }

    /// <summary>Signs <paramref name="entry"/> with the session's key and submits the bytes as they are; the node must refuse them.</summary>
    private static async Task RefusedAsync(NodeSession session, Entry entry, StatusCode status, params string[] messageParts)
    {
        var leaf = EntrySigner.SignToLeaf(entry, session.Key);
        var ex = await Assert.ThrowsAsync<RpcException>(() => session.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, session.Options()).AsTask());
        Assert.True(ex.StatusCode == status, $"expected {status}, got {ex.StatusCode}: {ex.Status.Detail}");
        foreach (var part in messageParts) Assert.Contains(part, ex.Status.Detail, StringComparison.Ordinal);
    }
}
