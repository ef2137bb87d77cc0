using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The verifier's authority rule: every change, status change and transfer of a license in a bundle is written by whoever
/// answered for it then — its issuer, a successor named by an <c>issuer.succeed</c> entry of the bundle, or the city root
/// as a last resort — and a valid result says who acted and under which succession. A one-city log built with the
/// SDK's own tree, signers and bundle layout (no witnesses: threshold 0).
/// </summary>
public sealed class SuccessionEvidenceTests
{
    private const string Changsha = "huren.cz-t/430100";
    private static readonly DateTimeOffset At = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Today = new(2024, 6, 2);
    private static readonly string ApprovalCode = LedgerBodies.Uscc("11430100HUREN0109");

    private readonly SigningKey _root = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
    private readonly SigningKey _amrKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly SigningKey _approvalKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly SigningKey _otherKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly SigningKey _logKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly MemoryMerkleTree _tree = new();
    private readonly List<byte[]> _leaves = [];
    private readonly EvidenceVerifier _verifier;
    private readonly string _licenseId;

    public SuccessionEvidenceTests()
    {
        var network = new NetworkConfig { NetworkId = "cz-t", Name = "继任测试网", WitnessThreshold = 0 };
        network.Members.Add(new NetworkMember
        {
            CityCode = "430100", Name = "长沙", Origin = Changsha, LogKey = NoteVerifierKey.ForEd25519(Changsha, _logKey.PublicKey).ToString(),
            WitnessKey = NoteVerifierKey.ForCosigner(CosignatureSigner.WitnessNameFor(Changsha), SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString(),
            RootKey = _root.PublicKey.ToPem(), Endpoint = "https://127.0.0.1:7101",
        });
        _verifier = new EvidenceVerifier(NetworkConfig.Parse(network.ToJson()));

        Root(EntryKinds.IssuerRegister, "430100-amr", LedgerBodies.Issuer("430100-amr", LedgerBodies.ChangshaAmrCode, _amrKey.PublicKey, [LedgerBodies.BusinessLicenseType], [], false)); // 0
        Root(EntryKinds.IssuerRegister, "430100-approval", LedgerBodies.Issuer("430100-approval", ApprovalCode, _approvalKey.PublicKey, [LedgerBodies.BusinessLicenseType], [], false)); // 1
        Root(EntryKinds.IssuerRegister, "430100-other", LedgerBodies.Issuer("430100-other", LedgerBodies.Uscc("11430100HUREN0110"), _otherKey.PublicKey, [LedgerBodies.BusinessLicenseType], [], false)); // 2
        var license = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001");
        _licenseId = license.LicenseId;
        Append(EntryKinds.LicenseIssue, "430100-amr", license, _amrKey); // 3
        Root(EntryKinds.IssuerRevoke, "430100-amr", new IssuerRevoked { IssuerId = "430100-amr", Reason = "机构改革撤并" }); // 4
        Root(EntryKinds.IssuerSucceed, "430100-amr", LedgerBodies.Succession("430100-amr", "430100-approval")); // 5
        Append(EntryKinds.LicenseStatus, "430100-approval", LedgerBodies.Revoke(_licenseId), _approvalKey); // 6
        Append(EntryKinds.LicenseStatus, "430100-other", LedgerBodies.Revoke(_licenseId), _otherKey); // 7: no one made it answer
        Append(EntryKinds.LicenseStatus, "430100-root", LedgerBodies.Revoke(_licenseId), _root); // 8: the city root
        Append(EntryKinds.LicenseStatus, "430100-root", LedgerBodies.Revoke(_licenseId), _otherKey); // 9: "the city root" signed by another key
        Append(EntryKinds.LicenseStatus, "430100-amr", LedgerBodies.Suspend(_licenseId), _amrKey); // 10: the predecessor, before it was revoked? no: after the succession
        Root(EntryKinds.IssuerSucceed, "430100-other", LedgerBodies.Succession("430100-other", "430100-approval", [LedgerBodies.FoodLicenseType])); // 11: another type
    }

    private void Root<T>(string kind, string recordId, T body) where T : class => Append(kind, "430100-root", body, _root, recordId);

    /// <summary>
    /// Appends an entry; a status change names <paramref name="previous"/> as the license's previous entry (default the
    /// issue, #3: each status change below is another bundle's next step after it).
    /// </summary>
    private void Append<T>(string kind, string issuerId, T body, SigningKey key, string? recordId = null, int previous = 3) where T : class
    {
        EntryReference[] references = kind == EntryKinds.LicenseStatus
            ? [new EntryReference { Origin = Changsha, Index = (ulong)previous, LeafHash = MerkleHash.LeafHash(_leaves[previous]).ToArray(), Relation = Relations.Previous }]
            : [];
        var leaf = EntrySigner.SignToLeaf(Entry.Create(kind, Changsha, recordId ?? _licenseId, issuerId, body, At.AddMinutes(_leaves.Count), references), key);
        _leaves.Add(leaf);
        _tree.Append(leaf);
    }

    private EvidenceResult Verify(string verdict, params int[] indexes)
    {
        var size = _tree.Size;
        var note = new CheckpointSigner(Changsha, _logKey, null).Sign(size, _tree.Root().AsSpan());
        var bundle = new EvidenceBundle
        {
            Network = "cz-t", Subject = _licenseId, CreatedAt = At.AddHours(1),
            Verdict = new BundleVerdict { Status = verdict, Reason = "test", AsOf = new BundleCheckpointRef { Origin = Changsha, Size = size } },
        };
        bundle.Checkpoints[Changsha] = note.ToString();
        foreach (var index in indexes)
        {
            bundle.Entries.Add(ProvenBundleEntry.Of(Changsha, (ulong)index, _leaves[index], _tree, size));
        }
        return _verifier.Verify(bundle, Today);
    }

    [Fact]
    public void A_revocation_by_the_successor_verifies_and_names_the_succession()
    {
        var result = Verify("REVOKED", 0, 1, 3, 4, 5, 6);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(LicenseVerdict.Revoked, result.Verdict);
        Assert.Equal("430100-approval", result.ActedBy);
        Assert.False(result.ActedByCityRoot);
        var succession = Assert.Single(result.ActedUnder);
        Assert.Equal(new SuccessionEvidence(Changsha, 5, "430100-amr", "430100-approval", LedgerBodies.Succession("a", "b").Reason), succession);
        Assert.Equal("430100-amr", result.IssuerId);
    }

    [Fact]
    public void Without_the_succession_the_successors_revocation_is_refused()
    {
        var result = Verify("REVOKED", 0, 1, 3, 4, 6);
        Assert.False(result.IsValid);
        Assert.Equal($"entry {Changsha}#6 (license.status of {_licenseId}) is written by 430100-approval, who did not answer for the license then: its issuer 430100-amr did (the bundle holds no succession passing {LedgerBodies.BusinessLicenseType} licenses from 430100-amr to 430100-approval)", result.Failure);
    }

    [Fact]
    public void A_revocation_by_an_issuer_nobody_made_answer_is_refused_even_with_a_succession_of_another_type()
    {
        var result = Verify("REVOKED", 0, 2, 3, 7, 11);
        Assert.False(result.IsValid);
        Assert.Contains($"entry {Changsha}#7 (license.status of {_licenseId}) is written by 430100-other, who did not answer for the license then: its issuer 430100-amr did", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_predecessor_acting_after_the_succession_is_refused()
    {
        var result = Verify("SUSPENDED", 0, 1, 3, 5, 10);
        Assert.False(result.IsValid);
        Assert.Contains($"entry {Changsha}#10 (license.status of {_licenseId}) is written by 430100-amr, who did not answer for the license then: 430100-approval did, under the succession at #5", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_of_successions_is_followed_link_by_link_and_reported_in_order()
    {
        Root(EntryKinds.IssuerSucceed, "430100-approval", LedgerBodies.Succession("430100-approval", "430100-other")); // 12
        Append(EntryKinds.LicenseStatus, "430100-other", LedgerBodies.Suspend(_licenseId), _otherKey); // 13
        var result = Verify("SUSPENDED", 0, 1, 2, 3, 5, 12, 13);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(("430100-other", false), (result.ActedBy, result.ActedByCityRoot));
        Assert.Equal([(5ul, "430100-amr", "430100-approval"), (12ul, "430100-approval", "430100-other")],
            result.ActedUnder.Select(s => (s.Index, s.PredecessorId, s.SuccessorId)));

        // Without the first link the second passes nothing from the license's issuer.
        var broken = Verify("SUSPENDED", 0, 1, 2, 3, 12, 13);
        Assert.Equal($"entry {Changsha}#13 (license.status of {_licenseId}) is written by 430100-other, who did not answer for the license then: its issuer 430100-amr did (the bundle holds no succession passing {LedgerBodies.BusinessLicenseType} licenses from 430100-amr to 430100-other)", broken.Failure);
        // After the second link the first successor no longer answers.
        Append(EntryKinds.LicenseStatus, "430100-approval", LedgerBodies.Resume(_licenseId), _approvalKey, previous: 13); // 14
        Assert.Equal($"entry {Changsha}#14 (license.status of {_licenseId}) is written by 430100-approval, who did not answer for the license then: 430100-other did, under the succession at #12",
            Verify("VALID", 0, 1, 2, 3, 5, 12, 13, 14).Failure);
    }

    [Fact]
    public void The_city_roots_revocation_verifies_with_its_key_only()
    {
        var result = Verify("REVOKED", 0, 3, 8);
        Assert.True(result.IsValid, result.Failure);
        Assert.True(result.ActedByCityRoot);
        Assert.Equal("430100-root", result.ActedBy);
        Assert.Empty(result.ActedUnder);

        var forged = Verify("REVOKED", 0, 3, 9);
        Assert.False(forged.IsValid);
        Assert.Contains($"entry {Changsha}#9 (license.status): not signed by the city root", forged.Failure, StringComparison.Ordinal);
    }
}
