using System.Text;
using Huren.Node.Storage;
using Huren.Node.Witness;
using Huren.Sdk.Tests;

namespace Huren.Node.Tests.Witness;

/// <summary>
/// <see cref="WitnessState"/> on its own, over a real RocksDB store in a temp folder: the format marker, the
/// compare-and-swap outcomes, the evidence and quarantine rows field by field, the operator's clear, evidence order
/// past nine records, and rows that do not parse.
/// </summary>
public sealed class WitnessStateTests : IDisposable
{
    private const string Origin = "huren.cz-t/430200";
    private const string Other = "huren.cz-t/430300";

    private readonly TempDir _dir = new();
    private readonly RocksStore _db;
    private readonly KeySpace _rows;
    private readonly TestClock _clock = new(WitnessFixture.Start);

    public WitnessStateTests()
    {
        _db = RocksStore.Open(_dir.Path);
        _rows = new KeySpace(_db, StoreFamily.State, WitnessState.KeySpaceName);
    }

    public void Dispose()
    {
        _db.Dispose();
        _dir.Dispose();
    }

    private static CosignedCheckpoint Checkpoint(ulong size, string origin = Origin) => new()
    {
        Origin = origin, Size = size, Root = Convert.ToBase64String(new byte[32]), Note = $"note {size}", Cosignature = $"line {size}", CosignedUnixMs = 42,
    };

