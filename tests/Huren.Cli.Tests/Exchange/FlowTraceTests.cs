using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Huren.Schemas.Bodies;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using static Huren.Cli.Tests.Exchange.ExchangeNetwork;

namespace Huren.Cli.Tests.Exchange;

/// <summary>
/// Re-sharing and flow tracing across three node processes (issue 11 items 4 and 5): Changsha shares a record with
/// Zhuzhou, Zhuzhou's department re-shares it to Xiangtan through a share entry referencing its receipt, Xiangtan
/// receives it; the ledger refuses re-shares that break the rule; 'trace --flows' and 'audit flows' follow the chain.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FlowNetworkCollection : ICollectionFixture<ExchangeNetwork>
{
    /// <summary>Its own three node processes: the exchange collection stops Xiangtan's node, which this chain needs.</summary>
    public const string Name = "flow network";
}

[Collection(FlowNetworkCollection.Name)]
public sealed class FlowTraceTests(ExchangeNetwork net)
{
    private static string NewId(string city, string tag) => $"{city}-{tag}-{Guid.NewGuid():N}"[..30];

    private DataShared Onward(DataShared original, string shareId, string purpose, params string[] fields) => new()
    {
        ShareId = shareId, ProviderCode = Code(Zhuzhou), ProviderName = "株洲市市场监督管理局", ConsumerCode = Code(Xiangtan), ConsumerName = "湘潭市市场监督管理局",
        ConsumerOrigin = Origin(Xiangtan), ResourceId = original.ResourceId, RecordId = original.RecordId, Fields = [.. fields],
        PayloadDigest = SharePayload.Digest(Salt, Parts), DigestAlgorithm = original.DigestAlgorithm, Purpose = purpose, MatterCode = original.MatterCode,
        LegalBasis = original.LegalBasis, SharingType = original.SharingType, ExpiresOn = original.ExpiresOn, RecordCount = 1,
    };

    private static readonly byte[] Salt = new byte[32];

    private static readonly List<SharePart> Parts = [new SharePart { Name = SharePayload.FieldsPart, Length = 3, Sha256 = Digests.Sha256("{ }"u8.ToArray()) }];

