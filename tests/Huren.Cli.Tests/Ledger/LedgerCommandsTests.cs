using System.Text.Json;

namespace Huren.Cli.Tests.Ledger;

/// <summary>The issuer, license, bundle, trace, audit and checkpoint commands against a real three-node network.</summary>
[Collection(LedgerNetworkCollection.Name)]
public sealed partial class LedgerCommandsTests(LedgerNetwork net)
{
    [Fact]
    public async Task Verify_of_a_valid_license_at_another_city_exits_0_with_verified_evidence()
    {
        var (code, output, error) = await net.RunAsync("license", "verify", net.ValidLicense, "--city", LedgerNetwork.Zhuzhou);
        Assert.True(code == 0, error + output);
        Assert.StartsWith($"VALID  {net.ValidLicense}", output, StringComparison.Ordinal);
        Assert.Contains("verified here against the network configuration", output, StringComparison.Ordinal);

        var (jsonCode, json, _) = await net.RunAsync("license", "verify", net.ValidLicense, "--city", LedgerNetwork.Xiangtan, "--json");
        Assert.Equal(0, jsonCode);
        var verdict = JsonDocument.Parse(json).RootElement;
        Assert.Equal("VALID", verdict.GetProperty("verdict").GetString());
        Assert.Equal("huren.cz-t/430100", verdict.GetProperty("origin").GetString());
        Assert.True(verdict.GetProperty("evidence").GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task A_nodes_answer_is_not_believed_when_its_evidence_is_about_another_license_or_verdict()
    {
        var bundlePath = Path.Combine(net.Dir, "valid-evidence.json");
        await net.MustAsync("bundle", "export", net.ValidLicense, "-o", bundlePath);
        var validEvidence = await File.ReadAllTextAsync(bundlePath);
        var genesis = new Huren.Sdk.Evidence.EvidenceVerifier(Huren.Sdk.Network.TrustedNetwork.Parse(await File.ReadAllBytesAsync(net.Genesis)));
        var origin = "huren.cz-t/430100";

        // A node asked about the revoked license answers VALID with the genuine evidence of another, valid license.
        var swapped = new Huren.Schemas.Services.VerdictResponse { LicenseId = net.RevokedLicense, Verdict = Huren.Schemas.Services.LicenseVerdict.Valid, Origin = origin, EvidenceBundle = validEvidence };
        var result = Bind(swapped, net.RevokedLicense, genesis);
        Assert.False(result.IsValid);
        Assert.Contains($"is about {net.ValidLicense}, not {net.RevokedLicense}", result.Failure, StringComparison.Ordinal);

        // The right evidence with a different verdict or log named by the node is refused too.
        var wrongVerdict = new Huren.Schemas.Services.VerdictResponse { LicenseId = net.ValidLicense, Verdict = Huren.Schemas.Services.LicenseVerdict.Suspended, Origin = origin, EvidenceBundle = validEvidence };
        Assert.Contains("its evidence gives VALID", Bind(wrongVerdict, net.ValidLicense, genesis).Failure, StringComparison.Ordinal);
        var wrongLog = new Huren.Schemas.Services.VerdictResponse { LicenseId = net.ValidLicense, Verdict = Huren.Schemas.Services.LicenseVerdict.Valid, Origin = "huren.cz-t/430300", EvidenceBundle = validEvidence };
        Assert.Contains("names log huren.cz-t/430300", Bind(wrongLog, net.ValidLicense, genesis).Failure, StringComparison.Ordinal);
        var noEvidence = new Huren.Schemas.Services.VerdictResponse { LicenseId = net.ValidLicense, Verdict = Huren.Schemas.Services.LicenseVerdict.Valid, Origin = origin };
        Assert.Contains("without evidence", Bind(noEvidence, net.ValidLicense, genesis).Failure, StringComparison.Ordinal);
        var right = new Huren.Schemas.Services.VerdictResponse { LicenseId = net.ValidLicense, Verdict = Huren.Schemas.Services.LicenseVerdict.Valid, Origin = origin, EvidenceBundle = validEvidence };
        Assert.True(Bind(right, net.ValidLicense, genesis).IsValid);
    }

    [Fact]
    public async Task A_license_transferred_and_renamed_verifies_under_its_new_id_in_the_receiving_city()
    {
        var original = LedgerNetwork.LicenseId("000020");
        await net.MustAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--type", "营业执照", "--serial", "000020", "--holder-name", "长沙迁出测试有限公司",
            "--holder-code", LedgerNetwork.Uscc("91430100HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市", "--field", "成立日期=2024-03-01", "--field", "经营范围=软件开发");
        await net.MustAsync("license", "transfer", original, "--to", LedgerNetwork.Zhuzhou, "--city", LedgerNetwork.Changsha);
        var renamed = Huren.Schemas.Validation.LicenseIdentifier.Create(LedgerNetwork.BusinessLicense, LedgerNetwork.Uscc($"11{LedgerNetwork.Zhuzhou}HUREN0101"), "000020", "001").ToString();
        await net.MustAsync("license", "accept", original, "--city", LedgerNetwork.Zhuzhou, "--new-id", renamed);
        await net.WaitUntilKnownAsync(LedgerNetwork.Xiangtan, renamed, "VALID");
        var verdict = JsonDocument.Parse(await net.MustAsync("license", "verify", renamed, "--city", LedgerNetwork.Xiangtan, "--json")).RootElement;
        Assert.Equal("huren.cz-t/430200", verdict.GetProperty("origin").GetString());
        Assert.Equal("430200-amr", verdict.GetProperty("issuerId").GetString());
        Assert.Equal("长沙迁出测试有限公司", verdict.GetProperty("holderName").GetString());
        Assert.True(verdict.GetProperty("evidence").GetProperty("final").GetBoolean());
        var (oldCode, oldOutput, _) = await net.RunAsync("license", "verify", original, "--city", LedgerNetwork.Xiangtan);
        Assert.Equal(1, oldCode);
        Assert.StartsWith("TRANSFERRED", oldOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_document_replaced_by_a_change_is_not_accepted_by_its_digest()
    {
        var id = LedgerNetwork.LicenseId("000030");
        var first = Path.Combine(net.Dir, "license-000030-v1.pdf");
        var second = Path.Combine(net.Dir, "license-000030-v2.pdf");
        await File.WriteAllTextAsync(first, "营业执照 000030 住所：湖南省长沙市岳麓区");
        await File.WriteAllTextAsync(second, "营业执照 000030 住所：湖南省长沙市天心区");
        static string Digest(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        await net.MustAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--type", "营业执照", "--serial", "000030", "--holder-name", "长沙换证测试有限公司",
            "--holder-code", LedgerNetwork.Uscc("91430100HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区", "--field", "成立日期=2024-03-01",
            "--field", "经营范围=软件开发", "--document", first);
        Assert.StartsWith("VALID", await net.MustAsync("license", "verify", "--digest", Digest(first), "--city", LedgerNetwork.Changsha), StringComparison.Ordinal);

        await net.MustAsync("license", "change", id, "--field", "住所=湖南省长沙市天心区", "--document", second, "--city", LedgerNetwork.Changsha);
        // The old document still leads to the license, which is VALID, but it no longer shows it as it is.
        var (oldCode, oldOutput, oldError) = await net.RunAsync("license", "verify", "--digest", Digest(first), "--city", LedgerNetwork.Changsha);
        Assert.True(oldCode == 1, oldError + oldOutput);
        Assert.StartsWith($"DOCUMENT SUPERSEDED (VALID)  {id}", oldOutput, StringComparison.Ordinal);
        Assert.Contains($"its current document has SHA-256 {Digest(second)}", oldOutput, StringComparison.Ordinal);
        var (jsonCode, json, _) = await net.RunAsync("license", "verify", "--digest", Digest(first), "--city", LedgerNetwork.Changsha, "--json");
        Assert.Equal(1, jsonCode);
        Assert.Equal(Digest(second), JsonDocument.Parse(json).RootElement.GetProperty("documentSupersededBy").GetString());
        // The current document is accepted.
        Assert.StartsWith($"VALID  {id}", await net.MustAsync("license", "verify", "--digest", Digest(second), "--city", LedgerNetwork.Changsha), StringComparison.Ordinal);
        Assert.False(JsonDocument.Parse(await net.MustAsync("license", "verify", "--digest", Digest(second), "--city", LedgerNetwork.Changsha, "--json")).RootElement.TryGetProperty("documentSupersededBy", out _));
    }

    [Fact]
    public async Task Online_verify_at_another_day_judges_the_license_on_that_day()
    {
        var id = LedgerNetwork.LicenseId("000050");
        await net.MustAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--type", "营业执照", "--serial", "000050", "--holder-name", "长沙期限测试有限公司",
            "--holder-code", LedgerNetwork.Uscc("91430100HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区", "--field", "成立日期=2024-03-01",
            "--field", "经营范围=软件开发", "--valid-from", "2024-03-01", "--valid-until", "2030-02-28");

        // The node judges the day asked about; its bundle still states the verdict for the day it was made.
        var (expired, expiredOutput, expiredError) = await net.RunAsync("license", "verify", id, "--city", LedgerNetwork.Changsha, "--at", "2031-01-01");
        Assert.True(expired == 1, expiredError + expiredOutput);
        Assert.StartsWith($"EXPIRED  {id}", expiredOutput, StringComparison.Ordinal);
        Assert.Contains("EXPIRED on 2031-01-01; the authentic bundle states VALID as of", expiredOutput, StringComparison.Ordinal);
        var (early, earlyOutput, earlyError) = await net.RunAsync("license", "verify", id, "--city", LedgerNetwork.Changsha, "--at", "2020-01-01");
        Assert.True(early == 1, earlyError + earlyOutput);
        Assert.StartsWith($"NOT_YET_VALID  {id}", earlyOutput, StringComparison.Ordinal);
        Assert.StartsWith($"VALID  {id}", await net.MustAsync("license", "verify", id, "--city", LedgerNetwork.Changsha, "--at", "2029-06-01"), StringComparison.Ordinal);

        var (jsonCode, json, _) = await net.RunAsync("license", "verify", id, "--city", LedgerNetwork.Changsha, "--at", "2031-01-01", "--json");
        Assert.Equal(1, jsonCode);
        var answer = JsonDocument.Parse(json).RootElement;
        Assert.True(answer.GetProperty("evidence").GetProperty("verified").GetBoolean(), json);
        Assert.Equal(("EXPIRED", "EXPIRED", "2031-01-01", "VALID"), (answer.GetProperty("verdict").GetString(), answer.GetProperty("nodeVerdict").GetString(),
            answer.GetProperty("day").GetString(), answer.GetProperty("asOf").GetProperty("verdict").GetString()));
    }

    [Fact]
    public async Task Verify_json_gives_a_verdict_only_from_evidence_that_verifies()
    {
        // A node answering VALID for the revoked license with that license's genuine evidence, re-stated VALID: the
        // bundle does not verify, and the JSON carries the node's word apart, never as the verdict.
        var bundlePath = Path.Combine(net.Dir, "revoked-evidence.json");
        await net.MustAsync("bundle", "export", net.RevokedLicense, "-o", bundlePath);
        var restated = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(bundlePath))!;
        restated["verdict"]!["status"] = "VALID";
        var lie = new Huren.Schemas.Services.VerdictResponse { LicenseId = net.RevokedLicense, Verdict = Huren.Schemas.Services.LicenseVerdict.Valid, Origin = "huren.cz-t/430100", EvidenceBundle = restated.ToJsonString() };
        var genesis = new Huren.Sdk.Evidence.EvidenceVerifier(Huren.Sdk.Network.TrustedNetwork.Parse(await File.ReadAllBytesAsync(net.Genesis)));
        var today = Huren.Sdk.Evidence.LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow);
        var evidence = Huren.Sdk.Client.VerifiedLicense.Check(lie, Huren.Sdk.Client.LicenseQuestion.ById(net.RevokedLicense), genesis, today).Evidence;
        using var online = new StringWriter();
        Assert.Equal(1, await Huren.Cli.Commands.Licenses.LicenseVerifyCommand.ReportAsync(lie, evidence, today, "a lying node", null, asJson: true, online));
        var answer = JsonDocument.Parse(online.ToString()).RootElement;
        Assert.False(answer.GetProperty("evidence").GetProperty("verified").GetBoolean());
        Assert.False(answer.TryGetProperty("verdict", out _), online.ToString());
        Assert.False(answer.TryGetProperty("holderName", out _), online.ToString());
        Assert.Equal("VALID", answer.GetProperty("nodeVerdict").GetString());

        // Offline the same: the bundle's stated verdict under nodeVerdict, no verdict.
        var restatedPath = Path.Combine(net.Dir, "revoked-evidence-restated.json");
        await File.WriteAllTextAsync(restatedPath, restated.ToJsonString());
        var (offline, offlineJson, _) = await CliRunner.RunAsync("license", "verify", "--bundle", restatedPath, "--network", net.Genesis, "--json");
        Assert.Equal(1, offline);
        var offlineAnswer = JsonDocument.Parse(offlineJson).RootElement;
        Assert.False(offlineAnswer.TryGetProperty("verdict", out _), offlineJson);
        Assert.Equal("VALID", offlineAnswer.GetProperty("nodeVerdict").GetString());
        // A verified answer has both.
        var honest = JsonDocument.Parse((await net.RunAsync("license", "verify", net.RevokedLicense, "--city", LedgerNetwork.Changsha, "--json")).Output).RootElement;
        Assert.Equal(("REVOKED", "REVOKED"), (honest.GetProperty("verdict").GetString(), honest.GetProperty("nodeVerdict").GetString()));
    }

    [Fact]
    public async Task A_license_xml_export_is_accepted_only_while_current_reliable_and_fresh_enough()
    {
        var id = LedgerNetwork.LicenseId("000040");
        var first = Path.Combine(net.Dir, "license-000040-v1.pdf");
        var second = Path.Combine(net.Dir, "license-000040-v2.pdf");
        await File.WriteAllTextAsync(first, "营业执照 000040 住所：湖南省长沙市岳麓区");
        await File.WriteAllTextAsync(second, "营业执照 000040 住所：湖南省长沙市天心区");
        await net.MustAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--type", "营业执照", "--serial", "000040", "--holder-name", "长沙导出测试有限公司",
            "--holder-code", LedgerNetwork.Uscc("91430100HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区", "--field", "成立日期=2024-03-01",
            "--field", "经营范围=软件开发", "--document", first);
        var xml = Path.Combine(net.Dir, "license-000040-v1.xml");
        await net.MustAsync("license", "export", id, "--xml", "--city", LedgerNetwork.Changsha, "-o", xml);
        Assert.StartsWith($"SIGNED  {id}", await net.MustAsync("license", "verify", "--xml", xml, "--city", LedgerNetwork.Changsha), StringComparison.Ordinal);

        // --max-age holds for XML too: the evidence saved now is refused once it is older than asked.
        var bundle = Path.Combine(net.Dir, "license-000040-evidence.json");
        await net.MustAsync("bundle", "export", id, "--city", LedgerNetwork.Changsha, "-o", bundle);
        string[] offline = ["license", "verify", "--xml", xml, "--bundle", bundle, "--network", net.Genesis];
        Assert.Equal(0, (await CliRunner.RunAsync([.. offline, "--max-age", "1h"])).ExitCode);
        var saved = JsonDocument.Parse((await CliRunner.RunAsync("license", "verify", "--bundle", bundle, "--network", net.Genesis, "--json")).Output).RootElement;
        // cosignedAt is printed to the second: two seconds after it the evidence is surely more than one second old.
        var cosignedAt = DateTimeOffset.Parse(saved.GetProperty("evidence").GetProperty("cosignedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var olderThanASecond = cosignedAt.AddSeconds(2) - DateTimeOffset.UtcNow;
        if (olderThanASecond > TimeSpan.Zero) await Task.Delay(olderThanASecond);
        var (tooOld, tooOldOutput, _) = await CliRunner.RunAsync([.. offline, "--max-age", "1s"]);
        Assert.Equal(1, tooOld);
        Assert.Contains("older than --max-age 1s", tooOldOutput, StringComparison.Ordinal);

        // Final VALID evidence whose checkpoint proves no current state (no status-map line) is not enough either.
        var answer = Huren.Sdk.Client.VerifiedLicense.Check(
            new Huren.Schemas.Services.VerdictResponse { LicenseId = id, Verdict = Huren.Schemas.Services.LicenseVerdict.Valid, Origin = "huren.cz-t/430100", EvidenceBundle = await File.ReadAllTextAsync(bundle) },
            Huren.Sdk.Client.LicenseQuestion.ById(id), new Huren.Sdk.Evidence.EvidenceVerifier(Huren.Sdk.Network.TrustedNetwork.Parse(await File.ReadAllBytesAsync(net.Genesis))),
            Huren.Sdk.Evidence.LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow));
        Assert.True(answer.Evidence is { Reliable: true }, answer.Evidence.Failure);
        using var unproven = new StringWriter();
        Assert.Equal(1, await Huren.Cli.Commands.Licenses.LicenseXmlCommands.ReportAsync(await File.ReadAllBytesAsync(xml), null, answer.Evidence with { StatusProven = false }, null, "", asJson: false, unproven));
        Assert.StartsWith($"SIGNED, BUT NOT PROVEN CURRENT (VALID)  {id}", unproven.ToString(), StringComparison.Ordinal);

        // A change replaces the document and an address: the old export is authentic but stale.
        await net.MustAsync("license", "change", id, "--field", "住所=湖南省长沙市天心区", "--document", second, "--city", LedgerNetwork.Changsha);
        var (stale, staleOutput, staleError) = await net.RunAsync("license", "verify", "--xml", xml, "--city", LedgerNetwork.Changsha);
        Assert.True(stale == 1, staleError + staleOutput);
        Assert.StartsWith($"SIGNED, BUT STALE  {id}", staleOutput, StringComparison.Ordinal);
        Assert.Contains("otherwise now in: DocumentDigest, Field 住所;", staleOutput, StringComparison.Ordinal);
        var staleJson = JsonDocument.Parse((await net.RunAsync("license", "verify", "--xml", xml, "--city", LedgerNetwork.Changsha, "--json")).Output).RootElement;
        Assert.Equal(["DocumentDigest", "Field 住所"], staleJson.GetProperty("staleIn").EnumerateArray().Select(e => e.GetString()!).ToArray());
        // Exported again, it states the license as it is.
        var current = Path.Combine(net.Dir, "license-000040-v2.xml");
        await net.MustAsync("license", "export", id, "--xml", "--city", LedgerNetwork.Changsha, "-o", current);
        Assert.StartsWith($"SIGNED  {id}", await net.MustAsync("license", "verify", "--xml", current, "--city", LedgerNetwork.Changsha), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_a_revoked_license_exits_1_and_says_revoked()
    {
        var (code, output, _) = await net.RunAsync("license", "verify", net.RevokedLicense, "--city", LedgerNetwork.Zhuzhou);
        Assert.Equal(1, code);
        Assert.StartsWith($"REVOKED  {net.RevokedLicense}", output, StringComparison.Ordinal);
        Assert.Contains("07 吊销", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_an_unknown_license_exits_1_and_says_unknown()
    {
        var unknown = LedgerNetwork.LicenseId("999999");
        var (code, output, _) = await net.RunAsync("license", "verify", unknown, "--city", LedgerNetwork.Zhuzhou);
        Assert.Equal(1, code);
        Assert.StartsWith("UNKNOWN", output, StringComparison.Ordinal);
        Assert.Contains(unknown, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "license", "verify" }, "give a license id")]
    [InlineData(new[] { "license", "verify", "x", "--bundle", "b.json", "--network", "g.json" }, "not both")]
    [InlineData(new[] { "license", "issue", "--type", "驾驶证", "--serial", "1" }, "not in the license-type catalog")]
    [InlineData(new[] { "license", "revoke", "id", "--status-code", "99" }, "99")]
    [InlineData(new[] { "license", "transfer", "{valid}", "--to", "110000" }, "neither a city code nor a log origin")]
    [InlineData(new[] { "license", "list", "--no-such-option" }, "--no-such-option")]
    [InlineData(new[] { "trace", "x", "--as", "nobody" }, "no credential for 'nobody'")]
    public async Task Bad_arguments_exit_2_with_a_message_and_no_stack_trace(string[] args, string expected)
    {
        // {valid} stands for a well-formed license id, so that the argument under test is the one refused.
        var (code, _, error) = await net.RunAsync([.. args.Select(a => a == "{valid}" ? net.ValidLicense : a)]);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_entry_exits_2_with_the_nodes_reason()
    {
        var (code, _, error) = await net.RunAsync("license", "suspend", net.RevokedLicense, "--city", LedgerNetwork.Changsha);
        Assert.Equal(2, code);
        Assert.Contains("FailedPrecondition", error, StringComparison.Ordinal);
        Assert.Contains("nothing may follow a revocation", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_counter_may_not_issue_licenses()
    {
        var (code, _, error) = await net.RunAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--as", "counter", "--type", "营业执照", "--serial", "000777",
            "--holder-name", "x", "--holder-code", LedgerNetwork.Uscc("91430100HUREN0201"),
            "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市", "--field", "成立日期=2024-03-01", "--field", "经营范围=软件开发");
        Assert.Equal(2, code);
        Assert.Contains("PermissionDenied", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_license_from_a_json_body_file_goes_through_change_suspend_and_resume()
    {
        var id = LedgerNetwork.LicenseId("000010");
        var body = Path.Combine(net.Dir, "license-000010.json");
        await File.WriteAllTextAsync(body, $$"""
            {
              "licenseId": "{{id}}",
              "typeCode": "{{LedgerNetwork.BusinessLicense}}",
              "name": "营业执照",
              "licenseNumber": "430100-000010",
              "holderName": "长沙文件测试有限公司",
              "holderCode": "{{LedgerNetwork.Uscc("91430100HUREN0201")}}",
              "holderCodeType": "001",
              "validFrom": "2024-03-01",
              "validUntil": "2030-02-28",
              "fields": [
                { "name": "类型", "value": "有限责任公司" },
                { "name": "住所", "value": "湖南省长沙市岳麓区" },
                { "name": "成立日期", "value": "2024-03-01" },
                { "name": "经营范围", "value": "软件开发" }
              ]
            }
            """);
        var issued = JsonDocument.Parse(await net.MustAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--file", body, "--json")).RootElement;
        Assert.Equal(id, issued.GetProperty("recordId").GetString());
        Assert.Equal("license.issue", issued.GetProperty("kind").GetString());

        await net.MustAsync("license", "change", id, "--renew", "--valid-until", "2035-02-28", "--city", LedgerNetwork.Changsha);
        var renewed = JsonDocument.Parse(await net.MustAsync("license", "verify", id, "--city", LedgerNetwork.Changsha, "--json")).RootElement;
        Assert.Equal("2035-02-28", renewed.GetProperty("validUntil").GetString());
        Assert.Equal("430100-amr", renewed.GetProperty("issuerId").GetString());

        await net.MustAsync("license", "suspend", id, "--city", LedgerNetwork.Changsha);
        var (suspended, suspendedOutput, _) = await net.RunAsync("license", "verify", id, "--city", LedgerNetwork.Changsha);
        Assert.Equal(1, suspended);
        Assert.StartsWith("SUSPENDED", suspendedOutput, StringComparison.Ordinal);
        await net.MustAsync("license", "resume", id, "--city", LedgerNetwork.Changsha);
        Assert.StartsWith("VALID", await net.MustAsync("license", "verify", id, "--city", LedgerNetwork.Changsha), StringComparison.Ordinal);

        // Lifecycle verbs read body files too, with enums by their proto names; the verb must agree with the file.
        var revokeBody = Path.Combine(net.Dir, "revoke-000010.json");
        await File.WriteAllTextAsync(revokeBody, $$"""{ "licenseId": "{{id}}", "action": "LICENSE_STATUS_ACTION_REVOKE", "statusCode": "04", "reason": "企业注销" }""");
        var (mismatch, _, mismatchError) = await net.RunAsync("license", "suspend", "--file", revokeBody, "--city", LedgerNetwork.Changsha);
        Assert.Equal(2, mismatch);
        Assert.Contains("says action Revoke", mismatchError, StringComparison.Ordinal);
        await net.MustAsync("license", "revoke", "--file", revokeBody, "--city", LedgerNetwork.Changsha);
        var (revoked, revokedOutput, _) = await net.RunAsync("license", "verify", id, "--city", LedgerNetwork.Changsha);
        Assert.Equal(1, revoked);
        Assert.Contains("04", revokedOutput, StringComparison.Ordinal);
        Assert.Contains("企业注销", revokedOutput, StringComparison.Ordinal);

        // A body file with a field the schema does not have is refused before anything is sent.
        await File.WriteAllTextAsync(body, """{ "licenseId": "x", "holdrName": "typo" }""");
        var (bad, _, badError) = await net.RunAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--file", body);
        Assert.Equal(2, bad);
        Assert.Contains("holdrName", badError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issuer_list_and_license_list_filter_and_print_json()
    {
        var issuers = JsonDocument.Parse(await net.MustAsync("issuer", "list", "--city", LedgerNetwork.Zhuzhou, "--origin", LedgerNetwork.Changsha, "--json")).RootElement.GetProperty("issuers");
        Assert.Equal(new[] { "430100-amr", "430100-window" }, issuers.EnumerateArray().Select(i => i.GetProperty("issuerId").GetString()!).Order().ToArray());

        var revoked = JsonDocument.Parse(await net.MustAsync("license", "list", "--status", "revoked", "--json")).RootElement.GetProperty("licenses");
        Assert.Contains(net.RevokedLicense, revoked.EnumerateArray().Select(l => l.GetProperty("licenseId").GetString()));
        Assert.DoesNotContain(net.ValidLicense, revoked.EnumerateArray().Select(l => l.GetProperty("licenseId").GetString()));
        Assert.All(revoked.EnumerateArray(), l => Assert.Equal("REVOKED", l.GetProperty("verdict").GetString()));
        var byIssuer = JsonDocument.Parse(await net.MustAsync("license", "list", "--issuer", "430100-amr", "--type", "营业执照", "--json")).RootElement.GetProperty("licenses");
        var byIssuerIds = byIssuer.EnumerateArray().Select(l => l.GetProperty("licenseId").GetString()).ToList();
        Assert.Contains(net.ValidLicense, byIssuerIds);
        Assert.Contains(net.RevokedLicense, byIssuerIds);
        Assert.All(byIssuer.EnumerateArray(), l => Assert.Equal("430100-amr", l.GetProperty("issuerId").GetString()));
        var none = JsonDocument.Parse(await net.MustAsync("license", "list", "--issuer", "430200-window", "--json")).RootElement.GetProperty("licenses");
        Assert.Equal(0, none.GetArrayLength());

        var table = await net.MustAsync("license", "list", "--status", "valid");
        Assert.Contains(net.ValidLicense, table, StringComparison.Ordinal);
        Assert.DoesNotContain(net.RevokedLicense, table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_spans_cities_in_tree_json_and_dot()
    {
        var tree = await net.MustAsync("trace", net.ValidLicense);
        Assert.Contains("huren.cz-t/430100", tree, StringComparison.Ordinal);
        Assert.Contains("license.issue", tree, StringComparison.Ordinal);
        Assert.Contains("huren.cz-t/430200", tree, StringComparison.Ordinal);
        Assert.Contains("→ license: huren.cz-t/430100", tree, StringComparison.Ordinal);

        var json = await net.MustAsync("trace", net.ValidLicense, "--json");
        var trace = JsonDocument.Parse(json).RootElement;
        Assert.Equal("huren-trace/v1", trace.GetProperty("format").GetString());
        Assert.Equal(net.ValidLicense, trace.GetProperty("recordId").GetString());
        Assert.Equal(3, trace.GetProperty("sources").EnumerateArray().Count(s => s.GetProperty("answered").GetBoolean()));
        var logs = trace.GetProperty("logs").EnumerateArray().ToList();
        Assert.Equal(new[] { "huren.cz-t/430100", "huren.cz-t/430200" }, logs.Select(l => l.GetProperty("origin").GetString()!).ToArray());
        var issue = logs[0].GetProperty("entries")[0];
        Assert.Equal("license.issue", issue.GetProperty("kind").GetString());
        var use = logs[1].GetProperty("entries")[0];
        Assert.Equal("license.use", use.GetProperty("kind").GetString());
        var edge = Assert.Single(trace.GetProperty("edges").EnumerateArray());
        Assert.Equal("license", edge.GetProperty("relation").GetString());
        Assert.Equal(issue.GetProperty("index").GetUInt64(), edge.GetProperty("to").GetProperty("index").GetUInt64());
        Assert.True(edge.GetProperty("inTrace").GetBoolean());
        Assert.Equal(issue.GetProperty("leafHash").GetString(), use.GetProperty("references")[0].GetProperty("leafHash").GetString());

        // Stable: asking again gives the same document.
        Assert.Equal(json, await net.MustAsync("trace", net.ValidLicense, "--json"));

        var dot = await net.MustAsync("trace", net.ValidLicense, "--dot");
        Assert.StartsWith("digraph trace {", dot, StringComparison.Ordinal);
        Assert.Contains("\"huren.cz-t/430200#", dot, StringComparison.Ordinal);
        Assert.Contains("[label=\"license\"]", dot, StringComparison.Ordinal);

        var (none, _, _) = await net.RunAsync("trace", "no-such-record");
        Assert.Equal(1, none);
    }

    [Fact]
    public async Task Audit_log_reverifies_a_log_from_another_citys_copy()
    {
        var json = await net.MustAsync("audit", "log", LedgerNetwork.Changsha, "--city", LedgerNetwork.Xiangtan, "--json");
        var report = JsonDocument.Parse(json).RootElement;
        Assert.True(report.GetProperty("ok").GetBoolean(), json);
        Assert.True(report.GetProperty("entries").GetUInt64() >= 5);
        Assert.True(report.GetProperty("entriesByKind").GetProperty("license.issue").GetUInt64() >= 2);
        Assert.Equal(2UL, report.GetProperty("entriesByKind").GetProperty("issuer.register").GetUInt64());
        Assert.Equal(report.GetProperty("entries").GetUInt64(), report.GetProperty("signaturesVerified").GetUInt64());
        Assert.True(report.GetProperty("checkpoints").GetUInt64() >= 1);

        var (eqCode, eqOutput, _) = await net.RunAsync("audit", "equivocations");
        Assert.Equal(0, eqCode);
        Assert.StartsWith("No equivocation", eqOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoint_prints_the_signed_note_as_is()
    {
        var (code, note, verification) = await net.RunAsync("checkpoint", LedgerNetwork.Changsha, "--city", LedgerNetwork.Zhuzhou);
        Assert.Equal(0, code);
        Assert.StartsWith("verified: signed by huren.cz-t/430100's log key", verification, StringComparison.Ordinal);
        var lines = note.Split('\n');
        Assert.Equal("huren.cz-t/430100", lines[0]);
        Assert.True(ulong.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture) >= 5);
        // The status map's extension line (docs/status-map.md), then the blank line and the signatures.
        Assert.StartsWith("huren-status-map/v1 ", lines[3], StringComparison.Ordinal);
        Assert.Equal("", lines[4]);
        Assert.StartsWith("— huren.cz-t/430100 ", lines[5], StringComparison.Ordinal);
        Assert.EndsWith("\n", note, StringComparison.Ordinal);
        var parsed = Huren.Sdk.Notes.SignedNote.Parse(note);
        Assert.Equal(note, parsed.ToString());
    }

    [Fact]
    public async Task Checkpoint_final_prints_the_newest_final_note_and_refuses_a_size_with_it()
    {
        // The witnesses cosign within moments; a busy moment may still leave none final for a short while: --wait asks again.
        var (code, note, verification) = await net.RunAsync("checkpoint", LedgerNetwork.Changsha, "--final", "--wait", "00:01:00", "--city", LedgerNetwork.Zhuzhou);
        Assert.True(code == 0, verification);
        Assert.EndsWith("(final)", verification.TrimEnd(), StringComparison.Ordinal);
        Assert.StartsWith("huren.cz-t/430100\n", note, StringComparison.Ordinal);

        var (usage, _, error) = await net.RunAsync("checkpoint", LedgerNetwork.Changsha, "--final", "--size", "1", "--city", LedgerNetwork.Zhuzhou);
        Assert.Equal(2, usage);
        Assert.Contains("--final and --size exclude each other", error, StringComparison.Ordinal);
        (usage, _, error) = await net.RunAsync("checkpoint", LedgerNetwork.Changsha, "--wait", "00:00:05", "--city", LedgerNetwork.Zhuzhou);
        Assert.Equal(2, usage);
        Assert.Contains("--wait goes with --final", error, StringComparison.Ordinal);
        // A bare number is days to TimeSpan's parser: far beyond the cap, and said so.
        (usage, _, error) = await net.RunAsync("checkpoint", LedgerNetwork.Changsha, "--final", "--wait", "30", "--city", LedgerNetwork.Zhuzhou);
        Assert.Equal(2, usage);
        Assert.Contains("--wait must be a duration hh:mm:ss from 00:00:00 to 01:00:00 (e.g. 00:00:30), got 30", error, StringComparison.Ordinal);
    }

    /// <summary>The SDK's rule binding a node's answer to its evidence (what the CLI's verify, use and export rely on).</summary>
    private static Huren.Sdk.Evidence.EvidenceResult Bind(Huren.Schemas.Services.VerdictResponse response, string licenseId, Huren.Sdk.Evidence.EvidenceVerifier verifier)
        => Huren.Sdk.Client.VerifiedLicense.Check(response, Huren.Sdk.Client.LicenseQuestion.ById(licenseId), verifier, Huren.Sdk.Evidence.LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow)).Evidence;
}
