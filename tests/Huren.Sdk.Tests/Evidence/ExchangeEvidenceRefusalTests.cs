using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// Each refusal of <see cref="ExchangeEvidenceVerifier"/> held to its whole reason and failure kind: bundles built here
/// from two cities' logs that may hold what a node would refuse, every entry properly proven and signed, so that only
/// the exchange's own check stands between the bundle and a VALID answer.
/// </summary>
public sealed class ExchangeEvidenceRefusalTests
{
    private const string Cs = ExchangeLogs.Cs;
    private const string Zz = ExchangeLogs.Zz;
    private const string ProviderCode = "11430100HUREN0101X";
    private const string ConsumerCode = "11430200HUREN0101X";
    private const string OtherCode = "11430100HUREN0202X";

    private static DataShared ShareBody(string shareId = "S1") => new()
    {
        ShareId = shareId, ProviderCode = ProviderCode, ProviderName = "长沙市市场监督管理局", ConsumerCode = ConsumerCode, ConsumerName = "株洲市市场监督管理局",
        ConsumerOrigin = Zz, ResourceId = "R-OPEN", RecordId = "430100-LIC-1", Fields = ["住所"], PayloadDigest = new byte[32],
        DigestAlgorithm = "sha256", Purpose = "企业跨域经营备案", LegalBasis = "《政务数据共享条例》", SharingType = SharingType.Unconditional, RecordCount = 1,
    };

    private static DataReceived ReceiptBody() => new()
    {
        ShareId = "S1", ProviderOrigin = Cs, ConsumerCode = ConsumerCode, PayloadDigest = new byte[32], DigestAlgorithm = "sha256", RecordCount = 1,
    };

    /// <summary>
    /// Changsha #0 the provider 430100-amr, #1 430100-other, #2 the share S1; Zhuzhou #0 the consumer 430200-amr,
    /// #1 430200-other, then whatever <paramref name="receiptFor"/> writes (by default the honest receipt of Changsha #2).
    /// </summary>
    private static (ExchangeLogs Logs, List<(string, ulong)> Entries, ulong Share, ulong Receipt) Exchange(
        bool providerMayShare = true, Func<ExchangeLogs, ulong, (string Origin, ulong Index)>? receiptFor = null)
    {
        var logs = new ExchangeLogs();
        var provider = logs.Register(Cs, "430100-amr", ProviderCode, mayShare: providerMayShare).Index;
        var other = logs.Register(Cs, "430100-other", OtherCode).Index;
        var consumer = logs.Register(Zz, "430200-amr", ConsumerCode).Index;
        var otherConsumer = logs.Register(Zz, "430200-other", "11430200HUREN0202X").Index;
        var share = logs.Sign(Cs, EntryKinds.Share, "S1", "430100-amr", ShareBody());
        var receipt = receiptFor?.Invoke(logs, share) ?? (Zz, logs.Sign(Zz, EntryKinds.Receipt, "S1", "430200-amr", ReceiptBody(), logs.Ref(Cs, share)));
        return (logs, [(Cs, provider), (Cs, other), (Zz, consumer), (Zz, otherConsumer), (Cs, share), receipt], share, receipt.Index);
    }

    private static ExchangeEvidenceResult Verify(EvidenceBundle bundle) => new ExchangeEvidenceVerifier(ExchangeLogs.Network).Verify(bundle.ToJson());

    private static void AssertRefused(ExchangeEvidenceResult result, ExchangeEvidenceFailure failure, string reason)
    {
        Assert.Equal((false, failure, reason), (result.IsValid, result.Failure, result.Reason));
        // A refusal names no share, entries or signers: the defaults stay empty.
        Assert.Equal(("", "", ""), (result.ShareId, result.ProviderIssuerId, result.ConsumerIssuerId));
        Assert.Null(result.Share);
        Assert.Null(result.ShareEntry);
    }

