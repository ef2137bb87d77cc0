using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Xunit.Abstractions;
using static Huren.Cli.Tests.Exchange.ExchangeNetwork;

namespace Huren.Cli.Tests.Exchange;

/// <summary>
/// Cross-city exchange over three node processes: Zhuzhou's market regulator asks its own node for a Changsha record;
/// Changsha's node checks its catalogue, records a share (or a refusal) and streams the minimised data; Zhuzhou's node
/// checks it against the share entry and releases it only after the department's receipt is in Zhuzhou's log.
/// </summary>
[Collection(ExchangeNetworkCollection.Name)]
public sealed class ExchangeTests(ExchangeNetwork net, ITestOutputHelper output)
{
    private static ShareRequest Ask(string from, string resource, string record, string purpose = Purpose, params string[] fields) => new()
    {
        ShareId = $"{from}-req-{Guid.NewGuid():N}"[..30],
        ConsumerIssuerId = $"{from}-amr", ConsumerCode = Code(from), ConsumerName = "市场监督管理局", ConsumerOrigin = Origin(from),
        ProviderOrigin = Origin(resource.StartsWith('X') ? Xiangtan : Changsha), ResourceCode = resource, RecordId = record,
        Fields = fields.Length == 0 ? ["住所", "document"] : [.. fields], Purpose = purpose, MatterCode = "430200-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
    };

    private async Task<(Entry Entry, T Body)> ProviderEntryAsync<T>(string city, ulong index) where T : class
    {
        using var auditor = net.Session(city, "auditor");
        var leaf = (await auditor.Client.Ledger.GetEntryAsync(new GetEntryRequest { Index = index }, auditor.Options())).Leaf;
        var entry = LeafReader.Read(leaf).Entry;
        return (entry, CanonicalCodec.Decode<T>(entry.Body));
    }