    [Fact]
    public async Task A_reshare_references_its_receipt_keeps_the_purpose_and_trace_and_audit_follow_the_chain_across_three_cities()
    {
        // Changsha → Zhuzhou.
        using var zhuzhou = net.Session(Zhuzhou);
        var first = new ShareRequest
        {
            ShareId = NewId(Zhuzhou, "fl"), ConsumerIssuerId = $"{Zhuzhou}-amr", ConsumerCode = Code(Zhuzhou), ConsumerName = "市场监督管理局",
            ConsumerOrigin = Origin(Zhuzhou), ProviderOrigin = Origin(Changsha), ResourceCode = "R-OPEN", RecordId = TheRecord,
            Fields = ["住所", "document"], Purpose = Purpose, MatterCode = "430200-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
        };
        var shared = await zhuzhou.Client.RequestShareAsync(first, zhuzhou.Key);
        Assert.Equal(ExchangeStatus.Shared, shared.Status);
        var receipt = await zhuzhou.Client.RecordReceiptAsync(shared, $"{Zhuzhou}-amr", zhuzhou.Key);
        var (_, original) = Huren.Sdk.Client.HurenClient.ReadShare(shared);

        // Re-shares that break the rule are refused by Zhuzhou's node, each with its reason.
        var refusals = new List<(DataShared Body, SubmitResponse Receipt, string Reason)>
        {
            (Onward(original, NewId(Zhuzhou, "rs"), "其他用途", "住所"), receipt, "purpose limitation"),
            (Onward(original, NewId(Zhuzhou, "rs"), Purpose, "法定代表人"), receipt, "'法定代表人' was not in share"),
            (Onward(original, NewId(Zhuzhou, "rs"), Purpose, "住所"), new SubmitResponse { Origin = receipt.Origin, Index = receipt.Index, LeafHash = new byte[32] }, "does not exist"),
        };
        using var zhuzhouAuditor = net.Session(Zhuzhou, "auditor");
        var registration = await FirstEntryOfAsync(zhuzhouAuditor, "issuer.register", $"{Zhuzhou}-amr");
        refusals.Add((Onward(original, NewId(Zhuzhou, "rs"), Purpose, "住所"), registration, "not receipt"));
        var sizeBefore = (await zhuzhou.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), zhuzhou.Options())).Size;
        foreach (var (body, via, reason) in refusals)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RecordReshareAsync(via, body, $"{Zhuzhou}-amr", zhuzhou.Key));
            Assert.True(refused.Status.Detail.Contains(reason, StringComparison.Ordinal), $"expected '{reason}' in: {refused.Status.Detail}");
            Assert.True(refused.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.InvalidArgument, refused.Status.ToString());
        }

        // A "re-share" whose receipt reference names another city's log (here the share itself, in Changsha's log).
        var elsewhereId = NewId(Zhuzhou, "rs");
        var elsewhere = Huren.Schemas.Envelope.Entry.Create(Huren.Schemas.Envelope.EntryKinds.Share, Origin(Zhuzhou), elsewhereId, $"{Zhuzhou}-amr", Onward(original, elsewhereId, Purpose, "住所"), DateTimeOffset.UtcNow,
            new Huren.Schemas.Envelope.EntryReference { Origin = Origin(Changsha), Index = shared.Entry!.Index, LeafHash = Huren.Sdk.Merkle.MerkleHash.LeafHash(shared.Entry.Leaf).ToArray(), Relation = Huren.Schemas.Envelope.Relations.Receipt });
        var notHere = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(elsewhere, zhuzhou.Key) }, zhuzhou.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, notHere.StatusCode);
        Assert.Contains("must name the receipt of the data it shares on in", notHere.Status.Detail);

        // Zhuzhou → Xiangtan, within the rule: one field of two, the same purpose.
        var reshare = Onward(original, NewId(Zhuzhou, "rs"), Purpose, "住所");
        var onward = await zhuzhou.Client.RecordReshareAsync(receipt, reshare, $"{Zhuzhou}-amr", zhuzhou.Key);
        Assert.Equal(Origin(Zhuzhou), onward.Origin);
        Assert.True(onward.Index >= sizeBefore);
        using var xiangtan = net.Session(Xiangtan);
        var onwardLeaf = (await zhuzhou.Client.Ledger.GetEntryAsync(new GetEntryRequest { Index = onward.Index }, zhuzhou.Options())).Leaf;
        var asShared = new ShareRequestResponse { Status = ExchangeStatus.Shared, Entry = new LogEntry { Origin = Origin(Zhuzhou), Index = onward.Index, Leaf = onwardLeaf }, Salt = Salt };
        asShared.Parts.AddRange(Parts);
        var received = await xiangtan.Client.RecordReceiptAsync(asShared, $"{Xiangtan}-amr", xiangtan.Key);
        Assert.Equal(Origin(Xiangtan), received.Origin);
        await net.WaitUntilMirroredAsync(Changsha, Origin(Xiangtan));
        await net.WaitUntilMirroredAsync(Changsha, Origin(Zhuzhou));

        // trace --flows, asked of Changsha's node: issued/shared → received in Zhuzhou → re-shared → received in Xiangtan.
        var (code, json, error) = await net.RunAsync("trace", TheRecord, "--flows", "--json", "--city", Changsha, "--as", "auditor");
        Assert.True(code is 0 or 1, error + json);
        var (_, again, _) = await net.RunAsync("trace", TheRecord, "--flows", "--json", "--city", Changsha, "--as", "auditor");
        Assert.Equal(json, again);
        var document = JsonDocument.Parse(json).RootElement;
        Assert.Equal("huren-flows/v1", document.GetProperty("format").GetString());
        var root = document.GetProperty("shares").EnumerateArray().Single(s => s.GetProperty("shareId").GetString() == first.ShareId);
        Assert.Equal(Origin(Changsha), root.GetProperty("origin").GetString());
        Assert.Equal(Purpose, root.GetProperty("purpose").GetString());
        Assert.Equal(Origin(Zhuzhou), root.GetProperty("receipt").GetProperty("origin").GetString());
        Assert.Equal(receipt.Index, root.GetProperty("receipt").GetProperty("index").GetUInt64());
        var child = root.GetProperty("reshares").EnumerateArray().Single();
        Assert.Equal(reshare.ShareId, child.GetProperty("shareId").GetString());
        Assert.Equal(Origin(Zhuzhou), child.GetProperty("origin").GetString());
        Assert.Equal($"{Origin(Zhuzhou)}#{receipt.Index}", child.GetProperty("reshareOf").GetString());
        Assert.Equal(Origin(Xiangtan), child.GetProperty("receipt").GetProperty("origin").GetString());
        Assert.Equal("", child.GetProperty("fault").GetString());
        Assert.Empty(child.GetProperty("reshares").EnumerateArray());
        // The re-share is not listed again at the top level.
        Assert.DoesNotContain(document.GetProperty("shares").EnumerateArray(), s => s.GetProperty("shareId").GetString() == reshare.ShareId);

        var (_, tree, _) = await net.RunAsync("trace", TheRecord, "--flows", "--city", Changsha, "--as", "auditor");
        Assert.Contains($"re-shared by {Code(Zhuzhou)} ({Zhuzhou}) to {Code(Xiangtan)} ({Xiangtan}) for {Purpose}", tree);
        Assert.Contains($"received in {Origin(Xiangtan)} #{received.Index}", tree);

        var (dotCode, dot, dotError) = await net.RunAsync("trace", TheRecord, "--flows", "--dot", "--city", Changsha, "--as", "auditor");
        Assert.True(dotCode is 0 or 1, dotError);
        Assert.StartsWith("digraph flows {", dot);
        Assert.Contains($"\"{Origin(Zhuzhou)}#{receipt.Index}\" -> \"{Origin(Zhuzhou)}#{onward.Index}\"", dot);
        Assert.Contains($"\"{Origin(Zhuzhou)}#{onward.Index}\" -> \"{Origin(Xiangtan)}#{received.Index}\"", dot);
        var svg = await RenderAsync(dot);
        Assert.Contains("<svg", svg);

        // audit flows: the re-share's row names the receipt it rests on, with no fault.
        var (_, auditJson, auditError) = await net.RunAsync("audit", "flows", "--record", TheRecord, "--json", "--city", Changsha);
        var rows = JsonDocument.Parse(auditJson).RootElement.GetProperty("flows").EnumerateArray().ToList();
        var row = rows.Single(r => r.GetProperty("share_id").GetString() == reshare.ShareId);
        Assert.Equal($"{Origin(Zhuzhou)}#{receipt.Index}", row.GetProperty("reshare_of").GetString());
        Assert.Equal(Origin(Xiangtan), row.GetProperty("consumer_origin").GetString());
        Assert.Equal(received.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), row.GetProperty("receipt_index").GetString());
        Assert.Equal("", row.GetProperty("fault").GetString());
        Assert.Equal("", rows.Single(r => r.GetProperty("share_id").GetString() == first.ShareId).GetProperty("reshare_of").GetString());
    }

    private static async Task<SubmitResponse> FirstEntryOfAsync(Huren.Cli.Commands.NodeSession session, string kind, string recordId)
    {
        var traced = await session.Client.Trace.TraceAsync(new TraceRequest { RecordId = recordId }, session.Options());
        var e = traced.Entries.First(x => x.Origin == session.Origin && LeafReader.Read(x.Leaf).Entry.Kind == kind);
        return new SubmitResponse { Origin = e.Origin, Index = e.Index, LeafHash = Huren.Sdk.Merkle.MerkleHash.LeafHash(e.Leaf).ToArray() };
    }

    /// <summary>Renders DOT with Graphviz (installed on the test machines) and returns the SVG; the process is stopped if it hangs.</summary>
    private static async Task<string> RenderAsync(string dot)
    {
        using var process = Process.Start(new ProcessStartInfo("dot", "-Tsvg") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.StandardInput.WriteAsync(dot);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"dot -Tsvg refused the graph: {await error}");
        return await output;
    }
}
