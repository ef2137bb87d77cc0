using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Evidence;
using Huren.Sdk.Tests.Evidence;
using Huren.Sdk.Tests.Notes;

namespace Huren.Sdk.Tests.Network;

/// <summary>
/// Key rotation: a configuration that retires Changsha's log, SM2 or witness key with an end. Checkpoints and
/// cosignatures made with the retired key before its end are accepted, later ones refused with the reason; a revoked
/// key counts for nothing; a key the configuration does not give at all is refused.
/// </summary>
public sealed class RetiredKeyTests
{
    private const string Changsha = "huren.cz-t/430100";
    private static readonly DateTimeOffset End = new(2026, 12, 2, 15, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Root = new byte[32];

    private static readonly SigningKey OldLog = TestKeys.Ed25519("rotation-old-log");
    private static readonly SigningKey NewLog = TestKeys.Ed25519("rotation-new-log");
    private static readonly SigningKey OldSm2 = TestKeys.Sm2;
    private static readonly Lazy<SigningKey> LazyNewSm2 = new(() => SigningKey.Generate(SignatureAlgorithm.Sm2Sm3));
    private static SigningKey NewSm2 => LazyNewSm2.Value;
    private static readonly NoteSignerKey OldZhuzhouWitness = Witness("huren.cz-t/430200", "rotation-old-witness-430200");
    private static readonly NoteSignerKey NewZhuzhouWitness = Witness("huren.cz-t/430200", "rotation-new-witness-430200");
    private static readonly NoteSignerKey XiangtanWitness = Witness("huren.cz-t/430300", "rotation-witness-430300");

    private static NoteSignerKey Witness(string origin, string label)
        => NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), TestKeys.Ed25519(label));

    /// <summary>Version 2: Changsha's log and SM2 keys and Zhuzhou's witness key rotated, the old ones retired at <see cref="End"/>.</summary>
    private static TrustedNetwork Rotated(bool revoked = false, ulong retiredAtSize = 0, string? notAfter = "2026-12-02T15:00:00Z")
    {
        var config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Version = 2;
        config.Previous = new string('0', 64);
        var changsha = config.Members[0];
        changsha.RetiredKeys.Add(new RetiredKey { Kind = "log", Key = LogVkey(OldLog), NotAfter = notAfter, RetiredAtSize = retiredAtSize, Revoked = revoked, Successor = changsha.LogKey });
        changsha.RetiredKeys.Add(new RetiredKey { Kind = "sm2", Key = OldSm2.PublicKey.ToPem(), NotAfter = notAfter, RetiredAtSize = retiredAtSize, Revoked = revoked, Successor = changsha.Sm2PublicKey });
        if (notAfter is not null || revoked) config.Members[1].RetiredKeys.Add(new RetiredKey { Kind = "witness", Key = OldZhuzhouWitness.VerifierKey.ToString(), NotAfter = notAfter, Revoked = revoked });
        return TrustedNetwork.Parse(config.ToJson());
    }

    private static string LogVkey(SigningKey key) => NoteVerifierKey.ForEd25519(Changsha, key.PublicKey).ToString();

    private static NetworkConfig Genesis(SigningKey log, SigningKey sm2, NoteSignerKey zhuzhouWitness)
    {
        var config = new NetworkConfig { NetworkId = "cz-t", Name = "rotation test", WitnessThreshold = 1 };
        foreach (var city in new[] { "430100", "430200", "430300" })
        {
            var origin = $"huren.cz-t/{city}";
            config.Members.Add(new NetworkMember
            {
                CityCode = city,
                Origin = origin,
                LogKey = city == "430100" ? LogVkey(log) : NoteVerifierKey.ForEd25519(origin, TestKeys.Ed25519("rotation-log-" + city).PublicKey).ToString(),
                WitnessKey = city switch
                {
                    "430100" => Witness(origin, "rotation-witness-430100").VerifierKey.ToString(),
                    "430200" => zhuzhouWitness.VerifierKey.ToString(),
                    _ => XiangtanWitness.VerifierKey.ToString(),
                },
                Sm2PublicKey = city == "430100" ? sm2.PublicKey.ToPem() : "",
                RootKey = TestKeys.Ed25519("rotation-root-" + city).PublicKey.ToPem(),
            });
        }
        return config;
    }

    private static SignedNote Signed(SigningKey log, SigningKey sm2, ulong size = 10)
        => new CheckpointSigner(Changsha, log, sm2).Sign(size, Root);

    private static SignedNote Cosigned(SignedNote note, NoteSignerKey witness, DateTimeOffset at) => CosignatureSigner.Cosign(note, witness, at);

    private static CheckpointVerification Verify(TrustedNetwork network, SignedNote note) => network.ByOrigin(Changsha)!.VerifyCheckpoint(note);

    [Fact]
    public void A_checkpoint_of_the_retired_keys_cosigned_before_the_end_is_accepted_and_final()
    {
        var network = Rotated();
        var note = Cosigned(Signed(OldLog, OldSm2), XiangtanWitness, End.AddMinutes(-5));
        var result = Verify(network, note);
        Assert.True(result.IsValid, result.Failure);
        Assert.True(network.Finality(result).IsFinal);
        // Exactly at the end still counts.
        Assert.True(Verify(network, Cosigned(Signed(OldLog, OldSm2), XiangtanWitness, End)).IsValid);
    }

    [Fact]
    public void A_checkpoint_of_the_new_keys_is_accepted_at_any_time()
    {
        var network = Rotated();
        var result = Verify(network, Cosigned(Signed(NewLog, NewSm2), XiangtanWitness, End.AddDays(30)));
        Assert.True(result.IsValid, result.Failure);
        Assert.True(network.Finality(result).IsFinal);
    }

    [Fact]
    public void A_checkpoint_of_the_retired_log_key_cosigned_after_the_end_is_refused_with_the_reason()
    {
        var network = Rotated();
        var result = Verify(network, Cosigned(Signed(OldLog, NewSm2), XiangtanWitness, End.AddSeconds(1)));
        Assert.False(result.IsValid);
        Assert.Contains($"signed with log key {Changsha}+{NoteVerifierKey.ForEd25519(Changsha, OldLog.PublicKey).KeyIdHex} retired at 2026-12-02T15:00:00Z", result.Failure, StringComparison.Ordinal);
        Assert.Contains("huren.cz-t/430300/witness dates it 2026-12-02T15:00:01Z, after the key's end", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_of_the_retired_SM2_key_cosigned_after_the_end_is_refused()
    {
        var network = Rotated();
        var result = Verify(network, Cosigned(Signed(NewLog, OldSm2), XiangtanWitness, End.AddHours(1)));
        Assert.False(result.IsValid);
        Assert.Contains("signed with SM2 log key", result.Failure, StringComparison.Ordinal);
        Assert.Contains("after the key's end", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void One_cosignature_after_the_end_refuses_the_retired_key_checkpoint_even_beside_an_earlier_one()
    {
        var network = Rotated();
        var note = Cosigned(Cosigned(Signed(OldLog, OldSm2), XiangtanWitness, End.AddMinutes(-1)), NewZhuzhouWitness, End.AddMinutes(1));
        Assert.Contains("huren.cz-t/430200/witness dates it", Verify(network, note).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retired_key_checkpoint_without_a_cosignature_is_refused_offline_and_judged_by_arrival_time_by_a_witness()
    {
        var network = Rotated();
        var member = network.ByOrigin(Changsha)!;
        var bare = Signed(OldLog, OldSm2);
        Assert.Contains("no cosignature dates it before the key's end", Verify(network, bare).Failure, StringComparison.Ordinal);
        Assert.True(member.VerifyCheckpoint(bare, End.AddMinutes(-1)).IsValid);
        var late = member.VerifyCheckpoint(bare, End.AddMinutes(1));
        Assert.False(late.IsValid);
        Assert.Contains("was received at 2026-12-02T15:01:00Z, after the key's end", late.Failure, StringComparison.Ordinal);
        // The origin's own witness does not date its own checkpoint.
        var self = Cosigned(bare, Witness(Changsha, "rotation-witness-430100"), End.AddMinutes(-1));
        Assert.Contains("no cosignature dates it", Verify(network, self).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cosignature_of_a_retired_witness_key_counts_before_its_end_and_refuses_the_note_after()
    {
        var network = Rotated();
        var before = Verify(network, Cosigned(Signed(NewLog, NewSm2), OldZhuzhouWitness, End.AddMinutes(-1)));
        Assert.True(before.IsValid, before.Failure);
        Assert.True(network.Finality(before).IsFinal);
        var after = Verify(network, Cosigned(Signed(NewLog, NewSm2), OldZhuzhouWitness, End.AddMinutes(1)));
        Assert.False(after.IsValid);
        Assert.Contains($"cosignature by witness key huren.cz-t/430200/witness+{OldZhuzhouWitness.VerifierKey.KeyIdHex} retired at 2026-12-02T15:00:00Z is dated 2026-12-02T15:01:00Z, after the key's end", after.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_key_counts_for_nothing_whenever_it_signed()
    {
        var network = Rotated(revoked: true);
        var log = Verify(network, Cosigned(Signed(OldLog, NewSm2), XiangtanWitness, End.AddDays(-100)));
        Assert.False(log.IsValid);
        Assert.Contains("revoked: nothing it signed is accepted", log.Failure, StringComparison.Ordinal);
        var witness = Verify(network, Cosigned(Signed(NewLog, NewSm2), OldZhuzhouWitness, End.AddDays(-100)));
        Assert.False(witness.IsValid);
        Assert.Contains($"cosignature by witness key huren.cz-t/430200/witness+{OldZhuzhouWitness.VerifierKey.KeyIdHex} revoked", witness.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_retired_from_a_size_signs_smaller_checkpoints_only()
    {
        var network = Rotated(retiredAtSize: 10, notAfter: null);
        Assert.True(Verify(network, Signed(OldLog, OldSm2, size: 9)).IsValid);
        Assert.Contains("checkpoint of size 10 is signed with log key", Verify(network, Signed(OldLog, OldSm2, size: 10)).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_the_configuration_does_not_give_is_refused()
    {
        var network = Rotated();
        var stranger = Verify(network, Cosigned(Signed(TestKeys.Ed25519("rotation-stranger"), NewSm2), XiangtanWitness, End.AddMinutes(-1)));
        Assert.False(stranger.IsValid);
        // Its line is ignored (an unknown key), so the log key's required line is missing.
        Assert.Contains("no signature from required key huren.cz-t/430100", stranger.Failure, StringComparison.Ordinal);
        // Without the retirement (the genesis of the new keys), the old key is unknown too.
        var genesis = TrustedNetwork.From(Genesis(NewLog, NewSm2, NewZhuzhouWitness));
        Assert.False(Verify(genesis, Cosigned(Signed(OldLog, OldSm2), XiangtanWitness, End.AddMinutes(-1))).IsValid);
    }

    [Fact]
    public void A_retired_root_key_signs_entries_dated_up_to_its_end()
    {
        var config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        var oldRoot = TestKeys.Ed25519("rotation-old-root");
        config.Members[0].RetiredKeys.Add(new RetiredKey { Kind = "root", Key = oldRoot.PublicKey.ToPem(), NotAfter = "2026-12-02T15:00:00+08:00" });
        config.Members[0].RetiredKeys.Add(new RetiredKey { Kind = "root", Key = TestKeys.Ed25519("rotation-revoked-root").PublicKey.ToPem(), Revoked = true });
        var member = TrustedNetwork.From(config).ByOrigin(Changsha)!;
        var end = new DateTimeOffset(2026, 12, 2, 7, 0, 0, TimeSpan.Zero);
        Assert.Equal(2, member.RootKeysAt(end).Count());
        Assert.Equal(oldRoot.PublicKey.ToPem(), member.RootKeysAt(end).Last().ToPem());
        Assert.Single(member.RootKeysAt(end.AddSeconds(1)));
    }

    [Theory]
    [InlineData("log", "", "2026-12-02T15:00:00Z", false, "retiredKeys[0].key is required")]
    [InlineData("cert", "x", "2026-12-02T15:00:00Z", false, "retiredKeys[0].kind 'cert' is not one of log, witness, sm2, root, tls")]
    [InlineData("log", "x", null, false, "retiredKeys[0] has no end: give notAfter, retiredAtSize or revoked")]
    [InlineData("log", "x", "2026-12-02 15:00", false, "notAfter '2026-12-02 15:00' is not an RFC 3339 time with an offset")]
    [InlineData("log", "x", "2026-12-02T15:00:00", false, "is not an RFC 3339 time with an offset")]
    [InlineData("log", "x", null, true, "members[430100].retiredKeys[0].key:")]
    public void A_retired_key_that_is_not_well_formed_fails_the_configuration_with_the_field(string kind, string key, string? notAfter, bool revoked, string message)
    {
        var config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Members[0].RetiredKeys.Add(new RetiredKey { Kind = kind, Key = key, NotAfter = notAfter, Revoked = revoked });
        var ex = Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson()));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retired_key_that_is_the_current_one_or_of_another_name_fails_the_configuration()
    {
        var config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Members[0].RetiredKeys.Add(new RetiredKey { Kind = "log", Key = config.Members[0].LogKey, NotAfter = "2026-12-02T15:00:00Z" });
        Assert.Contains("the retired log key is the member's current logKey", Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);
        config.Members[0].RetiredKeys[0] = new RetiredKey { Kind = "log", Key = config.Members[1].LogKey, NotAfter = "2026-12-02T15:00:00Z" };
        Assert.Contains("named 'huren.cz-t/430200', not 'huren.cz-t/430100'", Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_key_retired_while_current_or_a_key_retired_twice_fails_the_configuration()
    {
        // Found by review: current and revoked at once, the current reading won and the revocation went unheeded; retired
        // twice (an end, then revoked), readers taking the first entry and readers taking any disagreed.
        var config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Members[0].RetiredKeys.Add(new RetiredKey { Kind = "root", Key = config.Members[0].RootKey, Revoked = true });
        Assert.Contains("retiredKeys[0]: the retired root key is the member's current rootKey", Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);

        var oldRoot = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey.ToPem();
        config.Members[0].RetiredKeys = [new RetiredKey { Kind = "root", Key = oldRoot, NotAfter = "2026-12-02T15:00:00Z" }, new RetiredKey { Kind = "root", Key = oldRoot, Revoked = true }];
        Assert.Contains("retiredKeys[1]: the key is retired twice", Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);

        var oldLog = NoteVerifierKey.ForEd25519(config.Members[0].Origin, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey).ToString();
        config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Members[0].RetiredKeys = [new RetiredKey { Kind = "log", Key = oldLog, NotAfter = "2026-12-02T15:00:00Z" }, new RetiredKey { Kind = "log", Key = oldLog, Revoked = true }];
        Assert.Contains("retiredKeys[1]: the key is retired twice", Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_witness_key_is_named_for_its_member_and_listed_for_one_member_only()
    {
        // Named otherwise, a member's own witness could pass for another member's towards its own finality.
        var config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Members[0].WitnessKey = NoteSignerKey.ForCosigner("huren.cz-t/430100/w", TestKeys.Ed25519("rotation-witness-430100")).VerifierKey.ToString();
        Assert.Contains("members[430100].witnessKey: named 'huren.cz-t/430100/w', not 'huren.cz-t/430100/witness'",
            Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);

        // Zhuzhou's witness key listed again under Xiangtan's name: one witness's cosignature (which does not sign the
        // name) copied under the other's would count twice.
        config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Members[2].WitnessKey = NoteSignerKey.ForCosigner("huren.cz-t/430300/witness", TestKeys.Ed25519("rotation-new-witness-430200")).VerifierKey.ToString();
        Assert.Contains("is also listed for member 430200", Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);
        // The same as a retired key of another member.
        config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Members[2].RetiredKeys.Add(new RetiredKey
        {
            Kind = "witness", Key = NoteSignerKey.ForCosigner("huren.cz-t/430300/witness", TestKeys.Ed25519("rotation-new-witness-430200")).VerifierKey.ToString(),
            NotAfter = "2026-12-02T15:00:00Z",
        });
        Assert.Contains("is also listed for member", Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retired_witness_key_ends_by_time_or_revocation_not_by_size()
    {
        // A witness cosigns every member's log, so one log's size bounds nothing: its cosignatures would count for ever.
        var config = Genesis(NewLog, NewSm2, NewZhuzhouWitness);
        config.Members[1].RetiredKeys.Add(new RetiredKey { Kind = "witness", Key = OldZhuzhouWitness.VerifierKey.ToString(), RetiredAtSize = 5 });
        Assert.Contains("members[430200].retiredKeys[0]: a retired witness key needs notAfter or revoked",
            Assert.Throws<FormatException>(() => TrustedNetwork.Parse(config.ToJson())).Message, StringComparison.Ordinal);
        config.Members[1].RetiredKeys[0].Revoked = true;
        Assert.NotNull(TrustedNetwork.Parse(config.ToJson()));
    }

    [Fact]
    public void Fields_left_unset_are_not_written_so_existing_documents_keep_their_bytes()
    {
        var json = new RetiredKey { Kind = "log", Key = "k", RetiredAtSize = 5 };
        var text = System.Text.Json.JsonSerializer.Serialize(json);
        Assert.DoesNotContain("notAfter", text, StringComparison.Ordinal);
        Assert.DoesNotContain("successor", text, StringComparison.Ordinal);
        Assert.DoesNotContain("revoked", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-02T15:00:00Z", null)]
    [InlineData("2026-11-01T00:00:00Z", "after the key's end")]
    public void A_bundle_made_before_rotating_the_log_SM2_and_root_keys_verifies_while_cosigned_before_their_end(string notAfter, string? failure)
    {
        // ThreeCityLog's checkpoint is cosigned at 1_795_000_000 (2026-11-19) and its entries are dated then.
        var log = ThreeCityLog.Shared;
        var config = NetworkConfig.Parse(log.Network.Config.ToJson());
        var changsha = config.Members[0];
        changsha.RetiredKeys.Add(new RetiredKey { Kind = "log", Key = changsha.LogKey, NotAfter = notAfter });
        changsha.RetiredKeys.Add(new RetiredKey { Kind = "sm2", Key = changsha.Sm2PublicKey, NotAfter = notAfter });
        changsha.RetiredKeys.Add(new RetiredKey { Kind = "root", Key = changsha.RootKey, NotAfter = notAfter });
        changsha.LogKey = LogVkey(NewLog);
        changsha.Sm2PublicKey = NewSm2.PublicKey.ToPem();
        changsha.RootKey = TestKeys.Ed25519("rotation-new-root").PublicKey.ToPem();
        var rotated = TrustedNetwork.Parse(config.ToJson());

        var result = new EvidenceVerifier(rotated).Verify(log.Bundle(log.Note), new DateOnly(2026, 12, 3));
        if (failure is null)
        {
            Assert.True(result.IsValid, result.Failure);
            Assert.True(result.Final);
        }
        else
        {
            Assert.False(result.IsValid);
            Assert.Contains(failure, result.Failure, StringComparison.Ordinal);
        }
    }
}
