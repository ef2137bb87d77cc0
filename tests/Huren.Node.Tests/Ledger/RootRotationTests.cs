using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Witness;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Microsoft.Extensions.Logging.Abstractions;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>
/// A city root key rotated by the network configuration: the retired key still signs the root entries dated up to its
/// end (so the log replays from index 0, in a mirror or when the city rebuilds its own log), none dated later, and
/// nothing at all once revoked.
/// </summary>
public sealed class RootRotationTests
{
    /// <summary>Changsha in a configuration version whose root key is <paramref name="current"/>, <paramref name="retired"/> retired at <paramref name="end"/>.</summary>
    internal static TrustedMember Rotated(string origin, PublicKey retired, PublicKey current, DateTimeOffset end, bool revoked = false)
    {
        var city = new TestCity(origin[^6..], withSm2: false).Member();
        city.RootKey = current.ToPem();
        city.RetiredKeys = [new RetiredKey { Kind = "root", Key = retired.ToPem(), NotAfter = end.ToString("O"), Revoked = revoked }];
        var other = new TestCity(origin.EndsWith("430100", StringComparison.Ordinal) ? "430200" : "430100", withSm2: false).Member();
        var config = new NetworkConfig { NetworkId = WitnessFixture.NetworkId, Name = "长株潭", WitnessThreshold = 1, Members = [city, other] };
        return TrustedNetwork.From(config).ByOrigin(origin)!;
    }

    private static IssuerRegistered Registration(string issuerId, string authorityCode) =>
        Issuer(issuerId, authorityCode, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [BusinessLicenseType], [], false);

    [Fact]
    public void A_retired_root_key_signs_root_entries_dated_up_to_its_end_and_none_after_or_once_revoked()
    {
        var log = new LedgerFixture();
        var newRoot = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var end = LedgerFixture.Now.AddHours(1);
        log.Machine.RootKeys = CityRootKeys.Of(Rotated(log.Origin, log.RootKey.PublicKey, newRoot.PublicKey, end));

        // Dated at its end: the old key still counts.
        log.Time.Now = end;
        log.RegisterIssuer("430100-amr", ChangshaAmrCode);

        // One millisecond later it does not; the new key does.
        log.Time.Now = end.AddMilliseconds(1);
        var health = Registration("430100-health", ChangshaHealthCode);
        var late = log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-health", log.RootId, health), log.RootKey, RejectionKind.PermissionDenied, "retired at");
        Assert.Contains("after its end", late.Message, StringComparison.Ordinal);
        log.Admit(log.Entry(EntryKinds.IssuerRegister, "430100-health", log.RootId, health), newRoot);

        // Neither a retired nor the current root key may become an issuer's.
        var oldRootAsIssuer = Issuer("430100-x", Uscc("11430100HUREN0106"), log.RootKey.PublicKey, [BusinessLicenseType], [], false);
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-x", log.RootId, oldRootAsIssuer), newRoot, RejectionKind.AlreadyExists, "is a city root key");

        // Revoked (compromised): nothing it signs counts, even dated before its end.
        log.Machine.RootKeys = CityRootKeys.Of(Rotated(log.Origin, log.RootKey.PublicKey, newRoot.PublicKey, end, revoked: true));
        log.Time.Now = LedgerFixture.Now;
        var revoke = log.Entry(EntryKinds.IssuerRevoke, "430100-amr", log.RootId, new IssuerRevoked { IssuerId = "430100-amr", Reason = "机构改革撤并" });
        log.Refuse(revoke, log.RootKey, RejectionKind.PermissionDenied, "revoked city root key");
    }

    [Fact]
    public void A_new_entry_under_a_retired_root_key_must_be_dated_now_so_a_leaked_old_key_cannot_backdate_one()
    {
        // Found by review: the end bounds the entry's date, which the signer chooses. A day after the end, whoever
        // still holds the old key submits a registration dated a minute before it.
        var log = new LedgerFixture(admitsOwnEntries: true);
        var newRoot = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var end = LedgerFixture.Now.AddHours(1);
        log.Machine.RootKeys = CityRootKeys.ForOwnLog(newRoot.PublicKey, Rotated(log.Origin, log.RootKey.PublicKey, newRoot.PublicKey, end));
        var registration = Registration("430100-rogue", Uscc("11430100HUREN0107"));
        var backdated = Schemas.Envelope.Entry.Create(EntryKinds.IssuerRegister, log.Origin, "430100-rogue", log.RootId, registration, end.AddMinutes(-1));
        log.Time.Now = end.AddDays(1);
        var refused = log.Refuse(backdated, log.RootKey, RejectionKind.PermissionDenied, "a new entry it signs must be dated now");
        Assert.Contains("retired city root key", refused.Message, StringComparison.Ordinal);

        // The same entry in a log being replayed (it was written before the end) still counts, as the rule for history says.
        var replayed = new MerkleLog(new LogStore(new MemoryStore(), log.Origin));
        var machine = new LogStateMachine(log.Origin, CityRootKeys.Of(Rotated(log.Origin, log.RootKey.PublicKey, newRoot.PublicKey, end)), log.RootId, replayed.Store, null, log.Time)
        {
            MaxClockSkew = null,
        };
        var outcome = Replay(replayed, machine, [Huren.Sdk.Entries.EntrySigner.SignToLeaf(backdated, log.RootKey)]);
        Assert.True(outcome.Succeeded, outcome.Refusal?.Message);
    }