    [Fact]
    public void The_honest_exchange_these_refusals_start_from_verifies()
    {
        var (logs, entries, share, receipt) = Exchange();
        var result = Verify(logs.Bundle("S1", entries));
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(("S1", "430100-amr", "430200-amr", share, receipt), (result.ShareId, result.ProviderIssuerId, result.ConsumerIssuerId, result.ShareEntry!.Index, result.ReceiptEntry!.Index));
    }

    [Fact]
    public void No_bundle_at_all_is_a_format_failure()
    {
        var verifier = new ExchangeEvidenceVerifier(ExchangeLogs.Network);
        AssertRefused(verifier.Verify((string?)null), ExchangeEvidenceFailure.Format, "there is no evidence bundle");
        AssertRefused(verifier.Verify((EvidenceBundle?)null), ExchangeEvidenceFailure.Format, "there is no evidence bundle");
    }

    [Fact]
    public void Json_that_is_not_a_bundle_is_a_format_failure_with_the_parsers_reason()
    {
        var parseError = Assert.Throws<FormatException>(() => EvidenceBundle.Parse("{")).Message;
        AssertRefused(new ExchangeEvidenceVerifier(ExchangeLogs.Network).Verify("{"), ExchangeEvidenceFailure.Format, $"not a valid evidence bundle: {parseError}");
    }

    [Fact]
    public void A_bundle_without_its_subject_is_a_format_failure_naming_the_field()
    {
        var (logs, entries, _, _) = Exchange();
        var bundle = logs.Bundle("S1", entries);
        bundle.Subject = null!;
        AssertRefused(new ExchangeEvidenceVerifier(ExchangeLogs.Network).Verify(bundle), ExchangeEvidenceFailure.Format, "subject is missing or null");
    }

    [Fact]
    public void Two_share_entries_of_the_subject_are_refused_naming_both()
    {
        ulong second = 0;
        var (logs, entries, share, _) = Exchange(receiptFor: (logs, share) =>
        {
            second = logs.Sign(Cs, EntryKinds.Share, "S1", "430100-amr", ShareBody());
            return (Zz, logs.Sign(Zz, EntryKinds.Receipt, "S1", "430200-amr", ReceiptBody(), logs.Ref(Cs, share)));
        });
        entries.Add((Cs, second));
        AssertRefused(Verify(logs.Bundle("S1", entries)), ExchangeEvidenceFailure.NoShare, $"the bundle holds two share entries of S1 ({Cs}#{share} and {Cs}#{second})");
    }

    [Fact]
    public void A_bundle_without_the_share_entry_is_refused()
    {
        var (logs, entries, share, _) = Exchange();
        entries.Remove((Cs, share));
        AssertRefused(Verify(logs.Bundle("S1", entries)), ExchangeEvidenceFailure.NoShare, "the bundle holds no share entry of S1");
    }

    [Fact]
    public void A_bundle_without_the_receipt_is_refused()
    {
        var (logs, entries, _, receipt) = Exchange();
        entries.Remove((Zz, receipt));
        AssertRefused(Verify(logs.Bundle("S1", entries)), ExchangeEvidenceFailure.NoReceipt, "the bundle holds no receipt entry of S1");
    }

    public static TheoryData<string> WrongReferences => new() { "another-index", "another-origin", "another-leaf-hash" };

    /// <summary>Each part of the reference wrong on its own (origin, index, leaf hash), the other two those of the share entry.</summary>
    [Theory]
    [MemberData(nameof(WrongReferences))]
    public void A_receipt_reference_wrong_in_one_part_only_is_refused(string wrong)
    {
        EntryReference? named = null;
        var (logs, entries, share, receipt) = Exchange(receiptFor: (logs, share) =>
        {
            named = logs.Ref(Cs, share);
            switch (wrong)
            {
                case "another-index": named.Index = share - 1; break;
                case "another-origin": named.Origin = Zz; break;
                default: named.LeafHash = logs.LeafHash(Cs, share - 1); break;
            }
            return (Zz, logs.Sign(Zz, EntryKinds.Receipt, "S1", "430200-amr", ReceiptBody(), named));
        });
        var shareHash = Convert.ToHexStringLower(logs.LeafHash(Cs, share));
        AssertRefused(Verify(logs.Bundle("S1", entries)), ExchangeEvidenceFailure.Reference,
            $"receipt {Zz}#{receipt} references {named!.Origin}#{named.Index} (leaf hash {Convert.ToHexStringLower(named.LeafHash)}), not the share entry {Cs}#{share} (leaf hash {shareHash})");
    }

