using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Commands;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;

namespace Huren.Cli.Tests.Ledger;

/// <summary>
/// The ledger's rules as real offices meet them, against three real node processes: each refusal with its gRPC status
/// and a message naming the field and the rule (entries signed with the profile's keys and submitted as they are, past
/// the SDK's own checks, so the node is the one that refuses); a successor department revoking a license of a revoked
/// issuer, with evidence that verifies offline and names the succession; the city root's last resort; uses of licenses
/// that are not valid; typos answered as typos.
/// </summary>
[Collection(LedgerNetworkCollection.Name)]
public sealed class LedgerRulesTests(LedgerNetwork net)
{
    private const string Rlo = "\u202E";

    [Fact]
    public async Task A_final_bundle_whose_checkpoint_proves_no_current_state_is_not_accepted()
    {
        // A node's bundle: its checkpoint carries the status-map line, and the map proves the bundle shows the latest state.
        var bundlePath = Path.Combine(net.Dir, "valid-evidence.json");
        await net.MustAsync("bundle", "export", net.ValidLicense, "--city", LedgerNetwork.Changsha, "-o", bundlePath);
        var (ok, okOutput, okError) = await CliRunner.RunAsync("license", "verify", "--bundle", bundlePath, "--network", net.Genesis);
        Assert.True(ok == 0, okOutput + okError);
        Assert.StartsWith($"VALID  {net.ValidLicense}", okOutput, StringComparison.Ordinal);

        // The same entries under a checkpoint its city signed without the line (its log and SM2 keys) and the other two
        // cities' witnesses cosigned: final, but nothing proves no later entry (a revocation, say) was left out.
        var bundle = Huren.Sdk.Evidence.EvidenceBundle.Parse(await File.ReadAllTextAsync(bundlePath));
        var origin = bundle.Verdict.AsOf.Origin;
        var city = origin[^6..];
        var keys = Path.Combine(net.Dir, city, "keys");
        var signed = Huren.Sdk.Notes.Checkpoint.FromNote(Huren.Sdk.Notes.SignedNote.Parse(bundle.Checkpoints[origin]), origin);
        var note = new Huren.Sdk.Notes.CheckpointSigner(origin, SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(keys, "log-ed25519.pem"))),
            SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(keys, "log-sm2.pem")))).Sign(signed.Size, signed.RootHash, null);
        foreach (var other in new[] { LedgerNetwork.Changsha, LedgerNetwork.Zhuzhou, LedgerNetwork.Xiangtan }.Where(c => c != city))
        {
            var witness = Huren.Sdk.Notes.NoteSignerKey.ForCosigner(Huren.Sdk.Notes.CosignatureSigner.WitnessNameFor(origin[..^6] + other),
                SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(net.Dir, other, "keys", "witness-ed25519.pem"))));
            note = Huren.Sdk.Notes.CosignatureSigner.Cosign(note, witness, DateTimeOffset.UtcNow);
        }
        bundle.Checkpoints[origin] = note.ToString();
        bundle.StatusProofs.Clear();
        var lineless = Path.Combine(net.Dir, "valid-evidence-lineless.json");
        await File.WriteAllTextAsync(lineless, bundle.ToJson());
        var (code, output, _) = await CliRunner.RunAsync("license", "verify", "--bundle", lineless, "--network", net.Genesis);
        Assert.Equal(1, code);
        Assert.StartsWith($"NOT PROVEN CURRENT (VALID)  {net.ValidLicense}", output, StringComparison.Ordinal);
        Assert.Contains("no status map line (an older checkpoint): nothing proves no later entry was left out", output, StringComparison.Ordinal);
    }


    private CliProfile Profile() => CliProfile.Load(net.Profile);

    /// <summary>A session to <paramref name="city"/>'s node as <paramref name="who"/> (a principal or role of the profile).</summary>
    private NodeSession Session(string city, string who)
    {
        var profile = Profile();
        var cityProfile = profile.City(city);
        return new NodeSession(profile, profile.LoadGenesis(), cityProfile, cityProfile.Credential(who), json: false);
    }

    /// <summary>Signs <paramref name="entry"/> with the session's key and submits the bytes as they are; the node must refuse them.</summary>
    private static async Task<RpcException> RefusedAsync(NodeSession session, Entry entry, StatusCode status, params string[] messageParts)
    {
        var leaf = EntrySigner.SignToLeaf(entry, session.Key);
        var ex = await Assert.ThrowsAsync<RpcException>(() => session.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, session.Options()).AsTask());
        Assert.True(ex.StatusCode == status, $"expected {status}, got {ex.StatusCode}: {ex.Status.Detail}");
        foreach (var part in messageParts) Assert.Contains(part, ex.Status.Detail, StringComparison.Ordinal);
        return ex;
    }

    private static string ChangshaAmrCode => LedgerNetwork.Uscc($"11{LedgerNetwork.Changsha}HUREN0101");

    /// <summary>A valid 营业执照 of Changsha's market regulator, to break one field at a time.</summary>
    private static LicenseIssued BusinessLicense(string serial) => new()
    {
        LicenseId = LedgerNetwork.LicenseId(serial),
        TypeCode = LedgerNetwork.BusinessLicense,
        Name = "营业执照",
        LicenseNumber = "430100" + serial,
        HolderName = "长沙规则测试有限公司",
        HolderCode = LedgerNetwork.Uscc("91430100HUREN0201"),
        HolderCodeType = HolderCodeTypes.Uscc,
        IssuingAuthority = "市场监督管理局",
        IssuingAuthorityCode = ChangshaAmrCode,
        IssueDate = "2024-03-01",
        ValidFrom = "2024-03-01",
        DocumentDigest = Digests.Sha256(System.Text.Encoding.UTF8.GetBytes(serial)),
        DigestAlgorithm = "sha256",
        JurisdictionCode = LedgerNetwork.Changsha,
        Fields =
        [
            new LicenseField { Name = "类型", Value = "有限责任公司" },
            new LicenseField { Name = "住所", Value = "湖南省长沙市岳麓区" },
            new LicenseField { Name = "成立日期", Value = "2024-03-01" },
            new LicenseField { Name = "经营范围", Value = "软件开发" },
        ],
    };

    private static Entry Issue(NodeSession session, LicenseIssued body, DateTimeOffset? at = null) =>
        Entry.Create(EntryKinds.LicenseIssue, session.Origin, body.LicenseId, "430100-amr", body, at ?? DateTimeOffset.UtcNow);

    public static TheoryData<string> ContentCases => new(ContentRules.Keys);

    /// <summary>One content rule each: how the body is broken, and what the node's refusal must say.</summary>
    private static readonly Dictionary<string, (Action<LicenseIssued> Break, string[] Message)> ContentRules = new()
    {
        ["an undeclared field"] = (b => b.Fields.Add(new LicenseField { Name = "注册资金", Value = "100" }), ["body.fields[4]: '注册资金' is not a field of 营业执照"]),
        ["a field twice"] = (b => b.Fields.Add(new LicenseField { Name = "住所", Value = "湖南省长沙市" }), ["body.fields[4]: '住所' is repeated"]),
        ["a date field that is no date"] = (b => b.Fields[2].Value = "2024年3月1日", ["body.fields[2]: 成立日期 must be a yyyy-MM-dd date, got '2024年3月1日'"]),
        ["a number field that is no number"] = (b => b.Fields.Add(new LicenseField { Name = "注册资本", Value = "一百万" }), ["body.fields[4]: 注册资本 must be a decimal number"]),
        ["a text field over its limit"] = (b => b.Fields[1].Value = new string('路', 201), ["body.fields[1]: 住所 must be at most 200 characters, got 201"]),
        ["a right-to-left override in the holder's name"] = (b => b.HolderName = "长沙" + Rlo + "司公限有", ["body.holderName: must not contain bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE"]),
        ["a zero-width space in the holder's name"] = (b => b.HolderName = "长沙规则\u200B测试有限公司", ["body.holderName: must not contain zero-width characters (U+200B ZERO WIDTH SPACE"]),
        ["a control character in a field"] = (b => b.Fields[3].Value = "软件\u0007开发", ["body.fields[3]: 经营范围 must not contain control characters"]),
        ["a 公民身份号码 in a field"] = (b => b.Fields[0].Value = "个人独资（投资人11010519491231002X）", ["body.fields[0]: 类型 must not contain a 公民身份号码", "holderIdCommitment"]),
        ["a holder code with a wrong check character"] = (b => b.HolderCode = b.HolderCode[..^1] + (b.HolderCode[^1] == '0' ? '1' : '0'), ["body.holderCode: check character of the 统一社会信用代码 should be"]),
        ["a missing required field"] = (b => b.Fields.RemoveAt(3), ["body.fields: 营业执照 requires the field 经营范围 (text, at most 2000 characters)"]),
        ["a code field outside its list"] = (b => AsType(b, FoodLicense, "2029-02-28", ("经营场所", "湖南省长沙市岳麓区"), ("主体业态", "小吃店"), ("经营项目", "预包装食品销售")),
            ["body.fields[1]: 主体业态 must be one of 食品销售经营者、餐饮服务经营者、单位食堂, got '小吃店'"]),
        ["a region field that is no region code"] = (b => AsType(b, RoadTransportLicense, "", ("住所", "湖南省长沙市岳麓区"), ("经营范围", "普通货运"), ("行政区划", "990100")),
            ["body.fields[2]: 行政区划 province part 99 is not a province-level code (11–82)"]),
        ["no end date for a type with a term"] = (b => AsType(b, FoodLicense, "", ("经营场所", "湖南省长沙市岳麓区"), ("主体业态", "食品销售经营者"), ("经营项目", "预包装食品销售")),
            ["body.validUntil: is required: 食品经营许可证 has a term of 5 years (a license valid from 2024-03-01 ends at the latest on 2029-02-28); empty would mean 长期"]),
        ["an end date beyond the type's term"] = (b => AsType(b, FoodLicense, "2029-03-01", ("经营场所", "湖南省长沙市岳麓区"), ("主体业态", "食品销售经营者"), ("经营项目", "预包装食品销售")),
            ["body.validUntil: 2029-03-01 is beyond the 5-year term of 食品经营许可证"]),
    };

    private const string FoodLicense = "11100000HUREN0001P002";
    private const string RoadTransportLicense = "11100000HUREN0003X001";

    /// <summary>Turns the 营业执照 into a license of another catalog type (same authority and serial), with these fields.</summary>
    private static void AsType(LicenseIssued body, string typeCode, string validUntil, params (string Name, string Value)[] fields)
    {
        var id = LicenseIdentifier.Parse(body.LicenseId);
        body.TypeCode = typeCode;
        body.LicenseId = LicenseIdentifier.Create(typeCode, id.AuthorityCode, id.Serial, id.Version).ToString();
        body.Name = Huren.Schemas.Catalog.LicenseTypeCatalog.TryGet(typeCode, out var type) ? type.Name : "";
        body.ValidUntil = validUntil;
        body.Fields = [.. fields.Select(f => new LicenseField { Name = f.Name, Value = f.Value })];
    }

    [Theory]
    [MemberData(nameof(ContentCases))]
    public async Task The_node_refuses_a_license_breaking_a_content_rule_naming_the_field_and_the_rule(string rule)
    {
        using var amr = Session(LedgerNetwork.Changsha, "amr");
        var body = BusinessLicense("770001");
        ContentRules[rule].Break(body);
        await RefusedAsync(amr, Issue(amr, body), StatusCode.InvalidArgument, ContentRules[rule].Message);
    }

    [Fact]
    public async Task The_node_refuses_a_body_of_a_hundred_thousand_fields_by_its_size_before_reading_it()
    {
        using var amr = Session(LedgerNetwork.Changsha, "amr");
        var body = BusinessLicense("770002");
        for (var i = 0; i < 100_000; i++) body.Fields.Add(new LicenseField { Name = $"f{i}", Value = "x" });
        var size = CanonicalCodec.Encode(body).Length;
        Assert.True(size > 1_000_000);
        await RefusedAsync(amr, Issue(amr, body), StatusCode.InvalidArgument, $"body: is {size} bytes, more than the 65536-byte limit of a license.issue body");
    }

    [Fact]
    public async Task The_node_refuses_an_issue_date_after_the_day_of_signing()
    {
        using var amr = Session(LedgerNetwork.Changsha, "amr");
        var body = BusinessLicense("770003");
        var tomorrow = LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow).AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        body.IssueDate = tomorrow;
        await RefusedAsync(amr, Issue(amr, body), StatusCode.InvalidArgument, $"body.issueDate: {tomorrow} is after the day the entry was signed");
    }

    [Fact]
    public async Task A_typo_in_a_license_id_is_a_typo_before_and_at_the_node()
    {
        var valid = net.ValidLicense;
        var typo = valid[..^1] + (valid[^1] == 'A' ? 'B' : 'A');
        // The CLI checks the form before any node is asked: even with every node unreachable the answer is the typo.
        var deadProfile = await ProfileWithEndpointAsync(LedgerNetwork.Zhuzhou, "https://127.0.0.1:1");
        var (code, output, error) = await CliRunner.RunAsync("license", "verify", typo, "--city", LedgerNetwork.Zhuzhou, "--profile", deadProfile);
        Assert.Equal(2, code);
        Assert.Equal($"error: license id '{typo}': check character should be {valid[^1]}, not {typo[^1]} (ISO/IEC 7064 MOD 37,36 over type code, authority code, serial and version)", error.Trim());
        Assert.Equal("", output);
        // trace takes any record's id, but one shaped as a license id with a wrong check character is that same typo.
        var (traced, tracedOutput, tracedError) = await CliRunner.RunAsync("trace", typo, "--profile", deadProfile);
        Assert.Equal((2, "", error), (traced, tracedOutput, tracedError));
        // Ids of other shapes are traced as given: an issuer's, and one that only starts like a license id.
        Assert.Contains("issuer.register", await net.MustAsync("trace", "430100-amr"), StringComparison.Ordinal);
        var (unknown, _, unknownError) = await net.RunAsync("trace", "1.2.156.3005.2.NOT-A-LICENSE");
        Assert.True(unknown == 1, unknownError);
        var (abc, _, abcError) = await net.RunAsync("license", "use", "abc", "--matter-code", "QT-1", "--matter-name", "x", "--purpose", "y");
        Assert.Equal(2, abc);
        Assert.Contains("license id 'abc': must start with the e-license root 1.2.156.3005.2.", abcError, StringComparison.Ordinal);

        // The node answers a malformed id with INVALID_ARGUMENT naming the rule, not "unknown" and not a proto field.
        using var counter = Session(LedgerNetwork.Zhuzhou, "counter");
        var ex = await Assert.ThrowsAsync<RpcException>(() => counter.Client.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = typo }, counter.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains($"check character should be {valid[^1]}, not {typo[^1]}", ex.Status.Detail, StringComparison.Ordinal);
        var abcAtNode = await Assert.ThrowsAsync<RpcException>(() => counter.Client.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = "abc" }, counter.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, abcAtNode.StatusCode);
        Assert.Equal("'abc' is not a well-formed 证照标识 (GB/T 36904): license id: must start with the e-license root 1.2.156.3005.2.", abcAtNode.Status.Detail);
    }

    [Fact]
    public async Task A_use_of_a_revoked_license_is_refused_unless_the_counter_says_why_and_its_verdict_is_recorded()
    {
        string[] matter = ["--matter-code", "QT-0009", "--matter-name", "企业变更登记", "--purpose", "跨域通办：核验营业执照"];
        var (refused, _, refusedError) = await net.RunAsync(["license", "use", net.RevokedLicense, "--city", LedgerNetwork.Zhuzhou, .. matter]);
        Assert.Equal(1, refused);
        Assert.StartsWith($"not recorded: license {net.RevokedLicense} is REVOKED (revoked (07 吊销)", refusedError, StringComparison.Ordinal);
        Assert.Contains("say why with --despite-status REASON", refusedError, StringComparison.Ordinal);
        var (refusedJson, refusedOutput, _) = await net.RunAsync(["license", "use", net.RevokedLicense, "--city", LedgerNetwork.Zhuzhou, .. matter, "--json"]);
        Assert.Equal(1, refusedJson);
        var answer = JsonDocument.Parse(refusedOutput).RootElement;
        Assert.Equal((false, net.RevokedLicense, "REVOKED"), (answer.GetProperty("recorded").GetBoolean(), answer.GetProperty("licenseId").GetString(), answer.GetProperty("verdict").GetString()));

        var (missing, _, missingError) = await net.RunAsync("license", "use", net.ValidLicense, "--city", LedgerNetwork.Zhuzhou, "--purpose", "核验");
        Assert.Equal(2, missing);
        Assert.Contains("--matter-code, --matter-name are required", missingError, StringComparison.Ordinal);

        var recorded = JsonDocument.Parse(await net.MustAsync(["license", "use", net.RevokedLicense, "--city", LedgerNetwork.Zhuzhou, .. matter, "--despite-status", "申请人提交吊销复议受理通知书，仅作留痕", "--json"])).RootElement;
        using var auditor = Session(LedgerNetwork.Zhuzhou, "auditor");
        var entry = await auditor.Client.Ledger.GetEntryAsync(new GetEntryRequest { Index = recorded.GetProperty("index").GetUInt64() }, auditor.Options());
        var use = EntryKinds.Of<LicenseUsed>().Decode(LeafReader.Read(entry.Leaf).Entry.Body);
        Assert.Equal(("REVOKED", "申请人提交吊销复议受理通知书，仅作留痕", "430200-QT-0009", "企业变更登记"), (use.VerdictAtUse, use.DespiteStatusReason, use.MatterCode, use.MatterName));

        // Entries as they are, past the CLI: the node checks the verdict recorded against its copy of Changsha's log.
        using var counter = Session(LedgerNetwork.Zhuzhou, "counter");
        var issue = (await auditor.Client.Trace.TraceAsync(new TraceRequest { RecordId = net.RevokedLicense }, auditor.Options())).Entries.First(e => LeafReader.Read(e.Leaf).Entry.Kind == EntryKinds.LicenseIssue);
        var reference = new EntryReference { Origin = issue.Origin, Index = issue.Index, LeafHash = Sdk.Merkle.MerkleHash.LeafHash(issue.Leaf).ToArray(), Relation = Relations.License };
        LicenseUsed Body(string verdict, string reason = "", string matterName = "企业变更登记") => new()
        {
            LicenseId = net.RevokedLicense, MatterCode = "430200-QT-0009", MatterName = matterName, Counter = "12号窗口", Purpose = "核验", VerdictAtUse = verdict, DespiteStatusReason = reason,
        };
        Entry Use(LicenseUsed body) => Entry.Create(EntryKinds.LicenseUse, counter.Origin, body.LicenseId, "430200-window", body, DateTimeOffset.UtcNow, reference);
        await RefusedAsync(counter, Use(Body("VALID")), StatusCode.FailedPrecondition, $"body.verdictAtUse: the use records VALID, but license {net.RevokedLicense} is REVOKED");
        await RefusedAsync(counter, Use(Body("REVOKED")), StatusCode.InvalidArgument, "body.despiteStatusReason: is required: the license was REVOKED when used");
        await RefusedAsync(counter, Use(Body("REVOKED", "复议", matterName: "")), StatusCode.InvalidArgument, "body.matterName: is required");
    }

    [Fact]
    public async Task A_license_without_an_end_date_gets_its_types_term_and_a_use_after_its_end_is_refused_as_expired()
    {
        // Zhuzhou's market regulator may issue 食品经营许可证 (a 5-year term in the catalog).
        const string city = LedgerNetwork.Zhuzhou;
        string[] food = ["license", "issue", "--city", city, "--type", "食品经营许可证", "--holder-name", "株洲食品测试有限公司", "--holder-code", LedgerNetwork.Uscc("91430200HUREN0202"),
            "--field", "经营场所=湖南省株洲市天元区", "--field", "主体业态=食品销售经营者", "--field", "经营项目=预包装食品销售", "--json"];
        var current = JsonDocument.Parse(await net.MustAsync([.. food, "--serial", "660001", "--valid-from", "2024-03-01", "--issue-date", "2024-02-20"]))
            .RootElement.GetProperty("recordId").GetString()!;
        var (code, output, error) = await net.RunAsync("license", "verify", current, "--city", city);
        Assert.True(code == 0, error + output);
        Assert.Contains("2024-03-01 – 2029-02-28", output, StringComparison.Ordinal);
        Assert.Contains("), 2024-02-20", output, StringComparison.Ordinal);

        var expired = JsonDocument.Parse(await net.MustAsync([.. food, "--serial", "660002", "--valid-from", "2018-01-01", "--valid-until", "2020-12-31", "--issue-date", "2017-12-25"]))
            .RootElement.GetProperty("recordId").GetString()!;
        string[] matter = ["--matter-code", "QT-0010", "--matter-name", "食品经营许可变更", "--purpose", "核验食品经营许可证"];
        var (refused, _, refusedError) = await net.RunAsync(["license", "use", expired, "--city", city, .. matter]);
        Assert.Equal(1, refused);
        Assert.StartsWith($"not recorded: license {expired} is EXPIRED", refusedError, StringComparison.Ordinal);
        Assert.Contains("say why with --despite-status REASON", refusedError, StringComparison.Ordinal);
        var recorded = JsonDocument.Parse(await net.MustAsync(["license", "use", expired, "--city", city, .. matter, "--despite-status", "办理延续，核验原证", "--json"])).RootElement;
        using var auditor = Session(city, "auditor");
        var entry = await auditor.Client.Ledger.GetEntryAsync(new GetEntryRequest { Index = recorded.GetProperty("index").GetUInt64() }, auditor.Options());
        var use = EntryKinds.Of<LicenseUsed>().Decode(LeafReader.Read(entry.Leaf).Entry.Body);
        Assert.Equal(("EXPIRED", "办理延续，核验原证"), (use.VerdictAtUse, use.DespiteStatusReason));
    }

    [Fact]
    public async Task A_successor_department_revokes_a_license_of_a_revoked_issuer_and_the_evidence_names_the_succession()
    {
        const string city = LedgerNetwork.Xiangtan;
        // Xiangtan's market regulator and approval bureau (the second sample department of 'network init').
        await net.MustAsync("issuer", "register", "--city", city, "--id", "430300-amr", "--name", "湘潭市市场监督管理局",
            "--authority-code", LedgerNetwork.Uscc("11430300HUREN0101"), "--license-types", "营业执照");
        await net.MustAsync("issuer", "register", "--city", city, "--id", "430300-approval", "--name", "湘潭市行政审批服务局",
            "--authority-code", LedgerNetwork.Uscc("11430300HUREN0109"), "--department-kind", "administrative-approval", "--license-types", "营业执照");
        var license = await IssueInXiangtanAsync("880001");
        var kept = await IssueInXiangtanAsync("880002");
        await net.MustAsync("issuer", "revoke", "430300-amr", "--city", city, "--reason", "机构改革：市场监督管理局许可职责划入行政审批服务局");

        // Before the succession the license is frozen for the departments: the issuer is revoked, the other did not issue it.
        var (frozen, _, frozenError) = await net.RunAsync("license", "revoke", license, "--city", city, "--as", "approval");
        Assert.Equal(2, frozen);
        Assert.Contains($"PermissionDenied): record id {license} was issued by another issuer (430300-amr), not by 430300-approval", frozenError, StringComparison.Ordinal);
        var (noSuccessor, _, noSuccessorError) = await net.RunAsync("issuer", "succeed", "430300-amr", "--to", "430300-nobody", "--city", city, "--reason", "x");
        Assert.Equal(2, noSuccessor);
        Assert.Contains("NotFound): body.successorId: issuer 430300-nobody is not registered in huren.cz-t/430300", noSuccessorError, StringComparison.Ordinal);

        var succession = JsonDocument.Parse(await net.MustAsync("issuer", "succeed", "430300-amr", "--to", "430300-approval", "--city", city,
            "--reason", "《湘潭市机构改革方案》（湘潭发〔2024〕3号）", "--json")).RootElement.GetProperty("index").GetUInt64();
        await net.MustAsync("license", "revoke", license, "--city", city, "--as", "approval", "--reason", "以欺骗手段取得登记");

        // Verified at another city's counter: REVOKED, and who acted under which succession.
        await net.WaitUntilKnownAsync(LedgerNetwork.Changsha, license, "REVOKED");
        var (code, output, _) = await net.RunAsync("license", "verify", license, "--city", LedgerNetwork.Changsha);
        Assert.Equal(1, code);
        Assert.StartsWith($"REVOKED  {license}", output, StringComparison.Ordinal);
        Assert.Contains($"by 430300-approval, successor of 430300-amr under the succession at index {succession}", output, StringComparison.Ordinal);
        Assert.Contains($"430300-approval, successor of 430300-amr under the succession huren.cz-t/430300#{succession} (430300-amr → 430300-approval: 《湘潭市机构改革方案》（湘潭发〔2024〕3号）)", output, StringComparison.Ordinal);

        // The evidence, saved and verified offline with nothing but the genesis, names the succession.
        var bundle = Path.Combine(net.Dir, "succession-evidence.json");
        await net.MustAsync("bundle", "export", license, "--city", LedgerNetwork.Changsha, "-o", bundle);
        var (offline, offlineJson, offlineError) = await CliRunner.RunAsync("license", "verify", "--bundle", bundle, "--network", net.Genesis, "--json");
        Assert.True(offline == 1, offlineError);
        var result = JsonDocument.Parse(offlineJson).RootElement;
        Assert.Equal("REVOKED", result.GetProperty("verdict").GetString());
        Assert.True(result.GetProperty("evidence").GetProperty("verified").GetBoolean(), offlineJson);
        var acted = result.GetProperty("actedBy");
        Assert.Equal("430300-approval", acted.GetProperty("issuerId").GetString());
        var named = Assert.Single(acted.GetProperty("successions").EnumerateArray());
        Assert.Equal((succession, "430300-amr", "430300-approval"), (named.GetProperty("index").GetUInt64(), named.GetProperty("predecessorId").GetString(), named.GetProperty("successorId").GetString()));

        // The same bundle with the succession left out no longer verifies: the revocation's writer did not answer for it.
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(bundle))!;
        var entries = json["entries"]!.AsArray();
        entries.Remove(entries.First(e => e!["index"]!.GetValue<ulong>() == succession));
        var cut = Path.Combine(net.Dir, "succession-evidence-cut.json");
        await File.WriteAllTextAsync(cut, json.ToJsonString());
        var (cutCode, cutOutput, _) = await CliRunner.RunAsync("license", "verify", "--bundle", cut, "--network", net.Genesis);
        Assert.Equal(1, cutCode);
        Assert.Contains("is written by 430300-approval, who did not answer for the license then: its issuer 430300-amr did", cutOutput, StringComparison.Ordinal);

        // The city root, as a last resort, suspends the other license; the successor may not lift that suspension.
        await net.MustAsync("license", "suspend", kept, "--city", city, "--by-city-root", "--reason", "涉嫌虚假登记，市数据局临时暂扣");
        var (lift, _, liftError) = await net.RunAsync("license", "resume", kept, "--city", city, "--as", "approval");
        Assert.Equal(2, lift);
        Assert.Contains("FailedPrecondition): license", liftError, StringComparison.Ordinal);
        Assert.Contains("was suspended by the city root '430300-root'", liftError, StringComparison.Ordinal);
        var (rootCode, rootOutput, _) = await net.RunAsync("license", "verify", kept, "--city", city);
        Assert.Equal(1, rootCode);
        Assert.Contains("by the city root 430300-root (last resort): 涉嫌虚假登记，市数据局临时暂扣", rootOutput, StringComparison.Ordinal);
        Assert.Contains("Acted by", rootOutput, StringComparison.Ordinal);
        await net.MustAsync("license", "resume", kept, "--city", city, "--by-city-root", "--reason", "核查无误");

        // The audit of Xiangtan's log (from Zhuzhou's copy) checks the city root's and the successor's signatures alike.
        var audit = JsonDocument.Parse(await net.MustAsync("audit", "log", city, "--city", LedgerNetwork.Zhuzhou, "--json")).RootElement;
        Assert.True(audit.GetProperty("ok").GetBoolean(), audit.ToString());
        Assert.Equal(1UL, audit.GetProperty("entriesByKind").GetProperty("issuer.succeed").GetUInt64());
    }

    private async Task<string> IssueInXiangtanAsync(string serial)
    {
        var output = await net.MustAsync("license", "issue", "--city", LedgerNetwork.Xiangtan, "--type", "营业执照", "--serial", serial, "--holder-name", "湘潭继任测试有限公司",
            "--holder-code", LedgerNetwork.Uscc("91430300HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省湘潭市岳塘区", "--field", "成立日期=2024-03-01",
            "--field", "经营范围=软件开发", "--json");
        return JsonDocument.Parse(output).RootElement.GetProperty("recordId").GetString()!;
    }

    /// <summary>A copy of the profile, beside it (so its relative paths still resolve), with one city's endpoint replaced.</summary>
    private async Task<string> ProfileWithEndpointAsync(string city, string endpoint)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(net.Profile))!;
        foreach (var c in json["cities"]!.AsArray())
        {
            if (c!["cityCode"]!.GetValue<string>() == city) c["endpoint"] = endpoint;
        }
        var path = Path.Combine(net.Dir, $"cli-{city}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json.ToJsonString());
        return path;
    }

    [Fact]
    public async Task Connection_problems_read_as_one_clear_line()
    {
        // Changsha's entry pointing at Zhuzhou's node: TLS works, but the certificate is not the one pinned for Changsha.
        var genesis = net.Genesis;
        var zhuzhou = Huren.Sdk.Network.TrustedNetwork.Parse(await File.ReadAllBytesAsync(genesis)).ByCity(LedgerNetwork.Zhuzhou)!.Endpoint!;
        var mismatched = await ProfileWithEndpointAsync(LedgerNetwork.Changsha, zhuzhou.ToString());
        var (code, _, error) = await CliRunner.RunAsync("license", "verify", net.ValidLicense, "--city", LedgerNetwork.Changsha, "--profile", mismatched);
        Assert.Equal(2, code);
        Assert.Equal("error: the endpoint's TLS certificate is not the one the network configuration pins for that city: the profile's endpoint may point at another node or service", error.Trim());

        // An endpoint that is not a gRPC server at all (a plain HTTP/1.1 responder), over TLS and in cleartext.
        using var web = new PlainHttpServer();
        foreach (var scheme in new[] { "https", "http" })
        {
            var notHuren = await ProfileWithEndpointAsync(LedgerNetwork.Changsha, $"{scheme}://127.0.0.1:{web.Port}");
            var (webCode, _, webError) = await CliRunner.RunAsync("license", "verify", net.ValidLicense, "--city", LedgerNetwork.Changsha, "--profile", notHuren);
            Assert.Equal(2, webCode);
            var line = Assert.Single(webError.Trim().Split('\n'));
            Assert.DoesNotContain("inner exception", line, StringComparison.Ordinal);
            Assert.DoesNotContain("(Internal)", line, StringComparison.Ordinal);
            Assert.Contains(scheme == "https" ? "the TLS handshake with the endpoint failed" : "is not a Huren node", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Audit_of_equivocations_is_not_clean_when_a_witness_did_not_answer()
    {
        var silent = await ProfileWithEndpointAsync(LedgerNetwork.Xiangtan, "https://127.0.0.1:1");
        var (code, output, error) = await CliRunner.RunAsync("audit", "equivocations", "--profile", silent);
        Assert.Equal(2, code);
        Assert.StartsWith("No equivocation recorded by the witnesses of 430100, 430200 (1 did not answer)", output, StringComparison.Ordinal);
        Assert.Contains("error: no answer from the witness of 430300", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Small_argument_rules_exit_2_with_the_reason()
    {
        var (wait, _, waitError) = await net.RunAsync("license", "verify", net.ValidLicense, "--wait-final", "-5");
        Assert.Equal(2, wait);
        Assert.Contains("--wait-final must be 0–60 seconds, got -5", waitError, StringComparison.Ordinal);
        var (type, _, typeError) = await net.RunAsync("issuer", "register", "--city", LedgerNetwork.Xiangtan, "--id", "430300-x", "--license-types", "驾驶证");
        Assert.Equal(2, type);
        Assert.Contains("--license-types '驾驶证' is not in the license-type catalog, by code or by name", typeError, StringComparison.Ordinal);
        var (holder, _, holderError) = await net.RunAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--type", "营业执照", "--serial", "990001", "--holder-name", "张三",
            "--holder-id", "110105194912310021", "--field", "类型=个体工商户", "--field", "住所=长沙", "--field", "成立日期=2024-03-01", "--field", "经营范围=零售");
        Assert.Equal(2, holder);
        Assert.Contains("--holder-id: check character of the 公民身份号码 should be X, not 1 (GB 11643)", holderError, StringComparison.Ordinal);
        foreach (var (personalId, problem) in new[]
        {
            ("110105491231002", "--holder-id: is a 15-digit number of the old form: give the 18-character 公民身份号码 (GB 11643-1999)"),
            ("110105194902300027", "--holder-id: birth date 19490230 is not a calendar date"),
            ("110105290001010024", "--holder-id: birth date 2900-01-01 is not plausible"),
        })
        {
            var (idCode, _, idError) = await net.RunAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--type", "营业执照", "--serial", "990002", "--holder-name", "张三",
                "--holder-id", personalId, "--field", "类型=个体工商户", "--field", "住所=长沙", "--field", "成立日期=2024-03-01", "--field", "经营范围=零售");
            Assert.Equal(2, idCode);
            Assert.Contains(problem, idError, StringComparison.Ordinal);
        }
    }
}

/// <summary>A loopback server that answers every connection with a plain HTTP/1.1 page and closes: a web server, not a Huren node.</summary>
internal sealed class PlainHttpServer : IDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    public PlainHttpServer()
    {
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public int Port => ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                try
                {
                    using var read = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    read.CancelAfter(TimeSpan.FromSeconds(2));
                    _ = await stream.ReadAsync(buffer, read.Token);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"u8.ToArray(), _stop.Token);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    // A client that gives up is fine: the next one is served.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
