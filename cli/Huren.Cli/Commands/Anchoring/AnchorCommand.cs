using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Huren.Anchoring;
using Huren.Anchoring.Chain;
using Huren.Cli.Commands.Licenses;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Evidence;

namespace Huren.Cli.Commands.Anchoring;

/// <summary><c>huren anchor status|now|proof|verify</c>: the node's anchors on the EVM chain and their proofs.</summary>
internal static class AnchorCommand
{
    public static Command Build()
    {
        var anchor = new Command("anchor", "Anchors of the network's final checkpoints on an EVM chain (docs/anchoring.md).");
        anchor.Subcommands.Add(Status());
        anchor.Subcommands.Add(Now());
        anchor.Subcommands.Add(Proof());
        anchor.Subcommands.Add(Verify());
        return anchor;
    }

    private static Command Status()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var recent = new Option<int>("--recent") { Description = "Also list this many older anchor records (0–100).", DefaultValueFactory = _ => 0 }
            .InRange(0, 100, "records");
        var command = new Command("status", "The node's anchoring: chain, contract, account, K, the current and the last confirmed anchor, the last error, and the newest RFC 3161 time-stamp.") { recent };
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(recent);
            using var session = access.Open(parse);
            var status = await session.Client.Anchoring.GetAnchorStatusAsync(new AnchorStatusRequest { Recent = count }, session.Options(ct)).ConfigureAwait(false);
            await PrintAsync(status, session.AsJson, parse.InvocationConfiguration.Output).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Now()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var command = new Command("now", "Anchor the latest final checkpoints now, without waiting for the interval or entry count (operator).");
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var status = await session.Client.Anchoring.AnchorNowAsync(new AnchorNowRequest(), session.Options(ct)).ConfigureAwait(false);
            await PrintAsync(status, session.AsJson, parse.InvocationConfiguration.Output).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Proof()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Argument<string>("origin") { Description = "The log: a city code (430100) or origin (huren.cz-t/430100)." };
        var size = new Option<ulong>("--size") { Description = "The checkpoint size the proof is for (a consistency proof links it to the anchored size), 1 or more; default the newest anchor." }
            .WholeNumber(1UL, ulong.MaxValue, OptionValues.SizeRule("the newest anchor"));
        var file = new Option<string?>("--output", "--out", "-o") { Description = "Write the proof JSON to this file instead of standard output." };
        var command = new Command("proof", "Get the anchor proof of a log's checkpoint from the node (the anchorProofs element of huren-evidence/v1).") { origin, size, file };
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var response = await session.Client.Anchoring.GetAnchorProofAsync(new AnchorProofRequest { Origin = session.OriginOf(parse.GetValue(origin)!), Size = parse.GetValue(size) }, session.Options(ct)).ConfigureAwait(false);
            var json = Encoding.UTF8.GetString(response.Proof);
            if (parse.GetValue(file) is { } path) await File.WriteAllTextAsync(path, json + "\n", ct).ConfigureAwait(false);
            else await parse.InvocationConfiguration.Output.WriteLineAsync(json).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify()
    {
        var bundle = new Option<string?>("--bundle") { Description = "An evidence bundle (huren-evidence/v1) whose anchorProofs are checked against its checkpoints." };
        var proof = new Option<string?>("--proof") { Description = "One anchor proof (JSON, from 'huren anchor proof')." };
        var network = new Option<string>("--network") { Description = "The network configuration (genesis.json): log keys and witnesses for the anchored notes.", Required = true };
        var chainId = new Option<ulong>("--chain-id") { Description = "The network's chain id.", Required = true };
        var contract = new Option<string>("--contract") { Description = "The network's anchor contract (0x address).", Required = true };
        var rpcUrl = new Option<string?>("--rpc-url") { Description = "Also ask this EVM JSON-RPC endpoint that the transaction, block and log exist (online check)." };
        var confirmations = new Option<ulong>("--confirmations") { Description = "Online: confirmations required (K).", DefaultValueFactory = _ => 12 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("verify",
            "Verify anchor proofs: offline (the leaf's path to the anchored root, the anchored note's signatures and finality, the\n" +
            "link to the bundle's checkpoint), then with --rpc-url online (receipt, canonical block, the Anchored log, the\n" +
            "contract's record, K confirmations). Exit 0 all valid, 1 one is not, 2 an error.") { bundle, proof, network, chainId, contract, rpcUrl, confirmations, json };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var trusted = LicenseVerifyCommand.ReadNetwork(parse.GetValue(network)!);
            if (!EvmHex.TryParse(parse.GetValue(contract), 20, out _)) throw new CliException($"--contract must be a 0x address of 20 bytes, got '{parse.GetValue(contract)}'");
            var verifier = new AnchorProofVerifier(new AnchorContract(parse.GetValue(chainId), parse.GetValue(contract)!), trusted);
            var proofs = new List<(AnchorProof Proof, AnchorProofResult Offline)>();
            var bundlePath = parse.GetValue(bundle);
            if (bundlePath is not null == parse.GetValue(proof) is not null) throw new CliException("give either --bundle or --proof");
            if (bundlePath is not null)
            {
                var parsed = EvidenceBundle.Parse(await LicenseVerifyCommand.ReadBundleAsync(bundlePath).ConfigureAwait(false));
                if (parsed.AnchorProofs is not { Count: > 0 }) throw new CliException($"bundle '{Path.GetFullPath(bundlePath)}' carries no anchor proofs");
                var results = verifier.VerifyBundle(parsed);
                for (var i = 0; i < results.Count; i++) proofs.Add((parsed.AnchorProofs[i], results[i]));
            }
            else
            {
                var path = Path.GetFullPath(parse.GetValue(proof)!);
                string text;
                try
                {
                    text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"proof '{path}' cannot be read: {ex.Message}", ex);
                }
                var one = AnchorProof.Parse(text);
                proofs.Add((one, verifier.Verify(one)));
            }
            var rows = new List<object>();
            var allValid = true;
            AnchorChainClient? chain = null;
            try
            {
                if (parse.GetValue(rpcUrl) is { } url)
                {
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var rpc)) throw new CliException($"--rpc-url '{url}' is not a URL");
                    chain = new AnchorChainClient(new AnchorChainOptions { RpcUrl = rpc, ChainId = parse.GetValue(chainId), Contract = parse.GetValue(contract)! });
                }
                foreach (var (p, offline) in proofs)
                {
                    AnchorOnlineResult? online = null;
                    if (offline.IsValid && chain is not null) online = await new AnchorProofOnlineCheck(chain).CheckAsync(p, parse.GetValue(confirmations), ct).ConfigureAwait(false);
                    var valid = offline.IsValid && (online?.IsValid ?? true);
                    allValid &= valid;
                    rows.Add(new
                    {
                        origin = p.Leaf.Origin, size = p.Leaf.Size, sequence = p.Chain.Sequence, transaction = p.Chain.Transaction, block = p.Chain.BlockNumber,
                        valid, offline = offline.IsValid, failure = offline.Failure ?? online?.Failure,
                        online = online is null ? null : (bool?)online.IsValid, confirmations = online?.Confirmations,
                    });
                    if (!parse.GetValue(json))
                    {
                        var where = string.Create(CultureInfo.InvariantCulture, $"{p.Leaf.Origin} @ {p.Leaf.Size}: anchor {p.Chain.Sequence}, block {p.Chain.BlockNumber}, tx {p.Chain.Transaction}");
                        if (!offline.IsValid) await output.WriteLineAsync($"NOT VALID  {where}: {offline.Failure}").ConfigureAwait(false);
                        else if (online is { IsValid: false }) await output.WriteLineAsync($"NOT ON CHAIN  {where}: {online.Failure}").ConfigureAwait(false);
                        else if (online is not null) await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"valid  {where}; on chain with {online.Confirmations} confirmations")).ConfigureAwait(false);
                        else await output.WriteLineAsync($"valid offline  {where} (not asked on chain: no --rpc-url)").ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                chain?.Dispose();
            }
            if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(new { valid = allValid, proofs = rows }, CliJson.Options)).ConfigureAwait(false);
            return allValid ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    private static async Task PrintAsync(AnchorStatusResponse status, bool asJson, TextWriter output)
    {
        AnchorRecord? Read(byte[] bytes) => bytes.Length == 0 ? null : AnchorRecord.Parse(bytes);
        var current = Read(status.Current);
        var confirmed = Read(status.LastConfirmed);
        if (asJson)
        {
            static JsonElement? Raw(byte[] bytes) => bytes.Length == 0 ? null : JsonDocument.Parse(bytes).RootElement.Clone();
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                enabled = status.Enabled, chainId = status.ChainId, contract = status.Contract, account = status.Account, confirmations = status.Confirmations,
                current = Raw(status.Current), lastConfirmed = Raw(status.LastConfirmed), lastError = status.LastError.Length > 0 ? status.LastError : null,
                consecutiveFailures = status.ConsecutiveFailures, recent = status.Recent.Select(r => Raw(r)).ToList(),
                timestamping = status.Timestamping,
                latestTimestamp = status.LatestTimestamp is { } t ? new { origin = t.Origin, size = t.Size, genTime = DateTimeOffset.FromUnixTimeMilliseconds(t.GenTimeUnixMs) } : null,
                timestampError = status.TimestampError.Length > 0 ? status.TimestampError : null,
            }, CliJson.Options)).ConfigureAwait(false);
            return;
        }
        if (!status.Enabled) await output.WriteLineAsync("anchoring: off (Huren:Anchoring:RpcUrl not set)").ConfigureAwait(false);
        else
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"anchoring: chain {status.ChainId}, contract {status.Contract}, account {status.Account}, K = {status.Confirmations}")).ConfigureAwait(false);
            await output.WriteLineAsync($"current:        {Describe(current)}").ConfigureAwait(false);
            await output.WriteLineAsync($"last confirmed: {Describe(confirmed)}").ConfigureAwait(false);
            if (status.LastError.Length > 0) await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"failing:        {status.ConsecutiveFailures} in a row: {status.LastError}")).ConfigureAwait(false);
            foreach (var r in status.Recent) await output.WriteLineAsync($"  {Describe(AnchorRecord.Parse(r))}").ConfigureAwait(false);
        }
        if (!status.Timestamping) await output.WriteLineAsync("time-stamping: off (Huren:Timestamping:Url not set)").ConfigureAwait(false);
        else
        {
            var t = status.LatestTimestamp;
            await output.WriteLineAsync(t is null ? "time-stamping: no token yet" : string.Create(CultureInfo.InvariantCulture, $"time-stamping: newest token for {t.Origin} @ {t.Size}, TSA time {DateTimeOffset.FromUnixTimeMilliseconds(t.GenTimeUnixMs):O}")).ConfigureAwait(false);
            if (status.TimestampError.Length > 0) await output.WriteLineAsync($"  failing: {status.TimestampError}").ConfigureAwait(false);
        }
    }

    private static string Describe(AnchorRecord? r)
    {
        if (r is null) return "none";
        var logs = string.Join(", ", r.Checkpoints.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Origin}@{c.Size}")));
        var at = r.Inclusion is { } i ? string.Create(CultureInfo.InvariantCulture, $", block {i.BlockNumber}, sequence {i.Sequence}, tx {i.Transaction}") : "";
        return string.Create(CultureInfo.InvariantCulture, $"#{r.Id} {r.Status.ToString().ToLowerInvariant()} ({r.Confirmations} confirmations{at}) over {logs}{(r.Reorgs > 0 ? $", {r.Reorgs} reorgs" : "")}");
    }
}