    [Fact]
    public void A_receipt_in_the_shares_own_log_is_refused()
    {
        var (logs, entries, _, _) = Exchange(receiptFor: (logs, share) =>
            (Cs, logs.Sign(Cs, EntryKinds.Receipt, "S1", "430100-amr", ReceiptBody(), logs.Ref(Cs, share))));
        AssertRefused(Verify(logs.Bundle("S1", entries)), ExchangeEvidenceFailure.Mismatch, $"the share and its receipt are both in {Cs}: an exchange is between two cities' logs");
    }

    [Fact]
    public void A_share_signed_by_another_department_is_refused_naming_the_share_and_the_provider()
    {
        var logs = new ExchangeLogs();
        List<(string, ulong)> entries = [(Cs, logs.Register(Cs, "430100-amr", ProviderCode).Index), (Cs, logs.Register(Cs, "430100-other", OtherCode).Index), (Zz, logs.Register(Zz, "430200-amr", ConsumerCode).Index)];
        var share = logs.Sign(Cs, EntryKinds.Share, "S1", "430100-other", ShareBody());
        entries.Add((Cs, share));
        entries.Add((Zz, logs.Sign(Zz, EntryKinds.Receipt, "S1", "430200-amr", ReceiptBody(), logs.Ref(Cs, share))));
        AssertRefused(Verify(logs.Bundle("S1", entries)), ExchangeEvidenceFailure.Signer,
            $"the share is signed by 430100-other ({OtherCode}), not by the provider {ProviderCode} it names");
    }

    [Fact]
    public void A_receipt_signed_by_another_department_is_refused_naming_the_receipt_and_the_consumer()
    {
        var (logs, entries, _, _) = Exchange(receiptFor: (logs, share) =>
            (Zz, logs.Sign(Zz, EntryKinds.Receipt, "S1", "430200-other", ReceiptBody(), logs.Ref(Cs, share))));
        AssertRefused(Verify(logs.Bundle("S1", entries)), ExchangeEvidenceFailure.Signer,
            $"the receipt is signed by 430200-other (11430200HUREN0202X), not by the consumer {ConsumerCode} it names");
    }

    [Fact]
    public void A_provider_that_may_not_share_data_is_refused()
    {
        var (logs, entries, _, _) = Exchange(providerMayShare: false);
        AssertRefused(Verify(logs.Bundle("S1", entries)), ExchangeEvidenceFailure.Signer,
            "the share is signed by 430100-amr, which may not record data shares or receipts (mayShareData is false)");
    }

    [Fact]
    public void A_stated_verdict_other_than_received_is_refused()
    {
        var (logs, entries, _, _) = Exchange();
        var bundle = logs.Bundle("S1", entries);
        bundle.Verdict.Status = "VALID";
        AssertRefused(Verify(bundle), ExchangeEvidenceFailure.Verdict, "the bundle states VALID, its entries show the share received (RECEIVED)");
    }

    public static TheoryData<string> WrongAsOf => new() { "another-origin", "another-size" };