    [Fact]
    public async Task An_unconditional_exchange_shares_only_the_fields_asked_for_and_releases_them_after_the_receipt()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        var asked = Ask(Zhuzhou, "R-OPEN", TheRecord);
        var shared = await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key);
        Assert.Equal(ExchangeStatus.Shared, shared.Status);
        Assert.Equal(["fields.json", "document"], shared.Parts.Select(p => p.Name));

        var (entry, share) = await ProviderEntryAsync<DataShared>(Changsha, shared.Entry!.Index);
        Assert.Equal(EntryKinds.Share, entry.Kind);
        Assert.Equal($"{Changsha}-amr", entry.IssuerId);
        Assert.Equal(["住所", "document"], share.Fields);
        Assert.Equal(TheRecord, share.RecordId);
        Assert.Equal(Origin(Zhuzhou), share.ConsumerOrigin);
        Assert.Equal(SharePayload.Digest(shared.Salt, shared.Parts), share.PayloadDigest);

        // Nothing is released before the receipt.
        var early = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.FetchSharedAsync(shared, "fields.json", new MemoryStream()));
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Contains("released only after the department's receipt", early.Status.Detail);

        var receipt = await zhuzhou.Client.RecordReceiptAsync(shared, $"{Zhuzhou}-amr", zhuzhou.Key);
        Assert.Equal(Origin(Zhuzhou), receipt.Origin);
        var fields = new MemoryStream();
        await zhuzhou.Client.FetchSharedAsync(shared, "fields.json", fields);
        var json = JsonDocument.Parse(fields.ToArray()).RootElement;
        Assert.Equal(Address, json.GetProperty("住所").GetString());
        Assert.False(json.TryGetProperty("法定代表人", out _), "a field not asked for was sent");
        Assert.False(json.TryGetProperty("类型", out _), "a field not asked for was sent");
        var document = new MemoryStream();
        await zhuzhou.Client.FetchSharedAsync(shared, "document", document);
        Assert.Equal(net.Document, document.ToArray());

        // Another department of Zhuzhou cannot take it.
        using var other = net.Session(Zhuzhou, "seals");
        var denied = await Assert.ThrowsAsync<RpcException>(() => other.Client.FetchSharedAsync(shared, "document", new MemoryStream()));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        // The audit of Zhuzhou's log reads each receipt's share from Changsha's log with a proof and finds it matches.
        var (code, output, error) = await net.RunAsync("audit", "log", Zhuzhou, "--city", Zhuzhou, "--json");
        Assert.True(code == 0, error + output);
        var audit = JsonDocument.Parse(output).RootElement;
        Assert.True(audit.GetProperty("ok").GetBoolean(), output);
        Assert.True(audit.GetProperty("entries").GetUInt64() > receipt.Index);
        Assert.True(audit.GetProperty("receiptsChecked").GetUInt64() >= 1, output);
        Assert.Equal(audit.GetProperty("entriesByKind").GetProperty("receipt").GetUInt64(), audit.GetProperty("receiptsChecked").GetUInt64());
    }

    /// <summary>
    /// Changsha's node crashes just after the share entry, before any data (test hook: it kills itself), and is started
    /// again: asked again under the same share id, it sends that share — the same entry, salt and data — and writes no
    /// second one.
    /// </summary>
    [Fact]
    public async Task A_share_cut_off_by_the_providers_crash_is_sent_again_after_its_restart()
    {
        using (var changsha = net.Session(Changsha))
        {
            var fields = await changsha.Client.PutContentAsync(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"住所\":\"{Address}\",\"类型\":\"有限责任公司\"}}")));
            var document = await changsha.Client.PutContentAsync(new MemoryStream(net.Document));
            await changsha.Client.Content.PutRecordAsync(new RecordDataRequest
            {
                ResourceCode = "R-OPEN", RecordId = CrashRecord, FieldsSha256 = fields.Sha256,
                Files = { new RecordFile { Name = "document", Sha256 = document.Sha256, MediaType = "application/ofd" } },
            }, changsha.Options());
        }
        var asked = Ask(Zhuzhou, "R-OPEN", CrashRecord);
        using (var zhuzhou = net.Session(Zhuzhou))
        {
            var cut = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key));
            Assert.Equal(StatusCode.Unavailable, cut.StatusCode);
            Assert.Contains(Origin(Changsha), cut.Status.Detail);
        }
        await net.RestartAsync(Changsha);
        var made = Assert.Single(await ShareEntriesAsync(asked.ShareId));

        using (var zhuzhou = net.Session(Zhuzhou))
        {
            // The same id asking for something else is another request: refused, not answered with this share. Asked
            // until Zhuzhou's node reaches the restarted provider again (UNAVAILABLE meanwhile, on a loaded machine).
            var other = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(Differently(asked), zhuzhou.Key));
            for (var deadline = DateTime.UtcNow.AddSeconds(60); other.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(200);
                other = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(Differently(asked), zhuzhou.Key));
            }
            Assert.True(other.StatusCode == StatusCode.AlreadyExists, other.Status.ToString());
            Assert.Contains("for another request", other.Status.Detail);

            var shared = await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key);
            Assert.Equal(ExchangeStatus.Shared, shared.Status);
            Assert.Equal(made, shared.Entry!.Index);
            var (_, share) = await ProviderEntryAsync<DataShared>(Changsha, made);
            Assert.Equal(SharePayload.Digest(shared.Salt, shared.Parts), share.PayloadDigest);
            await zhuzhou.Client.RecordReceiptAsync(shared, $"{Zhuzhou}-amr", zhuzhou.Key);
            var json = new MemoryStream();
            await zhuzhou.Client.FetchSharedAsync(shared, "fields.json", json);
            Assert.Equal(Address, JsonDocument.Parse(json.ToArray()).RootElement.GetProperty("住所").GetString());
            var document = new MemoryStream();
            await zhuzhou.Client.FetchSharedAsync(shared, "document", document);
            Assert.Equal(net.Document, document.ToArray());

            // Once held, the same id asking for something else is refused by Zhuzhou's node too.
            var otherAgain = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(Differently(asked), zhuzhou.Key));
            Assert.Equal(StatusCode.AlreadyExists, otherAgain.StatusCode);
            Assert.Contains("made for another request", otherAgain.Status.Detail);
        }
        Assert.Equal([made], await ShareEntriesAsync(asked.ShareId));
    }

    /// <summary><paramref name="asked"/> under its share id, for one data item fewer.</summary>
    private static ShareRequest Differently(ShareRequest asked) => new()
    {
        ShareId = asked.ShareId, ConsumerIssuerId = asked.ConsumerIssuerId, ConsumerCode = asked.ConsumerCode, ConsumerName = asked.ConsumerName,
        ConsumerOrigin = asked.ConsumerOrigin, ProviderOrigin = asked.ProviderOrigin, ResourceCode = asked.ResourceCode, RecordId = asked.RecordId,
        Fields = [asked.Fields[0]], Purpose = asked.Purpose, MatterCode = asked.MatterCode, LegalBasis = asked.LegalBasis,
    };

    /// <summary>The indexes of the share entries recorded under <paramref name="shareId"/> in Changsha's log.</summary>
    private async Task<List<ulong>> ShareEntriesAsync(string shareId)
    {
        using var auditor = net.Session(Changsha, "auditor");
        var trace = await auditor.Client.Trace.TraceAsync(new TraceRequest { RecordId = shareId }, auditor.Options());
        return [.. trace.Entries.Where(e => e.Origin == Origin(Changsha) && LeafReader.Read(e.Leaf).Entry.Kind == EntryKinds.Share).Select(e => e.Index)];
    }

    [Fact]
    public async Task A_conditional_exchange_waits_for_the_providers_approval_then_completes()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        var asked = Ask(Zhuzhou, "R-COND", TheRecord, Purpose, "法定代表人");
        var first = await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key);
        Assert.Equal(ExchangeStatus.Pending, first.Status);
        Assert.Contains("有条件共享", first.Reason);

        await ApproveAsync(asked.ShareId);

        var second = await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key);
        Assert.Equal(ExchangeStatus.Shared, second.Status);
        var (_, share) = await ProviderEntryAsync<DataShared>(Changsha, second.Entry!.Index);
        Assert.Equal(SharingType.Conditional, share.SharingType);
        Assert.NotEmpty(share.ApprovalId);
        await zhuzhou.Client.RecordReceiptAsync(second, $"{Zhuzhou}-amr", zhuzhou.Key);
        var fields = new MemoryStream();
        await zhuzhou.Client.FetchSharedAsync(second, "fields.json", fields);
        Assert.Equal(Representative, JsonDocument.Parse(fields.ToArray()).RootElement.GetProperty("法定代表人").GetString());
    }

    [Fact]
    public async Task A_department_cannot_publish_data_under_another_departments_resource()
    {
        using var seals = net.Session(Changsha, "seals");
        var forged = await seals.Client.PutContentAsync(new MemoryStream("{\"住所\":\"伪造的住所\"}"u8.ToArray()));
        foreach (var record in new[] { TheRecord, "430100-LIC-FORGED" })
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await seals.Client.Content.PutRecordAsync(
                new RecordDataRequest { ResourceCode = "R-OPEN", RecordId = record, FieldsSha256 = forged.Sha256 }, seals.Options()));
            Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
            Assert.Contains($"catalogue resource R-OPEN is {Changsha}-amr's", ex.Status.Detail);
        }
    }

    [Fact]
    public async Task A_request_the_catalogue_refuses_under_a_pending_requests_id_neither_refuses_nor_removes_it()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        var asked = Ask(Zhuzhou, "R-COND", TheRecord, Purpose, "住所");
        Assert.Equal(ExchangeStatus.Pending, (await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key)).Status);
        using var auditor = net.Session(Changsha, "auditor");
        var before = (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size;

        var otherPurpose = Ask(Zhuzhou, "R-COND", TheRecord, "其他用途", "住所");
        otherPurpose.ShareId = asked.ShareId;
        var ex = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(otherPurpose, zhuzhou.Key));
        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Contains($"another request is pending under share id {asked.ShareId}", ex.Status.Detail, StringComparison.Ordinal);

        // No refusal entry was written, and the first request still waits for the department's decision.
        Assert.Equal(before, (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size);
        using var changsha = net.Session(Changsha);
        var pending = await changsha.Client.Exchange.ListPendingAsync(new PendingRequestsRequest(), changsha.Options());
        Assert.Contains(pending.Requests, r => ShareRequestSigner.Read(r)!.ShareId == asked.ShareId);
    }

    [Fact]
    public async Task Record_ids_put_under_a_resource_before_it_is_published_do_not_bind_its_department()
    {
        // Another department of Changsha puts data under a code nobody has published yet…
        using var seals = net.Session(Changsha, "seals");
        var squat = await seals.Client.PutContentAsync(new MemoryStream("{\"住所\":\"抢注\"}"u8.ToArray()));
        await seals.Client.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = "R-LATER", RecordId = TheRecord, FieldsSha256 = squat.Sha256 }, seals.Options());
        // …then the market regulator publishes that resource and its own record under the same id: it replaces the claim.
        await net.PublishAsync(Changsha, "R-LATER", SharingType.Unconditional);
        using var changsha = net.Session(Changsha);
        var fields = await changsha.Client.PutContentAsync(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"住所\":\"{Address}\"}}")));
        var answer = await changsha.Client.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = "R-LATER", RecordId = TheRecord, FieldsSha256 = fields.Sha256 }, changsha.Options());
        Assert.True(answer.Replaced);
        // Now it is the resource's: the other department can no longer put under it.
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await seals.Client.Content.PutRecordAsync(
            new RecordDataRequest { ResourceCode = "R-LATER", RecordId = TheRecord, FieldsSha256 = squat.Sha256 }, seals.Options()));
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task A_request_over_the_limits_or_signed_long_ago_is_refused_before_the_provider_looks_anything_up()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        using var auditor = net.Session(Changsha, "auditor");
        var before = (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size;
        // The same answer whether the record exists or not: nothing tells what the provider holds, and nothing is written.
        foreach (var record in new[] { TheRecord, "430100-LIC-NONE" })
        {
            var tooLong = Ask(Zhuzhou, "R-OPEN", record, Purpose, "住所");
            tooLong.LegalBasis = new string('法', 1001);
            var ex = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(tooLong, zhuzhou.Key));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Equal("legal_basis: must be at most 1000 characters, got 1001", ex.Status.Detail);
        }
        var stale = Ask(Zhuzhou, "R-OPEN", TheRecord, Purpose, "住所");
        stale.TimeUnixMs = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        var old = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(stale, zhuzhou.Key));
        Assert.Equal(StatusCode.InvalidArgument, old.StatusCode);
        Assert.Contains("time_unix_ms: the request was signed 60 min from this node's clock", old.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size);
    }

    [Theory]
    [InlineData("fields.json")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("x\\y")]
    public async Task A_file_name_that_cannot_name_a_part_of_a_share_is_refused_when_published(string name)
    {
        using var changsha = net.Session(Changsha);
        var fields = await changsha.Client.PutContentAsync(new MemoryStream("{\"住所\":\"长沙\"}"u8.ToArray()));
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await changsha.Client.Content.PutRecordAsync(new RecordDataRequest
        {
            ResourceCode = "R-OPEN", RecordId = "430100-LIC-NAMES", FieldsSha256 = fields.Sha256,
            Files = { new RecordFile { Name = name, Sha256 = fields.Sha256, MediaType = "application/json" } },
        }, changsha.Options()));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains($"files[0].name: '{name}' cannot name a part of a share", ex.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>Changsha's department approves the pending request <paramref name="shareId"/> as listed.</summary>
    private async Task<ulong> ApproveAsync(string shareId)
    {
        using var changsha = net.Session(Changsha);
        var pending = await changsha.Client.Exchange.ListPendingAsync(new PendingRequestsRequest(), changsha.Options());
        var request = pending.Requests.Select(ShareRequestSigner.Read).Single(r => r!.ShareId == shareId)!;
        var approval = new ShareDecided
        {
            ShareId = request.ShareId, Decision = ShareDecision.Approved, ProviderCode = Code(Changsha), ConsumerCode = request.ConsumerCode,
            ConsumerOrigin = request.ConsumerOrigin, ResourceCode = request.ResourceCode, RecordId = request.RecordId, Purpose = request.Purpose,
            MatterCode = request.MatterCode, Fields = [.. request.Fields], Reason = "经审核同意",
        };
        var decision = Entry.Create(EntryKinds.ShareDecision, changsha.Origin, request.ShareId, $"{Changsha}-amr", approval, DateTimeOffset.UtcNow);
        return (await changsha.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(decision, changsha.Key) }, changsha.Options())).Index;
    }

    [Fact]
    public async Task An_approval_answers_only_the_request_it_was_approved_for()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        var asked = Ask(Zhuzhou, "R-COND", TheRecord, Purpose, "住所");
        Assert.Equal(ExchangeStatus.Pending, (await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key)).Status);
        // Asked again as it was (a new time and signature), it stays pending; another request under its id is refused.
        var again = Ask(Zhuzhou, "R-COND", TheRecord, Purpose, "住所");
        again.ShareId = asked.ShareId;
        Assert.Equal(ExchangeStatus.Pending, (await zhuzhou.Client.RequestShareAsync(again, zhuzhou.Key)).Status);
        var more = Ask(Zhuzhou, "R-COND", TheRecord, Purpose, "住所", "法定代表人");
        more.ShareId = asked.ShareId;
        var taken = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(more, zhuzhou.Key));
        Assert.Equal(StatusCode.AlreadyExists, taken.StatusCode);
        Assert.Contains("another request is pending", taken.Status.Detail);

        var approvedAt = await ApproveAsync(asked.ShareId);
        // Under the approved id: more data items, a resource that is not shared, another purpose — each refused, nothing written.
        var closed = Ask(Zhuzhou, "R-CLOSED", TheRecord, Purpose, "住所");
        var otherPurpose = Ask(Zhuzhou, "R-COND", TheRecord, "其他用途", "住所");
        foreach (var (other, field) in new[] { (more, "'法定代表人' was not approved"), (closed, "is not the approved R-COND/"), (otherPurpose, "purpose '其他用途' is not the approved") })
        {
            other.ShareId = asked.ShareId;
            var ex = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(other, zhuzhou.Key));
            Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
            Assert.Contains("was approved", ex.Status.Detail);
            Assert.Contains(field, ex.Status.Detail);
        }

        // The approved request itself is shared, with what it asked for; its share is the next entry after the approval.
        var shared = await zhuzhou.Client.RequestShareAsync(again, zhuzhou.Key);
        Assert.Equal(ExchangeStatus.Shared, shared.Status);
        Assert.Equal(approvedAt + 1, shared.Entry!.Index);
        var (_, share) = await ProviderEntryAsync<DataShared>(Changsha, shared.Entry!.Index);
        Assert.Equal(["住所"], share.Fields);
    }

    [Fact]
    public async Task An_approval_does_not_share_beyond_the_catalogue()
    {
        // Changsha's department approves, unasked, a request R-OPEN's catalogue does not allow: for another purpose.
        var asked = Ask(Zhuzhou, "R-OPEN", TheRecord, "其他用途", "住所");
        using (var changsha = net.Session(Changsha))
        {
            var approval = new ShareDecided
            {
                ShareId = asked.ShareId, Decision = ShareDecision.Approved, ProviderCode = Code(Changsha), ConsumerCode = asked.ConsumerCode,
                ConsumerOrigin = asked.ConsumerOrigin, ResourceCode = asked.ResourceCode, RecordId = asked.RecordId, Purpose = asked.Purpose,
                MatterCode = asked.MatterCode, Fields = [.. asked.Fields], Reason = "经审核同意",
            };
            var decision = Entry.Create(EntryKinds.ShareDecision, changsha.Origin, asked.ShareId, $"{Changsha}-amr", approval, DateTimeOffset.UtcNow);
            await changsha.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(decision, changsha.Key) }, changsha.Options());
        }

        using var zhuzhou = net.Session(Zhuzhou);
        var ex = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key));
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("but the catalogue does not allow it: purpose '其他用途' is not allowed for resource R-OPEN", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("nothing was recorded", ex.Status.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string> Refusals => new() { "not-shared", "purpose" };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_request_is_a_refusal_entry_in_the_providers_log(string reason)
    {
        var city = Zhuzhou;
        var asked = reason == "not-shared" ? Ask(Zhuzhou, "R-CLOSED", TheRecord) : Ask(Zhuzhou, "R-OPEN", TheRecord, "其他用途");
        using var consumer = net.Session(city);
        var refused = await consumer.Client.RequestShareAsync(asked, consumer.Key);
        Assert.Equal(ExchangeStatus.Refused, refused.Status);
        Assert.Equal(reason, refused.ReasonCode);
        var (entry, decision) = await ProviderEntryAsync<ShareDecided>(Changsha, refused.Entry!.Index);
        Assert.Equal(EntryKinds.ShareDecision, entry.Kind);
        Assert.Equal(ShareDecision.Refused, decision.Decision);
        Assert.Equal(reason, decision.ReasonCode);
        Assert.Equal(asked.ShareId, decision.ShareId);
        Assert.Equal(Code(city), decision.ConsumerCode);
        output.WriteLine($"{reason}: {decision.Reason}");
        // Asked again, the same refusal is answered; no share can follow it.
        var again = await consumer.Client.RequestShareAsync(asked, consumer.Key);
        Assert.Equal(refused.Entry.Index, again.Entry!.Index);
    }

    /// <summary>
    /// Changsha's node holds as many of Zhuzhou's forwarded requests as its limit of calls in flight allows (its test
    /// hook keeps requests for one record unanswered); one more is refused there with RESOURCE_EXHAUSTED, which
    /// Zhuzhou's node answers its department as UNAVAILABLE "busy" (retryable), writing nothing on either side. Once the
    /// held requests are given up, their permits come back and a request is served again.
    /// </summary>
    [Fact]
    public async Task A_provider_full_of_a_citys_requests_is_answered_as_busy_and_nothing_is_recorded()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        using var zhuzhouAuditor = net.Session(Zhuzhou, "auditor");
        using var changshaAuditor = net.Session(Changsha, "auditor");
        async Task<(ulong Changsha, ulong Zhuzhou)> SizesAsync() => (
            (await changshaAuditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), changshaAuditor.Options())).Size,
            (await zhuzhouAuditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), zhuzhouAuditor.Options())).Size);
        var before = await SizesAsync();

        // One request more than the limit, all at once: exactly one is refused, the others are held at Changsha.
        using var giveUp = new CancellationTokenSource();
        var calls = Enumerable.Range(0, ChangshaCallLimit + 1)
            .Select(_ => zhuzhou.Client.RequestShareAsync(Ask(Zhuzhou, "R-OPEN", HeldRecord, Purpose, "住所"), zhuzhou.Key, TimeSpan.FromMinutes(5), giveUp.Token))
            .ToList();
        try
        {
            var first = await Task.WhenAny(calls).WaitAsync(TimeSpan.FromSeconds(60));
            var busy = await Assert.ThrowsAsync<RpcException>(() => first);
            Assert.Equal(StatusCode.Unavailable, busy.StatusCode);
            Assert.Contains($"the provider's node {Origin(Changsha)} is busy with this city's requests", busy.Status.Detail);
            Assert.Contains("Huren:Limits:CallsInFlightPerClient", busy.Status.Detail);
            Assert.Contains("nothing was recorded or stored here", busy.Status.Detail);
            output.WriteLine(busy.Status.Detail);
            Assert.Equal(ChangshaCallLimit, calls.Count(c => !c.IsCompleted));
            Assert.Equal(before, await SizesAsync());
        }
        finally
        {
            giveUp.Cancel();
            await Task.WhenAll(calls.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
        Assert.All(calls.Where(c => c.IsFaulted), c => Assert.IsType<RpcException>(c.Exception!.InnerException));
        Assert.Equal(before, await SizesAsync());

        // The permits come back with the calls given up (the cancellation reaches Changsha through Zhuzhou's node).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var served = await zhuzhou.Client.RequestShareAsync(Ask(Zhuzhou, "R-OPEN", TheRecord, Purpose, "住所"), zhuzhou.Key);
                Assert.Equal(ExchangeStatus.Shared, served.Status);
                break;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && ex.Status.Detail.Contains("is busy", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Xiangtan's node (with the data-altering test hook) as provider; it is stopped at the end, so one test does it all.</summary>
    [Fact]
    public async Task Xiangtan_refuses_another_city_altered_data_is_refused_with_no_receipt_and_a_provider_down_is_a_clear_error()
    {
        // Consumer city not allowed: Changsha asks for a resource only Zhuzhou may use.
        using var changsha = net.Session(Changsha);
        var notAllowed = await changsha.Client.RequestShareAsync(Ask(Changsha, "X-OPEN", "430300-LIC-1", Purpose, "住所"), changsha.Key);
        Assert.Equal(ExchangeStatus.Refused, notAllowed.Status);
        Assert.Equal("consumer", notAllowed.ReasonCode);
        var (refusalEntry, refusal) = await ProviderEntryAsync<ShareDecided>(Xiangtan, notAllowed.Entry!.Index);
        Assert.Equal(EntryKinds.ShareDecision, refusalEntry.Kind);
        Assert.Equal(Code(Changsha), refusal.ConsumerCode);
        Assert.Contains("consumer city 430100 is not allowed", refusal.Reason);

        using var zhuzhou = net.Session(Zhuzhou);
        var asked = Ask(Zhuzhou, "X-OPEN", "430300-LIC-1", Purpose, "住所");
        var ex = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key));
        Assert.Equal(StatusCode.DataLoss, ex.StatusCode);
        Assert.Contains("was refused and discarded", ex.Status.Detail);
        Assert.Contains("no receipt can be written", ex.Status.Detail);
        // Refused data is not asked for again under that share id (the provider would send its share again).
        var again = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains($"this node refused the data it received for share {asked.ShareId}", again.Status.Detail);
        // Nothing is held: fetching finds no data, and Zhuzhou's log has no receipt for it.
        var none = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in zhuzhou.Client.Exchange.FetchAsync(new FetchRequest { ProviderOrigin = Origin(Xiangtan), ShareId = asked.ShareId, Part = "fields.json" })) { }
        });
        Assert.Equal(StatusCode.NotFound, none.StatusCode);
        using var auditor = net.Session(Zhuzhou, "auditor");
        var trace = await auditor.Client.Trace.TraceAsync(new TraceRequest { RecordId = asked.ShareId }, auditor.Options());
        Assert.DoesNotContain(trace.Entries, e => e.Origin == Origin(Zhuzhou));
        // Nor can the department write one itself from Xiangtan's share entry (its node's copy of Xiangtan's log holds it):
        // a receipt says the data arrived whole, and its node refused that data.
        var shareEntry = Assert.Single(trace.Entries, e => e.Origin == Origin(Xiangtan) && LeafReader.Read(e.Leaf).Entry.Kind == EntryKinds.Share);
        var shareBody = CanonicalCodec.Decode<DataShared>(LeafReader.Read(shareEntry.Leaf).Entry.Body);
        var receiptBody = new DataReceived
        {
            ShareId = shareBody.ShareId, ProviderOrigin = shareEntry.Origin, ConsumerCode = shareBody.ConsumerCode,
            PayloadDigest = shareBody.PayloadDigest, DigestAlgorithm = shareBody.DigestAlgorithm, RecordCount = shareBody.RecordCount,
        };
        var shareReference = new EntryReference { Origin = shareEntry.Origin, Index = shareEntry.Index, LeafHash = MerkleHash.LeafHash(shareEntry.Leaf).ToArray(), Relation = Relations.Share };
        var receipt = Entry.Create(EntryKinds.Receipt, Origin(Zhuzhou), asked.ShareId, $"{Zhuzhou}-amr", receiptBody, DateTimeOffset.UtcNow, shareReference);
        var forged = await Assert.ThrowsAsync<RpcException>(async () => await zhuzhou.Client.Ledger.SubmitAsync(
            new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(receipt, zhuzhou.Key) }, zhuzhou.Options()));
        Assert.Equal(StatusCode.FailedPrecondition, forged.StatusCode);
        Assert.Contains($"this node refused the data it received for share {asked.ShareId} of {Origin(Xiangtan)}", forged.Status.Detail);

        // The provider's node stops: a clear UNAVAILABLE naming it, and nothing written at Zhuzhou.
        using (var process = Process.GetProcessById(net.Pid(Xiangtan))) { process.Kill(entireProcessTree: true); await process.WaitForExitAsync(); }
        var sizeBefore = (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size;
        var down = Ask(Zhuzhou, "X-OPEN", "430300-LIC-1", Purpose, "住所");
        var unreachable = await Assert.ThrowsAsync<RpcException>(() => zhuzhou.Client.RequestShareAsync(down, zhuzhou.Key));
        Assert.Equal(StatusCode.Unavailable, unreachable.StatusCode);
        Assert.Contains($"the provider's node {Origin(Xiangtan)}", unreachable.Status.Detail);
        Assert.Contains("nothing was recorded or stored here", unreachable.Status.Detail);
        Assert.Equal(sizeBefore, (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size);
    }

    [Fact]
    public async Task A_100_MB_file_streams_through_both_nodes_with_bounded_memory_and_no_plaintext_is_stored()
    {
        using var changsha = net.Session(Changsha);
        var path = Path.Combine(net.Dir, "big.ofd");
        var marker = Encoding.ASCII.GetBytes("HUREN-BIG-FILE-MARKER-19c2");
        using (var file = File.Create(path))
        {
            var block = new byte[1024 * 1024];
            for (var i = 0; i < 100; i++)
            {
                RandomNumberGenerator.Fill(block);
                marker.CopyTo(block, 4096);
                file.Write(block);
            }
        }
        var peakBefore = (Peak(Changsha), Peak(Zhuzhou));
        ContentPutResponse big;
        await using (var source = File.OpenRead(path)) big = await changsha.Client.PutContentAsync(source);
        var fields = await changsha.Client.PutContentAsync(new MemoryStream("{\"住所\":\"湖南省长沙市天心区\"}"u8.ToArray()));
        await changsha.Client.Content.PutRecordAsync(new RecordDataRequest
        {
            ResourceCode = "R-OPEN", RecordId = "430100-LIC-BIG", FieldsSha256 = fields.Sha256, Files = { new RecordFile { Name = "document", Sha256 = big.Sha256 } },
        }, changsha.Options());

        using var zhuzhou = net.Session(Zhuzhou);
        var clock = Stopwatch.StartNew();
        var shared = await zhuzhou.Client.RequestShareAsync(Ask(Zhuzhou, "R-OPEN", "430100-LIC-BIG", Purpose, "document"), zhuzhou.Key);
        var transfer = clock.Elapsed;
        await zhuzhou.Client.RecordReceiptAsync(shared, $"{Zhuzhou}-amr", zhuzhou.Key);
        var copy = Path.Combine(net.Dir, "big-received.ofd");
        await using (var target = File.Create(copy)) await zhuzhou.Client.FetchSharedAsync(shared, "document", target);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(path)), SHA256.HashData(File.ReadAllBytes(copy)));
        var peakAfter = (Peak(Changsha), Peak(Zhuzhou));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"100 MiB node to node in {transfer.TotalSeconds:F1} s; peak working set (VmHWM) Changsha {peakBefore.Item1 / 1048576} → {peakAfter.Item1 / 1048576} MiB, Zhuzhou {peakBefore.Item2 / 1048576} → {peakAfter.Item2 / 1048576} MiB"));
        // Holding the file whole would add at least 100 MiB to a node's peak; streaming adds a few chunks' worth.
        Assert.True(peakAfter.Item1 - peakBefore.Item1 < 64L * 1048576, $"Changsha's peak grew by {(peakAfter.Item1 - peakBefore.Item1) / 1048576} MiB");
        Assert.True(peakAfter.Item2 - peakBefore.Item2 < 64L * 1048576, $"Zhuzhou's peak grew by {(peakAfter.Item2 - peakBefore.Item2) / 1048576} MiB");

        // Every leaf of both logs and every file of both content stores and databases: no field value, no file bytes.
        var needles = new[] { Encoding.UTF8.GetBytes(Address), Encoding.UTF8.GetBytes(Representative), Encoding.UTF8.GetBytes("湖南省长沙市天心区"), marker, "HUREN-DOCUMENT-MARKER-7f3a"u8.ToArray(), File.ReadAllBytes(path)[..64] };
        var scanned = 0;
        foreach (var city in new[] { Changsha, Zhuzhou })
        {
            using var auditor = net.Session(city, "auditor");
            foreach (var origin in new[] { Origin(Changsha), Origin(Zhuzhou) })
            {
                var size = (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, auditor.Options())).Size;
                for (ulong from = 0; from < size;)
                {
                    var page = await auditor.Client.Ledger.GetEntriesAsync(new GetEntriesRequest { Origin = origin, Start = from, Count = 100 }, auditor.Options());
                    Assert.NotEmpty(page.Entries);
                    from = page.Entries[^1].Index + 1;
                    foreach (var e in page.Entries)
                    {
                        foreach (var needle in needles) Assert.True(e.Leaf.AsSpan().IndexOf(needle) < 0, $"entry {e.Index} of {origin} holds plaintext");
                        scanned++;
                    }
                }
            }
            // The content store's files and the database's (WAL, tables), where small objects such as the fields JSON are kept.
            var stored = Directory.EnumerateFiles(Path.Combine(net.CityDir(city), "content"), "*", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(Path.Combine(net.CityDir(city), "data"), "*", SearchOption.AllDirectories));
            foreach (var file in stored)
            {
                var bytes = File.ReadAllBytes(file);
                foreach (var needle in needles) Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} holds plaintext");
                scanned++;
            }
        }
        output.WriteLine($"scanned {scanned} leaves and files");
    }

    /// <summary>A node process's peak resident set (VmHWM), in bytes.</summary>
    private long Peak(string city)
    {
        foreach (var line in File.ReadLines($"/proc/{net.Pid(city)}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException("no VmHWM");
    }
}

/// <summary>The exchange as a user drives it with the CLI: data put, catalog list at another city, share request to a folder.</summary>
[Collection(ExchangeNetworkCollection.Name)]
public sealed class ExchangeCommandsTests(ExchangeNetwork net)
{
    [Fact]
    public async Task Data_put_catalog_list_and_share_request_work_from_the_command_line()
    {
        var fields = Path.Combine(net.Dir, "cli-fields.json");
        await File.WriteAllTextAsync(fields, "{\"住所\":\"湖南省长沙市开福区\",\"类型\":\"股份有限公司\"}");
        var document = Path.Combine(net.Dir, "cli-document.ofd");
        await File.WriteAllBytesAsync(document, RandomNumberGenerator.GetBytes(700_000));
        var (code, stdout, stderr) = await net.RunAsync("data", "put", "430100-LIC-CLI", "--resource", "R-OPEN", "--fields", fields, "--file", $"document={document}", "--city", Changsha, "--as", "amr", "--json");
        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(["住所", "类型"], JsonDocument.Parse(stdout).RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));

        (code, stdout, stderr) = await net.RunAsync("catalog", "list", "--city", Zhuzhou, "--json");
        Assert.True(code == 0, stderr + stdout);
        var resources = JsonDocument.Parse(stdout).RootElement.GetProperty("resources").EnumerateArray().ToList();
        Assert.Contains(resources, r => r.GetProperty("resourceCode").GetString() == "R-CLOSED" && r.GetProperty("sharingType").GetString() == "不予共享" && r.GetProperty("origin").GetString() == Origin(Changsha));
        Assert.Contains(resources, r => r.GetProperty("resourceCode").GetString() == "X-OPEN" && r.GetProperty("origin").GetString() == Origin(Xiangtan));

        var folder = Path.Combine(net.Dir, "cli-received");
        (code, stdout, stderr) = await net.RunAsync("share", "request", "--provider", Changsha, "--resource", "R-OPEN", "--record", "430100-LIC-CLI", "--field", "类型", "--field", "document",
            "--purpose", Purpose, "--matter-code", "430200-QT-0001", "--legal-basis", "《政务数据共享条例》", "--out", folder, "--city", Zhuzhou, "--as", "amr", "--json");
        Assert.True(code == 0, stderr + stdout);
        Assert.Equal("shared", JsonDocument.Parse(stdout).RootElement.GetProperty("status").GetString());
        Assert.Contains("100%", stderr);
        Assert.Equal(await File.ReadAllBytesAsync(document), await File.ReadAllBytesAsync(Path.Combine(folder, "document")));
        Assert.Equal("股份有限公司", JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "fields.json"))).RootElement.GetProperty("类型").GetString());

        (code, stdout, _) = await net.RunAsync("share", "request", "--provider", Changsha, "--resource", "R-CLOSED", "--record", "430100-LIC-CLI", "--field", "类型",
            "--purpose", Purpose, "--legal-basis", "《政务数据共享条例》", "--out", folder, "--city", Zhuzhou, "--as", "amr");
        Assert.Equal(1, code);
        Assert.Contains("refused (not-shared)", stdout);
    }

    [Fact]
    public async Task A_conditional_request_is_listed_approved_or_refused_by_the_department_from_the_command_line()
    {
        string[] Ask(string id, string folder) => ["share", "request", "--provider", Changsha, "--resource", "R-COND", "--record", TheRecord, "--field", "住所",
            "--purpose", Purpose, "--legal-basis", "《政务数据共享条例》", "--out", folder, "--id", id, "--city", Zhuzhou, "--as", "amr"];
        var approved = $"430200-cli-{Guid.NewGuid():N}"[..24];
        var refused = $"430200-cli-{Guid.NewGuid():N}"[..24];
        var folder = Path.Combine(net.Dir, "cli-cond");
        var (code, stdout, stderr) = await net.RunAsync(Ask(approved, folder));
        Assert.True(code == 1, stderr + stdout);
        Assert.Contains("pending", stdout);
        (code, _, _) = await net.RunAsync(Ask(refused, folder));
        Assert.Equal(1, code);

        (code, stdout, stderr) = await net.RunAsync("share", "list", "--city", Changsha, "--as", "amr", "--json");
        Assert.True(code == 0, stderr + stdout);
        var ids = JsonDocument.Parse(stdout).RootElement.GetProperty("pending").EnumerateArray().Select(p => p.GetProperty("shareId").GetString()).ToList();
        Assert.Contains(approved, ids);
        Assert.Contains(refused, ids);

        (code, stdout, stderr) = await net.RunAsync("share", "approve", approved, "--city", Changsha, "--as", "amr");
        Assert.True(code == 0, stderr + stdout);
        (code, stdout, stderr) = await net.RunAsync("share", "refuse", refused, "--reason", "材料不全", "--city", Changsha, "--as", "amr");
        Assert.True(code == 0, stderr + stdout);
        (code, _, stderr) = await net.RunAsync("share", "refuse", "no-such-request", "--reason", "x", "--city", Changsha, "--as", "amr");
        Assert.Equal(2, code);
        Assert.Contains("no pending request no-such-request", stderr);

        (code, stdout, stderr) = await net.RunAsync(Ask(approved, folder));
        Assert.True(code == 0, stderr + stdout);
        Assert.Equal("湖南省长沙市岳麓区麓谷大道1号", JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "fields.json"))).RootElement.GetProperty("住所").GetString());
        (code, stdout, _) = await net.RunAsync(Ask(refused, folder));
        Assert.Equal(1, code);
        Assert.Contains("refused (reviewed): 材料不全", stdout);
    }

    [Fact]
    public async Task Audit_flows_joins_shares_with_receipts_and_reports_a_share_without_receipt()
    {
        var record = "430100-LIC-FLOW";
        using var changsha = net.Session(Changsha);
        var fields = await changsha.Client.PutContentAsync(new MemoryStream("{\"住所\":\"湖南省长沙市雨花区\"}"u8.ToArray()));
        await changsha.Client.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = "R-OPEN", RecordId = record, FieldsSha256 = fields.Sha256 }, changsha.Options());
        var folder = Path.Combine(net.Dir, "cli-flow");
        var (code, stdout, stderr) = await net.RunAsync("share", "request", "--provider", Changsha, "--resource", "R-OPEN", "--record", record, "--field", "住所",
            "--purpose", Purpose, "--legal-basis", "《政务数据共享条例》", "--out", folder, "--city", Zhuzhou, "--as", "amr");
        Assert.True(code == 0, stderr + stdout);
        // A second share of the record whose receipt is never written.
        using var zhuzhou = net.Session(Zhuzhou);
        var unreceipted = await zhuzhou.Client.RequestShareAsync(new ShareRequest
        {
            ShareId = $"430200-noreceipt-{Guid.NewGuid():N}"[..30], ConsumerIssuerId = $"{Zhuzhou}-amr", ConsumerCode = Code(Zhuzhou), ConsumerName = "市场监督管理局",
            ConsumerOrigin = Origin(Zhuzhou), ProviderOrigin = Origin(Changsha), ResourceCode = "R-OPEN", RecordId = record, Fields = ["住所"], Purpose = Purpose, LegalBasis = "《政务数据共享条例》",
        }, zhuzhou.Key);
        await net.WaitUntilMirroredAsync(Zhuzhou, Origin(Changsha));

        (code, stdout, stderr) = await net.RunAsync("audit", "flows", "--record", record, "--deadline", "00:00:00", "--city", Zhuzhou, "--json");
        Assert.True(code == 1, stderr + stdout);
        var flows = JsonDocument.Parse(stdout).RootElement.GetProperty("flows").EnumerateArray().ToList();
        Assert.Equal(2, flows.Count);
        Assert.Single(flows, f => f.GetProperty("fault").GetString() == "" && f.GetProperty("receipt_index").GetString() != "");
        Assert.Single(flows, f => f.GetProperty("fault").GetString() == "share-without-receipt" && f.GetProperty("share_id").GetString() == HurenClientShareId(unreceipted));
        // What was read of each log is stated: every member's, Changsha's up to at least its newest share.
        var logs = JsonDocument.Parse(stdout).RootElement.GetProperty("logs").EnumerateArray().ToList();
        Assert.Equal(3, logs.Count);
        var changshaRead = Assert.Single(logs, l => l.GetProperty("origin").GetString() == Origin(Changsha));
        Assert.True(changshaRead.GetProperty("size").GetUInt64() > flows.Max(f => ulong.Parse(f.GetProperty("share_index").GetString()!, CultureInfo.InvariantCulture)), stdout);
        var again = (await net.RunAsync("audit", "flows", "--record", record, "--deadline", "00:00:00", "--city", Zhuzhou, "--json")).Output;
        Assert.Equal(stdout, again);

        (code, stdout, stderr) = await net.RunAsync("audit", "flows", "--record", record, "--city", Zhuzhou, "--csv");
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("share_id,provider_origin,share_index,shared_at,resource,record_id,fields,consumer_code,consumer_origin,purpose,matter_code,receipt_index,received_at,fault,reshare_of,receipt_origin", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains($"{Origin(Changsha)}: ", stderr, StringComparison.Ordinal);
    }

    private static string HurenClientShareId(ShareRequestResponse shared) => Huren.Sdk.Client.HurenClient.ReadShare(shared).Share.ShareId;
}