    [Fact]
    public void Missing_stores_are_argument_errors()
    {
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => WitnessState.Open(null!)).ParamName);
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => new WitnessState(null!)).ParamName);
    }

    [Fact]
    public void The_format_is_written_with_the_first_row_and_another_format_is_refused()
    {
        var state = WitnessState.Open(_db, _clock);
        Assert.Null(_rows.Get("format"));
        Assert.Equal(AdvanceOutcome.Stored, state.TryAdvance(0, Checkpoint(3)));
        Assert.Equal(WitnessState.FormatMarker, Encoding.UTF8.GetString(_rows.Get("format")!));
        // The marker it wrote is its own: reopening works.
        Assert.Equal(3ul, WitnessState.Open(_db, _clock).GetCosigned(Origin)!.Size);

        _rows.PutNow("format"u8, "huren-witness/v2"u8);
        var ex = Assert.Throws<InvalidOperationException>(() => WitnessState.Open(_db, _clock));
        Assert.Equal("the 'witness' key space of the node's store is not in the huren-witness/v1 format", ex.Message);
    }

    [Fact]
    public void Advance_is_a_compare_and_swap_on_the_stored_size()
    {
        var state = WitnessState.Open(_db, _clock);
        Assert.Null(state.GetCosigned(Origin));
        Assert.Equal(AdvanceOutcome.SizeChanged, state.TryAdvance(2, Checkpoint(5)));
        Assert.Null(state.GetCosigned(Origin));
        Assert.Equal(AdvanceOutcome.Stored, state.TryAdvance(0, Checkpoint(5)));
        Assert.Equal(AdvanceOutcome.SizeChanged, state.TryAdvance(0, Checkpoint(9)));
        Assert.Equal(5ul, state.GetCosigned(Origin)!.Size);
        Assert.Equal(AdvanceOutcome.Stored, state.TryAdvance(5, Checkpoint(9)));
        var stored = state.GetCosigned(Origin)!;
        Assert.Equal((Origin, 9ul, "note 9", "line 9", 42L), (stored.Origin, stored.Size, stored.Note, stored.Cosignature, stored.CosignedUnixMs));
        Assert.Equal(new byte[32], stored.GetRoot());
        Assert.Equal("next", Assert.Throws<ArgumentNullException>(() => state.TryAdvance(9, null!)).ParamName);

        // A quarantined origin does not advance; another origin does.
        Assert.NotNull(state.RecordEquivocation(Origin, "known", "conflicting", 7, "fork"));
        Assert.Equal(AdvanceOutcome.Quarantined, state.TryAdvance(9, Checkpoint(12)));
        Assert.Equal(9ul, state.GetCosigned(Origin)!.Size);
        Assert.Equal(AdvanceOutcome.Stored, state.TryAdvance(0, Checkpoint(1, Other)));
        Assert.Equal([Origin, Other], state.ListCosigned().Select(c => c.Origin));
    }

    [Fact]
    public void Evidence_and_quarantine_rows_keep_every_field_and_a_second_record_is_refused_while_quarantined()
    {
        var state = WitnessState.Open(_db, _clock);
        var record = state.RecordEquivocation(Origin, "known note", "conflicting note", 1_717_000_000_123, "two roots")!;
        Assert.Equal((1L, Origin, "known note", "conflicting note", 1_717_000_000_123L, "two roots"),
            (record.Sequence, record.Origin, record.KnownNote, record.ConflictingNote, record.SeenUnixMs, record.Reason));
        var stored = Assert.Single(state.ListEquivocations());
        Assert.Equal((record.Sequence, record.Origin, record.KnownNote, record.ConflictingNote, record.SeenUnixMs, record.Reason),
            (stored.Sequence, stored.Origin, stored.KnownNote, stored.ConflictingNote, stored.SeenUnixMs, stored.Reason));
        var quarantine = state.GetQuarantine(Origin)!;
        Assert.Equal((Origin, true, 1_717_000_000_123L, 1L, "two roots", (long?)null),
            (quarantine.Origin, quarantine.Quarantined, quarantine.SinceUnixMs, quarantine.Equivocation, quarantine.Reason, quarantine.ClearedUnixMs));
        Assert.True(state.IsQuarantined(Origin));
        Assert.False(state.IsQuarantined(Other));
        // Null fields are left out of the row.
        Assert.DoesNotContain("clearedUnixMs", Encoding.UTF8.GetString(_rows.Get("quarantine/" + Origin)!), StringComparison.Ordinal);

        Assert.Null(state.RecordEquivocation(Origin, "again", "again", 8, "again"));
        Assert.Single(state.ListEquivocations());
        Assert.Equal("two roots", state.GetQuarantine(Origin)!.Reason);

        Assert.Equal("origin", Assert.Throws<ArgumentNullException>(() => state.RecordEquivocation(null!, "k", "c", 1, "r")).ParamName);
        Assert.Equal("origin", Assert.Throws<ArgumentException>(() => state.RecordEquivocation("", "k", "c", 1, "r")).ParamName);
        Assert.Single(state.ListEquivocations());
    }

    [Fact]
    public void Clearing_keeps_the_row_with_the_time_of_the_operators_action()
    {
        var state = WitnessState.Open(_db, _clock);
        Assert.False(state.ClearQuarantine(Origin));
        Assert.Null(_rows.Get("quarantine/" + Origin));
        state.RecordEquivocation(Origin, "k", "c", 5, "fork");
        _clock.Now += TimeSpan.FromMinutes(90);

        Assert.True(state.ClearQuarantine(Origin));

        Assert.Null(state.GetQuarantine(Origin));
        Assert.False(state.IsQuarantined(Origin));
        var row = System.Text.Json.JsonSerializer.Deserialize<QuarantineRecord>(_rows.Get("quarantine/" + Origin)!)!;
        Assert.Equal((Origin, false, 5L, 1L, "fork", (long?)_clock.Now.ToUnixTimeMilliseconds()),
            (row.Origin, row.Quarantined, row.SinceUnixMs, row.Equivocation, row.Reason, row.ClearedUnixMs));
        Assert.False(state.ClearQuarantine(Origin));
        Assert.Equal("origin", Assert.Throws<ArgumentNullException>(() => state.ClearQuarantine(null!)).ParamName);
        Assert.Equal("origin", Assert.Throws<ArgumentException>(() => state.ClearQuarantine("")).ParamName);
    }

    [Fact]
    public void Clearing_with_a_reason_records_it_and_who_cleared_and_the_list_shows_every_origin()
    {
        var state = WitnessState.Open(_db, _clock);
        Assert.Empty(state.ListQuarantines());
        state.RecordEquivocation(Origin, "k", "c", 5, "fork");
        state.RecordEquivocation(Other, "k", "c", 6, "map fork");

        Assert.True(state.ClearQuarantine(Origin, "restored from backup, log rebuilt", "operator"));

        var rows = state.ListQuarantines();
        Assert.Equal([Origin, Other], rows.Select(r => r.Origin));
        Assert.Equal((false, "restored from backup, log rebuilt", "operator"), (rows[0].Quarantined, rows[0].ClearedReason, rows[0].ClearedBy));
        Assert.Equal((true, null, null), (rows[1].Quarantined, rows[1].ClearedReason, rows[1].ClearedBy));
        // Durable: a reopened state reads the same row.
        var reopened = WitnessState.Open(_db, _clock).ListQuarantines()[0];
        Assert.Equal(("restored from backup, log rebuilt", "operator"), (reopened.ClearedReason, reopened.ClearedBy));
        Assert.False(state.ClearQuarantine(Origin, "again", "operator"));
    }

    [Fact]
    public void Without_a_clock_the_clear_is_dated_by_the_system_clock()
    {
        var state = WitnessState.Open(_db);
        state.RecordEquivocation(Origin, "k", "c", 5, "fork");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.True(state.ClearQuarantine(Origin));
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var cleared = System.Text.Json.JsonSerializer.Deserialize<QuarantineRecord>(_rows.Get("quarantine/" + Origin)!)!.ClearedUnixMs!.Value;
        Assert.InRange(cleared, before, after);
    }

    [Fact]
    public void Evidence_stays_in_order_past_nine_records_across_origins_and_restarts()
    {
        var state = WitnessState.Open(_db, _clock);
        for (var i = 1; i <= 11; i++)
        {
            var origin = i % 3 == 0 ? Other : Origin;
            Assert.Equal(i, state.RecordEquivocation(origin, "k", "c", i, $"fork {i}")!.Sequence);
            Assert.True(state.ClearQuarantine(origin));
        }
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), state.ListEquivocations().Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), state.ListEquivocations("").Select(e => e.Sequence));
        Assert.Equal(new long[] { 3, 6, 9 }, state.ListEquivocations(Other).Select(e => e.Sequence));
        Assert.Equal(8, state.ListEquivocations(Origin).Count);
        Assert.Contains("equivocation/00000000000000000011", _rows.Scan("equivocation/").Select(r => r.Key));

        // A reopened state numbers on from the highest sequence stored.
        Assert.Equal(12, WitnessState.Open(_db, _clock).RecordEquivocation(Origin, "k", "c", 12, "fork 12")!.Sequence);
    }

    [Fact]
    public void Rows_that_do_not_parse_are_reported_by_key()
    {
        var state = WitnessState.Open(_db, _clock);
        _rows.PutNow("cosigned/empty"u8, "null"u8);
        _rows.PutNow("cosigned/broken"u8, "{"u8);
        var empty = Assert.Throws<InvalidDataException>(() => state.GetCosigned("empty"));
        Assert.Equal("witness state row 'cosigned/empty' is empty", empty.Message);
        var broken = Assert.Throws<InvalidDataException>(() => state.GetCosigned("broken"));
        Assert.StartsWith("witness state row 'cosigned/broken' is not valid: ", broken.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(broken.InnerException);
    }

    [Fact]
    public void Rows_without_their_fields_read_as_empty_text_never_null()
    {
        // The row classes are non-nullable: a field a row lacks (an older or hand-edited row) reads as "" or 0.
        var state = WitnessState.Open(_db, _clock);
        _rows.PutNow("cosigned/bare"u8, "{}"u8);
        _rows.PutNow("equivocation/00000000000000000001"u8, "{}"u8);
        _rows.PutNow("quarantine/bare"u8, "{}"u8);

        var cosigned = state.GetCosigned("bare")!;
        Assert.Equal(("", 0ul, "", "", "", 0L), (cosigned.Origin, cosigned.Size, cosigned.Root, cosigned.Note, cosigned.Cosignature, cosigned.CosignedUnixMs));
        Assert.Empty(cosigned.GetRoot());
        var evidence = Assert.Single(state.ListEquivocations());
        Assert.Equal((0L, "", "", "", 0L, ""), (evidence.Sequence, evidence.Origin, evidence.KnownNote, evidence.ConflictingNote, evidence.SeenUnixMs, evidence.Reason));
        var quarantine = Assert.Single(state.ListQuarantines());
        Assert.Equal(("", false, 0L, 0L, "", (long?)null, (string?)null, (string?)null),
            (quarantine.Origin, quarantine.Quarantined, quarantine.SinceUnixMs, quarantine.Equivocation, quarantine.Reason, quarantine.ClearedUnixMs, quarantine.ClearedReason, quarantine.ClearedBy));
        // Not in force: a row without "quarantined": true does not refuse the origin.
        Assert.Null(state.GetQuarantine("bare"));
    }
}
