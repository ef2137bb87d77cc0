using Grpc.Core;
using Huren.Node.Hosting;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ProtoBuf.Grpc.Client;

namespace Huren.Node.Tests.Witness;

/// <summary>
/// The <c>huren.v1.Witness</c> service on a real Changsha node (loopback gRPC, RocksDB, the network configuration of
/// three cities): who may call it, and that every answer reaches the caller with its status.
/// </summary>
public sealed class WitnessGrpcTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly TestCity _changsha = new("430100", withSm2: false);
    private readonly TestCity _zhuzhou = new("430200", withSm2: true);
    private readonly TestCity _xiangtan = new("430300", withSm2: false);
    private readonly Dictionary<string, SigningKey> _clientKeys = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private Uri _endpoint = null!;

    public async Task InitializeAsync()
    {
        var keys = Path.Combine(_dir.Path, "keys");
        Directory.CreateDirectory(keys);
        await File.WriteAllTextAsync(Path.Combine(keys, "log-ed25519.pem"), _changsha.LogKey.ToPem());
        await File.WriteAllTextAsync(Path.Combine(keys, "log-sm2.pem"), SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).ToPem());
        await File.WriteAllTextAsync(Path.Combine(keys, "witness-ed25519.pem"), _changsha.WitnessKey.ToPem());
        await File.WriteAllTextAsync(Path.Combine(keys, "root.pub.pem"), SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).PublicKey.ToPem());
        foreach (var name in new[] { "operator", "auditor", "counter" })
        {
            _clientKeys[name] = SigningKey.Generate(SignatureAlgorithm.Ed25519);
            await File.WriteAllTextAsync(Path.Combine(keys, $"client-{name}.pub.pem"), _clientKeys[name].PublicKey.ToPem());
        }
        var config = new Sdk.Network.NetworkConfig
        {
            NetworkId = WitnessFixture.NetworkId,
            Name = "长株潭",
            WitnessThreshold = 1,
            Members = [_changsha.Member(), _zhuzhou.Member(), _xiangtan.Member()],
        };
        // The other cities are not running: their mirrors and cosignature requests just fail and retry.
        foreach (var m in config.Members) m.Endpoint = "http://127.0.0.1:9";
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "network.json"), config.ToJson());

        string[] args =
        [
            $"--contentRoot={_dir.Path}",
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            "--Logging:LogLevel:Default=Critical",
            $"--Huren:NetworkId={WitnessFixture.NetworkId}",
            $"--Huren:CityCode={_changsha.CityCode}",
            "--Huren:DataPath=data",
            "--Huren:NetworkConfig=network.json",
            "--Huren:Clients:operator:Role=operator", "--Huren:Clients:operator:PublicKey=keys/client-operator.pub.pem",
            "--Huren:Clients:auditor:Role=auditor", "--Huren:Clients:auditor:PublicKey=keys/client-auditor.pub.pem",
            "--Huren:Clients:counter:Role=counter", "--Huren:Clients:counter:IssuerId=430100-window", "--Huren:Clients:counter:PublicKey=keys/client-counter.pub.pem",
        ];
        // The other cities do not run, so this node's mirrors hold nothing: the witness asks a mirror holding the test's trees.
        _app = NodeApp.Build(args, builder => builder.Services.AddSingleton<Huren.Node.Witness.IMirroredLogs>(new TestMirroredLogs()));
        await _app.StartAsync();
        _endpoint = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _dir.Dispose();
    }

    private HurenClient Client(string principal) => new(_endpoint, new ClientIdentity(principal, _clientKeys[principal], _changsha.CityCode));

    /// <summary>Zhuzhou's node, signing its calls with its witness key as the network configuration lists it.</summary>
    private HurenClient Zhuzhou() => new(_endpoint, new ClientIdentity("node-430200", _zhuzhou.WitnessKey, _changsha.CityCode));

    private static async Task<RpcException> Refused(StatusCode status, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(status, ex.StatusCode);
        return ex;
    }

    [Fact]
    public async Task A_peer_gets_cosignatures_conflicts_and_refusals_with_their_statuses()
    {
        using var peer = Zhuzhou();
        var witness = peer.Channel.CreateGrpcService<IWitnessService>();
        var tree = TestCity.Tree(12);

        var first = await witness.AddCheckpointAsync(new AddCheckpointRequest { OldSize = 0, Note = _zhuzhou.Note(tree, 5) }, peer.Options());
        Assert.False(first.Conflict);
        Assert.Equal(5ul, first.KnownSize);
        var cosignature = NoteSignature.ParseLine(first.Cosignature);
        Assert.True(CosignatureVerifier.Verify(SignedNote.Parse(_zhuzhou.Note(tree, 5)).Text, cosignature, _changsha.WitnessVerifierKey, out _));

        var conflict = await witness.AddCheckpointAsync(new AddCheckpointRequest { OldSize = 0, Note = _zhuzhou.Note(tree, 9) }, peer.Options());
        Assert.True(conflict.Conflict);
        Assert.Equal(5ul, conflict.KnownSize);
        Assert.Equal("", conflict.Cosignature);

        var next = await witness.AddCheckpointAsync(
            new AddCheckpointRequest { OldSize = 5, ConsistencyProof = Proofs.Consistency(tree, 5, 9), Note = _zhuzhou.Note(tree, 9) }, peer.Options());
        Assert.False(next.Conflict);

        await Refused(StatusCode.NotFound, async () => await witness.AddCheckpointAsync(new AddCheckpointRequest { Note = _changsha.Note(tree, 3) }, peer.Options()));
        var impostor = new CheckpointSigner(_xiangtan.Origin, SigningKey.Generate(SignatureAlgorithm.Ed25519), null);
        await Refused(StatusCode.PermissionDenied, async () => await witness.AddCheckpointAsync(
            new AddCheckpointRequest { Note = impostor.Sign(3, tree.RootAt(3).AsSpan()).ToString() }, peer.Options()));
        await Refused(StatusCode.InvalidArgument, async () => await witness.AddCheckpointAsync(new AddCheckpointRequest { OldSize = 11, Note = _zhuzhou.Note(tree, 10) }, peer.Options()));
        await Refused(StatusCode.FailedPrecondition, async () => await witness.AddCheckpointAsync(
            new AddCheckpointRequest { OldSize = 9, ConsistencyProof = Proofs.Consistency(tree, 8, 12), Note = _zhuzhou.Note(tree, 12) }, peer.Options()));
    }

    [Fact]
    public async Task Roles_are_enforced_and_equivocations_are_listed_for_operator_and_auditor()
    {
        var tree = TestCity.Tree(6);
        var fork = TestCity.Tree(6, branch: "b", forkAt: 2);
        using (var counter = Client("counter"))
        {
            await Refused(StatusCode.PermissionDenied, async () => await counter.Channel.CreateGrpcService<IWitnessService>()
                .AddCheckpointAsync(new AddCheckpointRequest { Note = _xiangtan.Note(tree, 4) }, counter.Options()));
        }
        using var op = Client("operator");
        var asOperator = op.Channel.CreateGrpcService<IWitnessService>();
        Assert.False((await asOperator.AddCheckpointAsync(new AddCheckpointRequest { Note = _xiangtan.Note(tree, 4) }, op.Options())).Conflict);

        using var peer = Zhuzhou();
        var asPeer = peer.Channel.CreateGrpcService<IWitnessService>();
        var ex = await Refused(StatusCode.FailedPrecondition, async () => await asPeer.AddCheckpointAsync(
            new AddCheckpointRequest { OldSize = 4, Note = _xiangtan.Note(fork, 4) }, peer.Options()));
        Assert.Contains("equivocation", ex.Status.Detail, StringComparison.Ordinal);
        ex = await Refused(StatusCode.FailedPrecondition, async () => await asPeer.AddCheckpointAsync(
            new AddCheckpointRequest { OldSize = 4, ConsistencyProof = Proofs.Consistency(tree, 4, 6), Note = _xiangtan.Note(tree, 6) }, peer.Options()));
        Assert.Equal("origin huren.cz-t/430300 is quarantined after an equivocation; operator action required", ex.Status.Detail);

        // Evidence is for the operator and auditors, not for peers.
        await Refused(StatusCode.PermissionDenied, async () => await asPeer.ListEquivocationsAsync(new EquivocationsRequest(), peer.Options()));
        using var auditor = Client("auditor");
        var listed = await auditor.Channel.CreateGrpcService<IWitnessService>().ListEquivocationsAsync(new EquivocationsRequest { Origin = _xiangtan.Origin }, auditor.Options());
        var evidence = Assert.Single(listed.Equivocations);
        Assert.Equal(_xiangtan.Origin, evidence.Origin);
        Assert.Equal(_xiangtan.Note(tree, 4), evidence.KnownNote);
        Assert.Equal(_xiangtan.Note(fork, 4), evidence.ConflictingNote);
        Assert.NotEqual("", evidence.Reason);
        Assert.True(evidence.SeenUnixMs > 0);
        Assert.Empty((await asOperator.ListEquivocationsAsync(new EquivocationsRequest { Origin = _zhuzhou.Origin }, op.Options())).Equivocations);
    }

    [Fact]
    public async Task A_peer_reads_what_the_witness_cosigned_of_its_log_and_only_the_operator_clears_a_quarantine_with_a_reason()
    {
        var tree = TestCity.Tree(6);
        var fork = TestCity.Tree(6, branch: "b", forkAt: 2);
        using var peer = Zhuzhou();
        var asPeer = peer.Channel.CreateGrpcService<IWitnessService>();
        Assert.False((await asPeer.GetCosignedAsync(new CosignedCheckpointRequest { Origin = _zhuzhou.Origin }, peer.Options())).Found);
        await asPeer.AddCheckpointAsync(new AddCheckpointRequest { Note = _zhuzhou.Note(tree, 4) }, peer.Options());
        var cosigned = await asPeer.GetCosignedAsync(new CosignedCheckpointRequest { Origin = _zhuzhou.Origin }, peer.Options());
        Assert.True(cosigned.Found);
        Assert.Equal(4ul, cosigned.Size);
        // The kept note: the origin's own signature, verifiable under its log key.
        Assert.True(new CheckpointVerifier(_zhuzhou.LogVerifierKey).Verify(cosigned.Note).IsValid);
        await Refused(StatusCode.InvalidArgument, async () => await asPeer.GetCosignedAsync(new CosignedCheckpointRequest(), peer.Options()));
        using (var counter = Client("counter"))
        {
            await Refused(StatusCode.PermissionDenied, async () => await counter.Witness.GetCosignedAsync(new CosignedCheckpointRequest { Origin = _zhuzhou.Origin }, counter.Options()));
        }

        await Refused(StatusCode.FailedPrecondition, async () => await asPeer.AddCheckpointAsync(new AddCheckpointRequest { OldSize = 4, Note = _zhuzhou.Note(fork, 4) }, peer.Options()));
        using var op = Client("operator");
        using var auditor = Client("auditor");
        var listed = Assert.Single((await auditor.Witness.ListQuarantinesAsync(new QuarantinesRequest(), auditor.Options())).Quarantines);
        Assert.Equal((_zhuzhou.Origin, true, 1L), (listed.Origin, listed.InForce, listed.Equivocation));
        await Refused(StatusCode.PermissionDenied, async () => await asPeer.ListQuarantinesAsync(new QuarantinesRequest(), peer.Options()));

        // Clearing: the operator alone, with a reason, and only what is quarantined.
        await Refused(StatusCode.PermissionDenied, async () => await auditor.Witness.ClearQuarantineAsync(new ClearQuarantineRequest { Origin = _zhuzhou.Origin, Reason = "checked" }, auditor.Options()));
        await Refused(StatusCode.PermissionDenied, async () => await asPeer.ClearQuarantineAsync(new ClearQuarantineRequest { Origin = _zhuzhou.Origin, Reason = "checked" }, peer.Options()));
        var noReason = await Refused(StatusCode.InvalidArgument, async () => await op.Witness.ClearQuarantineAsync(new ClearQuarantineRequest { Origin = _zhuzhou.Origin, Reason = " " }, op.Options()));
        Assert.Contains("reason is required", noReason.Status.Detail, StringComparison.Ordinal);
        await Refused(StatusCode.InvalidArgument, async () => await op.Witness.ClearQuarantineAsync(new ClearQuarantineRequest { Origin = _zhuzhou.Origin, Reason = new string('x', 2001) }, op.Options()));
        await Refused(StatusCode.FailedPrecondition, async () => await op.Witness.ClearQuarantineAsync(new ClearQuarantineRequest { Origin = _xiangtan.Origin, Reason = "checked" }, op.Options()));
        Assert.True((await auditor.Witness.ListQuarantinesAsync(new QuarantinesRequest(), auditor.Options())).Quarantines[0].InForce);

        var cleared = await op.Witness.ClearQuarantineAsync(new ClearQuarantineRequest { Origin = _zhuzhou.Origin, Reason = "fork note was a test" }, op.Options());
        Assert.Equal((_zhuzhou.Origin, false, "fork note was a test", "operator"), (cleared.Origin, cleared.InForce, cleared.ClearedReason, cleared.ClearedBy));
        Assert.True(cleared.ClearedUnixMs > 0);
        var after = Assert.Single((await auditor.Witness.ListQuarantinesAsync(new QuarantinesRequest(), auditor.Options())).Quarantines);
        Assert.Equal((false, "fork note was a test"), (after.InForce, after.ClearedReason));
        // Witnessing resumes from the last cosigned checkpoint.
        Assert.False((await asPeer.AddCheckpointAsync(new AddCheckpointRequest { OldSize = 4, ConsistencyProof = Proofs.Consistency(tree, 4, 6), Note = _zhuzhou.Note(tree, 6) }, peer.Options())).Conflict);
    }
}