    /// <summary>The verdict's checkpoint wrong in its origin only (the size is the share log's) or in its size only.</summary>
    [Theory]
    [MemberData(nameof(WrongAsOf))]
    public void A_verdict_not_stated_as_of_the_share_logs_checkpoint_is_refused(string wrong)
    {
        var (logs, entries, _, _) = Exchange();
        var bundle = logs.Bundle("S1", entries);
        var size = logs.Size(Cs);
        if (wrong == "another-origin") bundle.Verdict.AsOf.Origin = Zz;
        else bundle.Verdict.AsOf.Size = size - 1;
        AssertRefused(Verify(bundle), ExchangeEvidenceFailure.Verdict,
            $"the verdict is stated as of {bundle.Verdict.AsOf.Origin} size {bundle.Verdict.AsOf.Size}, not the share's log {Cs} at its checkpoint size {size}");
    }

    /// <summary>
    /// Found by the flows review: a re-share that breaks the re-sharing rule verified VALID with the receipt and the
    /// original share in the bundle, and nothing said it was a re-share. Changsha shares S0 to Zhuzhou, Zhuzhou receives
    /// it and re-shares it as S1 to another Changsha department, which receives it; the bundle of S1 is checked against
    /// the receipt it references and that receipt's share, as far as it holds them.
    /// </summary>
    [Theory]
    [InlineData("honest", true, true, null)]
    [InlineData("other-purpose", true, false, "body.purpose: '营销推广' is not the purpose '企业跨域经营备案' share S0 was made for (purpose limitation)")]
    [InlineData("more-fields", true, false, "body.fields: '法定代表人' was not in share S0 (住所): a re-share passes on no more than was received")]
    [InlineData("hop-not-in-bundle", false, true, null)]
    public void A_reshare_is_named_and_checked_against_the_receipt_and_share_the_bundle_holds(string variant, bool withHop, bool valid, string? reason)
    {
        var logs = new ExchangeLogs();
        List<(string, ulong)> entries =
        [
            (Cs, logs.Register(Cs, "430100-amr", ProviderCode).Index), (Cs, logs.Register(Cs, "430100-other", OtherCode).Index),
            (Zz, logs.Register(Zz, "430200-amr", ConsumerCode).Index),
        ];
        var s0 = logs.Sign(Cs, EntryKinds.Share, "S0", "430100-amr", ShareBody("S0"));
        var received = ReceiptBody();
        received.ShareId = "S0";
        var r0 = logs.Sign(Zz, EntryKinds.Receipt, "S0", "430200-amr", received, logs.Ref(Cs, s0));
        var onward = ShareBody("S1");
        onward.ProviderCode = ConsumerCode;
        onward.ConsumerCode = OtherCode;
        onward.ConsumerOrigin = Cs;
        if (variant == "other-purpose") onward.Purpose = "营销推广";
        if (variant == "more-fields") onward.Fields = ["住所", "法定代表人"];
        var viaReceipt = logs.Ref(Zz, r0);
        viaReceipt.Relation = Relations.Receipt;
        var s1 = logs.Sign(Zz, EntryKinds.Share, "S1", "430200-amr", onward, viaReceipt);
        var r1Body = ReceiptBody();
        r1Body.ProviderOrigin = Zz;
        r1Body.ConsumerCode = OtherCode;
        var r1 = logs.Sign(Cs, EntryKinds.Receipt, "S1", "430100-other", r1Body, logs.Ref(Zz, s1));
        entries.AddRange([(Zz, s1), (Cs, r1)]);
        if (withHop) entries.AddRange([(Cs, s0), (Zz, r0)]);

        var bundle = logs.Bundle("S1", entries);
        // The helper states the verdict as of Changsha's log; this share is in Zhuzhou's.
        bundle.Verdict.AsOf = new BundleCheckpointRef { Origin = Zz, Size = logs.Size(Zz) };
        var result = Verify(bundle);

        if (!valid)
        {
            AssertRefused(result, ExchangeEvidenceFailure.Reshare, $"share {Zz}#{s1} re-shares {Cs}#{s0}: {reason}");
            return;
        }
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal((Zz, r0), (result.ReshareOf!.Origin, result.ReshareOf.Index));
        Assert.Equal(withHop, result.ReshareChecked);
    }
}
