using Huren.Schemas.Validation;

namespace Huren.Schemas.Envelope;

/// <summary>
/// One entry kind of the standard: its name, the schema id and version of its body, the body type, which body field is
/// the entry's record id, the body's validator and a one-line summary. Every part of Huren that treats kinds apart
/// (validators, the node's ledger rules, the evidence verifier, the CLI's summaries) takes them from
/// <see cref="EntryKinds.All"/>; adding a kind is one row there and one handler in the ledger.
/// </summary>
public abstract class EntryKind
{
    private protected EntryKind(string name, string schemaId, string recordIdField)
    {
        Name = name;
        SchemaId = schemaId;
        RecordIdField = recordIdField;
    }

    /// <summary>The kind's name on the wire, e.g. <c>license.issue</c>.</summary>
    public string Name { get; }

    /// <summary>The body's schema id, e.g. <c>huren.license.issued</c>.</summary>
    public string SchemaId { get; }

    /// <summary>The body's schema version.</summary>
    public uint SchemaVersion => EntryKinds.SchemaVersion;

    /// <summary>The body's type.</summary>
    public abstract Type BodyType { get; }

    /// <summary>The largest body this kind may carry, in bytes (<see cref="EntryLimits"/>).</summary>
    public int MaxBodyBytes => EntryLimits.MaxBodyBytesOf(Name);

    /// <summary>The camelCase name of the body field that must equal the entry's record id.</summary>
    public string RecordIdField { get; }

    /// <summary>Decodes <paramref name="body"/> canonically; null with the reason when it does not decode.</summary>
    public abstract object? TryDecode(ReadOnlyMemory<byte> body, out string? error);

    /// <summary>Checks a decoded body of this kind against the standard's rules.</summary>
    public abstract ValidationResult Validate(object body);

    /// <summary>The record id a decoded body names.</summary>
    public abstract string RecordIdOf(object body);

    /// <summary>One line saying what a decoded body records (for people reading traces and reports).</summary>
    public abstract string Summarize(object body);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>An entry kind whose body is a <typeparamref name="TBody"/>.</summary>
/// <typeparam name="TBody">The protobuf body type.</typeparam>
public sealed class EntryKind<TBody> : EntryKind
    where TBody : class
{
    private readonly Func<TBody, string> _recordId;
    private readonly Func<TBody, ValidationResult> _validate;
    private readonly Func<TBody, string> _summarize;

    internal EntryKind(string name, string schemaId, string recordIdField, Func<TBody, string> recordId, Func<TBody, ValidationResult> validate, Func<TBody, string> summarize)
        : base(name, schemaId, recordIdField)
    {
        _recordId = recordId;
        _validate = validate;
        _summarize = summarize;
    }

    /// <inheritdoc/>
    public override Type BodyType => typeof(TBody);

    /// <summary>Decodes <paramref name="body"/> canonically.</summary>
    /// <exception cref="FormatException">The bytes are not a canonical <typeparamref name="TBody"/>.</exception>
    public TBody Decode(ReadOnlyMemory<byte> body) => CanonicalCodec.Decode<TBody>(body);

    /// <summary>Decodes <paramref name="body"/> canonically, without throwing.</summary>
    public bool TryDecode(ReadOnlyMemory<byte> body, out TBody? decoded, out string? error) => CanonicalCodec.TryDecode(body, out decoded, out error);

    /// <inheritdoc/>
    public override object? TryDecode(ReadOnlyMemory<byte> body, out string? error) => TryDecode(body, out var decoded, out error) ? decoded : null;

    /// <summary>Checks <paramref name="body"/> against the standard's rules.</summary>
    public ValidationResult Validate(TBody body) => _validate(body);

    /// <inheritdoc/>
    public override ValidationResult Validate(object body) => _validate((TBody)body);

    /// <summary>The record id <paramref name="body"/> names.</summary>
    public string RecordIdOf(TBody body) => _recordId(body);

    /// <inheritdoc/>
    public override string RecordIdOf(object body) => _recordId((TBody)body);

    /// <inheritdoc/>
    public override string Summarize(object body) => _summarize((TBody)body);
}
