using System.Text;
using Grpc.Core;
using Huren.Node.Logs;
using Huren.Node.Tests.Integration;
using Huren.Node.Tests.Ledger;
using Huren.Node.Witness;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Microsoft.Extensions.DependencyInjection;
using ProtoBuf.Grpc;

namespace Huren.Node.Tests.BadInput;

/// <summary>A running node (real gRPC, RocksDB) with one registered issuer and one license, for the bad-input corpus.</summary>
public sealed class BadInputNode : IAsyncLifetime
{
    internal TestNode Node { get; private set; } = null!;

    /// <summary>The registered issuer's entry key.</summary>
    public SigningKey Amr { get; } = SigningKey.Generate(SignatureAlgorithm.Ed25519);

    public async Task InitializeAsync()
    {
        Node = await TestNode.StartAsync();
        using var op = Node.Client("operator");
        var issuer = LedgerBodies.Issuer(TestNode.AmrIssuer, LedgerBodies.ChangshaAmrCode, Amr.PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false);
        await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(Entry.Create(EntryKinds.IssuerRegister, TestNode.Origin, issuer.IssuerId, TestNode.RootId, issuer, DateTimeOffset.UtcNow), Node.RootKey) }, op.Options());
        using var amr = Node.Client("amr");
        await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = ValidLeaf("V0001") }, amr.Options());
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();

    public Entry LicenseEntry(string serial, params EntryReference[] references)
    {
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
        return Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow, references);
    }

    /// <summary>A license entry whose name is <paramref name="name"/>, signed by the issuer.</summary>
    public byte[] LicenseNamed(string serial, string name)
    {
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
        body.Name = name;
        return EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow), Amr);
    }

    public SignedEntry Signed(string serial) => EntrySigner.Sign(LicenseEntry(serial), Amr);

    public byte[] ValidLeaf(string serial) => CanonicalCodec.Encode(Signed(serial));

    /// <summary><paramref name="signed"/>'s fields written by hand in <paramref name="order"/> (numbers may repeat).</summary>
    public byte[] Reencode(SignedEntry signed, int[] order)
    {
        using var stream = new MemoryStream();
        foreach (var field in order)
        {
            switch (field)
            {
                case 1: Bytes(stream, 1, signed.EntryBytes); break;
                case 2: Bytes(stream, 2, signed.SignerKeyId); break;
                case 3: Varint(stream, 3 << 3); Varint(stream, (ulong)signed.Algorithm); break;
                default: Bytes(stream, 4, signed.Signature); break;
            }
        }
        return stream.ToArray();
    }

    private static void Bytes(MemoryStream stream, int field, byte[] value)
    {
        Varint(stream, (ulong)(field << 3 | 2));
        Varint(stream, (ulong)value.Length);
        stream.Write(value);
    }

    private static void Varint(MemoryStream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }

    /// <summary>Submits a valid entry with the <c>authorization</c> header given (none when null), not the client's own.</summary>
    public async Task SubmitWithHeader(string? header)
    {
        using var anonymous = Node.Anonymous();
        var headers = new Metadata();
        if (header is not null) headers.Add(CallCredential.Header, header);
        await anonymous.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = ValidLeaf("H" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant()) },
            new CallContext(new CallOptions(headers, deadline: DateTime.UtcNow.AddSeconds(30))));
    }

    public async Task Offer(string note, int proofHashes = 0)
    {
        using var op = Node.Client("operator");
        var request = new AddCheckpointRequest { OldSize = 1, Note = note };
        for (var i = 0; i < proofHashes; i++) request.ConsistencyProof.Add(new byte[32]);
        await op.Witness.AddCheckpointAsync(request, op.Options());
    }

    public async Task Propose(byte[] document)
    {
        using var op = Node.Client("operator");
        await op.Network.ProposeConfigAsync(new ProposeNetworkConfigRequest { Document = document }, op.Options());
    }

    /// <summary>
    /// <see cref="State"/> once the latest checkpoint covers the whole log: an accepted entry's checkpoint may be signed
    /// up to two checkpoint intervals after its answer, so a snapshot taken earlier would see that checkpoint arrive.
    /// </summary>
    public async Task<string> SettledStateAsync()
    {
        var log = Node.Services.GetRequiredService<LogDirectory>().Own;
        await Eventually.HoldsAsync(() => log.Store.GetLatestCheckpoint()?.Size == log.Size, "the latest checkpoint covers the log");
        return State();
    }

    /// <summary>What a refused input must leave as it was: the own log (size, root, latest checkpoint) and the witness state.</summary>
    public string State()
    {
        var log = Node.Services.GetRequiredService<LogDirectory>().Own;
        var witness = Node.Services.GetRequiredService<WitnessState>();
        var text = new StringBuilder();
        text.Append(log.Size).Append(' ').Append(Convert.ToBase64String(log.RootAt(log.Size)));
        text.Append(' ').Append(log.Store.GetLatestCheckpoint()?.Size);
        text.Append(" cosigned=").Append(witness.ListCosigned().Count).Append(" equivocations=").Append(witness.ListEquivocations().Count)
            .Append(" quarantines=").Append(witness.ListQuarantines().Count);
        return text.ToString();
    }
}
