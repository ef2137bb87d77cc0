using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// <see cref="ExchangeEvidenceVerifier"/> against bundles built here, where the logs themselves may hold what a node's
/// rules would refuse (a log operator that signs anything): every entry is then properly proven and signed, and only the
/// exchange's own checks stand between the forgery and a VALID answer.
/// </summary>
public sealed class ExchangeEvidenceTests
{
    private const string Changsha = ExchangeLogs.Cs;
    private const string Zhuzhou = ExchangeLogs.Zz;
    private const string ProviderCode = "11430100HUREN0101X";
    private const string ConsumerCode = "11430200HUREN0101X";

    private static readonly DateTimeOffset Time = ExchangeLogs.Time;
    private static readonly Lazy<SigningKey> ProviderKey = new(() => SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256));
    private static readonly Lazy<SigningKey> ConsumerKey = new(() => SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256));
    private static readonly Lazy<SigningKey> OtherKey = new(() => SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256));

    private static DataShared ShareBody(string shareId, string providerCode = ProviderCode, string consumerOrigin = Zhuzhou) => new()
    {
        ShareId = shareId, ProviderCode = providerCode, ProviderName = "长沙市市场监督管理局", ConsumerCode = ConsumerCode, ConsumerName = "株洲市市场监督管理局",
        ConsumerOrigin = consumerOrigin, ResourceId = "R-OPEN", RecordId = "430100-LIC-1", Fields = ["住所"], PayloadDigest = new byte[32],
        DigestAlgorithm = "sha256", Purpose = "企业跨域经营备案", LegalBasis = "《政务数据共享条例》", SharingType = SharingType.Unconditional, RecordCount = 1,
    };

    private static byte[] Sign<T>(string kind, string origin, string recordId, string issuerId, T body, SigningKey key, params EntryReference[] references) where T : class
        => EntrySigner.SignToLeaf(Entry.Create(kind, origin, recordId, issuerId, body, Time, references), key);

    private static EntryReference Ref(string origin, (ulong Index, byte[] Leaf) at) => new() { Origin = origin, Index = at.Index, LeafHash = MerkleHash.LeafHash(at.Leaf).ToArray(), Relation = Relations.Share };

    private static DataReceived ReceiptBody(string shareId, string providerOrigin = Changsha) => new()
    {
        ShareId = shareId, ProviderOrigin = providerOrigin, ConsumerCode = ConsumerCode, PayloadDigest = new byte[32], DigestAlgorithm = "sha256", RecordCount = 1,
    };

    /// <summary>An honest exchange; <paramref name="shareFor"/> and <paramref name="receiptFor"/> let a test write what the ledger would refuse.</summary>
    private static (ExchangeLogs Logs, List<(string, ulong)> Entries) Exchange(
        Func<ExchangeLogs, (ulong Index, byte[] Leaf)>? shareFor = null,
        Func<ExchangeLogs, (ulong Index, byte[] Leaf), (ulong Index, byte[] Leaf)>? receiptFor = null)
    {
        var logs = new ExchangeLogs();
        var provider = logs.Register(Changsha, "430100-amr", ProviderCode, ProviderKey.Value);
        var consumer = logs.Register(Zhuzhou, "430200-amr", ConsumerCode, ConsumerKey.Value);
        var other = logs.Register(Changsha, "430100-other", "11430100HUREN0202X", OtherKey.Value);
        var share = shareFor?.Invoke(logs) ?? logs.Append(Changsha, Sign(EntryKinds.Share, Changsha, "S1", "430100-amr", ShareBody("S1"), ProviderKey.Value));
        var receipt = receiptFor?.Invoke(logs, share) ?? logs.Append(Zhuzhou, Sign(EntryKinds.Receipt, Zhuzhou, "S1", "430200-amr", ReceiptBody("S1"), ConsumerKey.Value, Ref(Changsha, share)));
        return (logs, [(Changsha, provider.Index), (Changsha, other.Index), (Zhuzhou, consumer.Index), (Changsha, share.Index), (Zhuzhou, receipt.Index)]);
    }

    private static ExchangeEvidenceResult Verify(EvidenceBundle bundle) => new ExchangeEvidenceVerifier(ExchangeLogs.Network).Verify(bundle.ToJson());

    [Fact]
    public void An_honest_exchange_verifies()
    {
        var (logs, entries) = Exchange();
        var result = Verify(logs.Bundle("S1", entries));
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal("430100-amr", result.ProviderIssuerId);
        Assert.Equal("430200-amr", result.ConsumerIssuerId);
        Assert.Equal(Changsha, result.ShareEntry!.Origin);
        Assert.Equal(Zhuzhou, result.ReceiptEntry!.Origin);
    }

    [Fact]
    public void One_cosignature_short_of_the_threshold_is_not_final()
    {
        var (logs, entries) = Exchange();
        var result = Verify(logs.Bundle("S1", entries, cosigners: 1));
        Assert.Equal(ExchangeEvidenceFailure.NotFinal, result.Failure);
        Assert.Contains("1 of the 2 witness cosignatures", result.Reason);
    }

    public static TheoryData<string, ExchangeEvidenceFailure, string> Forgeries => new()
    {
        { "receipt-references-another-share", ExchangeEvidenceFailure.Reference, "not the share entry" },
        { "receipt-names-another-provider-log", ExchangeEvidenceFailure.Reference, "names the provider log" },
        { "share-to-another-log", ExchangeEvidenceFailure.Mismatch, "is addressed to the log" },
        { "receipt-other-digest", ExchangeEvidenceFailure.Mismatch, "payloadDigest" },
        { "share-signed-by-another-department", ExchangeEvidenceFailure.Signer, "not by the provider" },
        { "share-signed-with-an-unregistered-key", ExchangeEvidenceFailure.Ledger, "entry huren.cz-t/430100#" },
        { "two-receipts", ExchangeEvidenceFailure.NoReceipt, "two receipts" },
        { "receipt-without-reference", ExchangeEvidenceFailure.Reference, "0 share references" },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void A_forgery_the_logs_hold_is_refused_with_its_reason(string forgery, ExchangeEvidenceFailure failure, string reason)
    {
        (ExchangeLogs Logs, List<(string, ulong)> Entries) built = forgery switch
        {
            "receipt-references-another-share" => Exchange(receiptFor: (logs, _) =>
            {
                var s2 = logs.Append(Changsha, Sign(EntryKinds.Share, Changsha, "S2", "430100-amr", ShareBody("S2"), ProviderKey.Value));
                return logs.Append(Zhuzhou, Sign(EntryKinds.Receipt, Zhuzhou, "S1", "430200-amr", ReceiptBody("S1"), ConsumerKey.Value, Ref(Changsha, s2)));
            }),
            "receipt-names-another-provider-log" => Exchange(receiptFor: (logs, share) =>
                logs.Append(Zhuzhou, Sign(EntryKinds.Receipt, Zhuzhou, "S1", "430200-amr", ReceiptBody("S1", "huren.cz-t/430300"), ConsumerKey.Value, Ref(Changsha, share)))),
            "share-to-another-log" => Exchange(shareFor: logs =>
                logs.Append(Changsha, Sign(EntryKinds.Share, Changsha, "S1", "430100-amr", ShareBody("S1", consumerOrigin: "huren.cz-t/430300"), ProviderKey.Value))),
            "receipt-other-digest" => Exchange(receiptFor: (logs, share) =>
            {
                var body = ReceiptBody("S1");
                body.PayloadDigest = Enumerable.Repeat((byte)7, 32).ToArray();
                return logs.Append(Zhuzhou, Sign(EntryKinds.Receipt, Zhuzhou, "S1", "430200-amr", body, ConsumerKey.Value, Ref(Changsha, share)));
            }),
            "share-signed-by-another-department" => Exchange(shareFor: logs =>
                logs.Append(Changsha, Sign(EntryKinds.Share, Changsha, "S1", "430100-other", ShareBody("S1"), OtherKey.Value))),
            "share-signed-with-an-unregistered-key" => Exchange(shareFor: logs =>
                logs.Append(Changsha, Sign(EntryKinds.Share, Changsha, "S1", "430100-amr", ShareBody("S1"), OtherKey.Value))),
            "two-receipts" => TwoReceipts(),
            "receipt-without-reference" => Exchange(receiptFor: (logs, _) =>
                logs.Append(Zhuzhou, Sign(EntryKinds.Receipt, Zhuzhou, "S1", "430200-amr", ReceiptBody("S1"), ConsumerKey.Value))),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };
        var result = Verify(built.Logs.Bundle("S1", built.Entries));
        Assert.False(result.IsValid, $"{forgery} verified");
        Assert.True(failure == result.Failure, $"{forgery}: {result.Failure}: {result.Reason}");
        Assert.Contains(reason, result.Reason);
    }

    private static (ExchangeLogs, List<(string, ulong)>) TwoReceipts()
    {
        (ulong, byte[]) second = default;
        var built = Exchange(receiptFor: (logs, share) =>
        {
            var first = logs.Append(Zhuzhou, Sign(EntryKinds.Receipt, Zhuzhou, "S1", "430200-amr", ReceiptBody("S1"), ConsumerKey.Value, Ref(Changsha, share)));
            second = logs.Append(Zhuzhou, Sign(EntryKinds.Receipt, Zhuzhou, "S1", "430200-amr", ReceiptBody("S1"), ConsumerKey.Value, Ref(Changsha, share)));
            return first;
        });
        built.Entries.Add((Zhuzhou, second.Item1));
        return built;
    }
}
