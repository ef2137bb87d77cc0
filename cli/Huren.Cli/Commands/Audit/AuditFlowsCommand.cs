using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Huren.Cli.Commands.Seals;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;

namespace Huren.Cli.Commands.Audit;

/// <summary>
/// <c>huren audit flows</c>: every data share of every log the node keeps, joined with its receipt (by origin, index and
/// leaf hash, and keeping the receipt rule with it), filtered; faults: a share with no receipt after the deadline, a
/// receipt whose share is not there, a receipt that points at a share it does not match (another consumer's log or
/// department, another share id, digest or count).
/// </summary>
internal static partial class AuditFlowsCommand
{
    /// <summary>The CSV columns, in order (docs/exchange.md).</summary>
    public static readonly string[] CsvColumns = ["share_id", "provider_origin", "share_index", "shared_at", "resource", "record_id", "fields", "consumer_code", "consumer_origin", "purpose", "matter_code", "receipt_index", "received_at", "fault", "reshare_of", "receipt_origin"];

    internal sealed record Flow(string ShareId, string ProviderOrigin, ulong ShareIndex, DateTimeOffset SharedAt, DataShared Share, ulong? ReceiptIndex, DateTimeOffset? ReceivedAt, string Fault,
        string ReshareOf = "", string ReceiptOrigin = "")
    {
        /// <summary>A row made from a receipt alone (its share missing or not matching): what it says of the share is unknown.</summary>
        public bool FromReceipt => SharedAt == default;
    }

    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var record = new Option<string?>("--record") { Description = "Only flows of this record." };
        var provider = new Option<string?>("--provider") { Description = "Only from this city (code or origin)." };
        var consumer = new Option<string?>("--consumer") { Description = "Only to this city (code or origin) or department (统一社会信用代码)." };
        var purpose = new Option<string?>("--purpose") { Description = "Only with this purpose." };
        var since = new Option<DateTimeOffset?>("--since")
        {
            Description = "Only shares recorded at or after this time: a day yyyy-MM-dd (China time, from 00:00) or an instant with its offset (2026-12-06T04:17:00+08:00).",
            CustomParser = result => ParseTime(result, end: false),
        };
        var until = new Option<DateTimeOffset?>("--until")
        {
            Description = "Only shares recorded at or before this time: a day yyyy-MM-dd (China time, the whole day) or an instant with its offset.",
            CustomParser = result => ParseTime(result, end: true),
        };
        // At most a year: a receipt is recorded as the data arrives, so a longer deadline hides every missing one.
        var deadline = new Option<TimeSpan>("--deadline")
        {
            Description = "A share without a receipt this long after it was recorded is a fault: d.hh:mm:ss, 00:00:00 to 365.00:00:00 (1.00:00:00 is a day).",
            DefaultValueFactory = _ => TimeSpan.FromDays(1),
        }.Duration(TimeSpan.Zero, TimeSpan.FromDays(365), "a duration d.hh:mm:ss from 00:00:00 to 365.00:00:00 (e.g. 1.00:00:00, a day)");
        var csv = new Option<bool>("--csv") { Description = $"CSV with the columns {string.Join(",", CsvColumns)}." };
        var flows = new Command("flows",
            "Trace data flows across every city: each share with its receipt, filtered. Faults: a share with no receipt after\n" +
            "--deadline, a receipt whose share is not in the provider's log, a log's own node that gives a newer final\n" +
            "checkpoint but not the entries that make it. Each log is read up to the node's final checkpoint, and its newer\n" +
            "entries from the log's own node when that holds a newer one (with the profile's auditor credential there).\n" +
            "Exit 0 no fault, 1 faults found, 2 a log that cannot be read whole or has forked.") { record, provider, consumer, purpose, since, until, deadline, csv };
        flows.Validators.Add(result =>
        {
            if (result.ReadValue(since) is { } from && result.ReadValue(until) is { } to && from > to)
                result.AddError($"--since ({SealFiles.Show(from)}) is after --until ({SealFiles.Show(to)}): no share can match");
        });
        access.AddTo(flows);
        flows.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(access.Json) && parse.GetValue(csv)) throw new CliException("give --json or --csv, not both");
            using var session = access.Open(parse);
            var ledger = await Trace.FlowLedger.ReadAsync(session, ct).ConfigureAwait(false);
            var rows = Rows(ledger, DateTimeOffset.UtcNow, parse.GetValue(deadline));
            var providerOrigin = parse.GetValue(provider) is { } p ? session.OriginOf(p) : null;
            var consumerFilter = parse.GetValue(consumer) is { } c ? (c.Length == 18 ? c : session.OriginOf(c)) : null;
            // A row from a receipt alone knows no record or purpose: those filters do not hide its fault, and its time is the receipt's.
            rows = [.. rows.Where(f =>
                (parse.GetValue(record) is not { } r || f.FromReceipt || f.Share.RecordId == r)
                && (providerOrigin is null || f.ProviderOrigin == providerOrigin)
                && (consumerFilter is null || f.Share.ConsumerOrigin == consumerFilter || f.Share.ConsumerCode == consumerFilter)
                && (parse.GetValue(purpose) is not { } pu || f.FromReceipt || f.Share.Purpose == pu)
                && Within(f, parse.GetValue(since), parse.GetValue(until)))
                .OrderBy(f => f.ProviderOrigin, StringComparer.Ordinal).ThenBy(f => f.ShareIndex)];
            var output = parse.InvocationConfiguration.Output;
            string Time(DateTimeOffset? t) => t is { } v && v != default ? v.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "";
            string[] Cells(Flow f) => [f.ShareId, f.ProviderOrigin, f.Fault == "receipt-without-share" ? "" : f.ShareIndex.ToString(CultureInfo.InvariantCulture), Time(f.SharedAt), f.Share.ResourceId, f.Share.RecordId,
                string.Join(";", f.Share.Fields), f.Share.ConsumerCode, f.Share.ConsumerOrigin, f.Share.Purpose, f.Share.MatterCode, f.ReceiptIndex?.ToString(CultureInfo.InvariantCulture) ?? "", Time(f.ReceivedAt), f.Fault, f.ReshareOf, f.ReceiptOrigin];
            if (parse.GetValue(csv))
            {
                var text = new StringBuilder(string.Join(",", CsvColumns)).Append('\n');
                foreach (var f in rows) text.Append(string.Join(",", Cells(f).Select(Quote))).Append('\n');
                await output.WriteAsync(text.ToString()).ConfigureAwait(false);
                // What was read goes beside the CSV, not into it: its columns are fixed.
                await parse.InvocationConfiguration.Error.WriteLineAsync(ledger.Coverage()).ConfigureAwait(false);
            }
            else if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    flows = rows.Select(f => CsvColumns.Zip(Cells(f)).ToDictionary(x => x.First, x => x.Second)),
                    faults = rows.Count(f => f.Fault.Length > 0) + ledger.OwnNodeRefused.Count,
                    logs = ledger.SizesRead.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new
                    {
                        origin = l.Key, size = l.Value, notYetFinal = ledger.NotYetFinal(l.Key), latestUnknown = ledger.LatestUnknown.GetValueOrDefault(l.Key),
                        readFromOwnNode = ledger.ReadFromOwnNode.ContainsKey(l.Key), askedNodeFinal = ledger.ReadFromOwnNode.TryGetValue(l.Key, out var own) ? own.AskedFinal : null,
                        ownNodeUnasked = ledger.OwnNodeUnasked.GetValueOrDefault(l.Key),
                        ownNodeRefused = ledger.OwnNodeRefused.TryGetValue(l.Key, out var refused) ? $"{refused.CityCode} gave a final checkpoint of {refused.Size} entries, not read: {refused.Why}" : null,
                    }),
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                if (rows.Count == 0) await output.WriteLineAsync("No data flows match.").ConfigureAwait(false);
                else
                {
                    await output.WriteAsync(ConsoleTable.Format(["SHARE", "FROM", "RECORD", "FIELDS", "TO", "PURPOSE", "RECEIPT", "FAULT"],
                        rows.Select(f => new[] { f.ShareId, $"{f.ProviderOrigin} #{f.ShareIndex}", f.Share.RecordId, string.Join("、", f.Share.Fields), f.Share.ConsumerOrigin, f.Share.Purpose, f.ReceiptIndex is { } i ? $"#{i}" : "—", f.Fault }))).ConfigureAwait(false);
                }
                await output.WriteLineAsync(ledger.Coverage()).ConfigureAwait(false);
            }
            // A log's own node that gave a newer final checkpoint and then not the entries that make it is a fault too.
            return rows.Exists(f => f.Fault.Length > 0) || ledger.OwnNodeRefused.Count > 0 ? ExitCodes.Negative : ExitCodes.Success;
        });
        return flows;
    }

    /// <summary>Every share of <paramref name="ledger"/> joined with its receipt, and every receipt that acknowledges no share, with its fault.</summary>
    internal static List<Flow> Rows(Trace.FlowLedger ledger, DateTimeOffset now, TimeSpan deadline)
    {
        var received = new Dictionary<(string, ulong), (string Origin, ulong Index, DateTimeOffset At)>();
        var rows = new List<Flow>();
        foreach (var r in ledger.Receipts)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(r.Entry.TimeUnixMs);
            if (ledger.ShareOf(r) is { } acknowledged)
            {
                received[(acknowledged.Origin, acknowledged.Index)] = (r.Origin, r.Index, at);
                continue;
            }
            if (ledger.BeyondRead(r)) continue;
            // A receipt that points at a share it does not match acknowledges nothing: reported, never joined.
            rows.Add(new Flow(r.Body.ShareId, r.Body.ProviderOrigin, r.ShareReference?.Index ?? 0, default,
                new DataShared { ShareId = r.Body.ShareId, ConsumerCode = r.Body.ConsumerCode, ConsumerOrigin = r.Origin },
                r.Index, at, ledger.Referenced(r) is null ? "receipt-without-share" : "receipt-mismatch", ReceiptOrigin: r.Origin));
        }
        foreach (var scanned in ledger.Shares)
        {
            var (origin, index, share) = (scanned.Origin, scanned.Index, scanned);
            var at = DateTimeOffset.FromUnixTimeMilliseconds(share.Entry.TimeUnixMs);
            var has = received.TryGetValue((origin, index), out var receipt);
            // A re-share breaking the rule (ReshareRule) is a fault before a missing receipt.
            var fault = ledger.ReshareFault(scanned);
            if (fault.Length == 0 && !has && now - at > deadline) fault = "share-without-receipt";
            rows.Add(new Flow(share.Body.ShareId, origin, index, at, share.Body, has ? receipt.Index : null, has ? receipt.At : null,
                fault, scanned.ReceiptReference is { } via ? $"{via.Origin}#{via.Index.ToString(CultureInfo.InvariantCulture)}" : "", has ? receipt.Origin : ""));
        }
        return rows;
    }

    /// <summary>Whether <paramref name="flow"/> was recorded within [<paramref name="since"/>, <paramref name="until"/>] (a row from a receipt alone: the receipt's time).</summary>
    internal static bool Within(Flow flow, DateTimeOffset? since, DateTimeOffset? until)
    {
        var at = flow.FromReceipt ? flow.ReceivedAt : flow.SharedAt;
        return (since is not { } s || at >= s) && (until is not { } u || at <= u);
    }

    /// <summary>
    /// <c>--since</c>/<c>--until</c>: a day yyyy-MM-dd in China time, as every date option of the CLI (its first instant,
    /// or with <paramref name="end"/> its last), or an ISO 8601 instant that says its offset. Never the machine's time
    /// zone: an auditor on a UTC machine would miss the first eight hours of a Chinese day.
    /// </summary>
    private static DateTimeOffset? ParseTime(ArgumentResult result, bool end)
    {
        if (result.Tokens.Count != 1) return null;
        var text = result.Tokens[0].Value;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            // The last tick of the day, not SealFiles.EndOf (to the second): a share at 23:59:59.5 is of that day.
            return end ? SealFiles.StartOf(day.AddDays(1)).AddTicks(-1) : SealFiles.StartOf(day);
        }
        if (InstantWithOffset().IsMatch(text)
            && DateTimeOffset.TryParseExact(text, InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return instant;
        }
        result.AddError($"{(end ? "--until" : "--since")} '{text}' is not a day (yyyy-MM-dd, China time) or an instant with its offset (e.g. 2026-12-06T04:17:00+08:00 or 2026-12-05T20:17:00Z)");
        return null;
    }

    private static readonly string[] InstantFormats = ["yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>An offset at the end (K alone also takes none, which would mean the machine's zone).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(Z|[+-]\d{2}:\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex InstantWithOffset();

    /// <summary>
    /// RFC 4180 quoting (a carriage return too), and a cell a spreadsheet would run as a formula (= + - @ first) is
    /// written with a leading apostrophe: cells hold text the departments wrote.
    /// </summary>
    internal static string Quote(string cell)
    {
        if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@') cell = "'" + cell;
        return cell.IndexOfAny([',', '"', '\n', '\r']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