    [Fact]
    public void A_log_whose_root_was_rotated_replays_from_index_0_as_a_mirror_and_as_its_own_rebuilt_log()
    {
        // The origin: the old root registers an issuer, who issues; the root is rotated; the new root registers another.
        var origin = new LedgerFixture();
        var amr = origin.RegisterIssuer("430100-amr", ChangshaAmrCode);
        var license = BusinessLicense(ChangshaAmrCode, "2024000001");
        origin.Admit(amr, EntryKinds.LicenseIssue, license.LicenseId, license);
        var newRoot = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var member = Rotated(origin.Origin, origin.RootKey.PublicKey, newRoot.PublicKey, LedgerFixture.Now.AddHours(1));
        origin.Machine.RootKeys = CityRootKeys.Of(member);
        origin.Time.Now = LedgerFixture.Now.AddHours(2);
        origin.Admit(origin.Entry(EntryKinds.IssuerRegister, "430100-health", origin.RootId, Registration("430100-health", ChangshaHealthCode)), newRoot);
        var leaves = new List<byte[]>();
        for (ulong i = 0; i < origin.Size; i++) leaves.Add(origin.Store.GetLeaf(i)!);

        // A mirror opened under that version (a new member, an emptied folder), and the city's own log rebuilt by its
        // node configured with the new root key.
        foreach (var (who, keys) in new[] { ("mirror", CityRootKeys.Of(member)), ("own log", CityRootKeys.ForOwnLog(newRoot.PublicKey, member)) })
        {
            var log = new MerkleLog(new LogStore(new MemoryStore(), origin.Origin));
            var machine = new LogStateMachine(origin.Origin, keys, origin.RootId, log.Store, null, origin.Time) { MaxClockSkew = null };
            var outcome = Replay(log, machine, leaves);
            Assert.True(outcome.Succeeded, $"{who}: {outcome.Refusal?.Message}");
            Assert.Equal(origin.Log.RootAt(origin.Size), log.RootAt(log.Size));
            Assert.True(machine.TryGetIssuer("430100-health", out _), who);
        }
    }

    [Fact]
    public void A_node_whose_configured_root_key_the_version_in_force_retired_admits_what_its_mirrors_admit()
    {
        // Huren:Keys:RootPublicKey still names the old key after a rotation, before the node is restarted with the new
        // one: the old key is judged as retired, as every mirror judges it, so the node writes nothing they refuse.
        var log = new LedgerFixture(admitsOwnEntries: true);
        var newRoot = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var end = LedgerFixture.Now.AddHours(1);
        var keys = CityRootKeys.ForOwnLog(log.RootKey.PublicKey, Rotated(log.Origin, log.RootKey.PublicKey, newRoot.PublicKey, end));
        Assert.False(keys.IsCurrent(log.RootKey.PublicKey));
        log.Machine.RootKeys = keys;
        log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        log.Time.Now = end.AddMinutes(1);
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-health", log.RootId, Registration("430100-health", ChangshaHealthCode)), log.RootKey,
            RejectionKind.PermissionDenied, "after its end");

        // Stand-alone (no configuration), the configured key is the current one.
        Assert.True(CityRootKeys.ForOwnLog(log.RootKey.PublicKey, null).IsCurrent(log.RootKey.PublicKey));

        // A configured key the version does not know at all (a wrong file, or the next key put in before the version
        // rotating to it, as review found) signs nothing there either: the mirrors would refuse it and stop.
        var unknown = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        log.Machine.RootKeys = CityRootKeys.ForOwnLog(unknown.PublicKey, Rotated(log.Origin, log.RootKey.PublicKey, newRoot.PublicKey, end));
        Assert.False(log.Machine.RootKeys.IsCurrent(unknown.PublicKey));
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-health", log.RootId, Registration("430100-health", ChangshaHealthCode)), unknown,
            RejectionKind.PermissionDenied, "signer key");
        log.Admit(log.Entry(EntryKinds.IssuerRegister, "430100-health", log.RootId, Registration("430100-health", ChangshaHealthCode)), newRoot);
    }

    /// <summary>Replays <paramref name="leaves"/> as a mirror stores a run: checked, signers registered in the run allowed, one atomic write.</summary>
    internal static BatchOutcome Replay(MerkleLog log, LogStateMachine machine, IEnumerable<byte[]> leaves)
    {
        var items = new List<AppendItem>();
        foreach (var leaf in leaves)
        {
            var decoded = machine.CheckStatelessSignerInBatch(leaf);
            items.Add(new AppendItem(leaf, decoded.LeafHash, decoded));
        }
        return new LogAppender(log, machine, [machine], null, null, NullLogger.Instance).Append(items, refusalEndsBatch: true);
    }
}
