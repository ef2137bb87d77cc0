using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using ProtoBuf.Meta;

namespace Huren.Schemas.Proto;

/// <summary>
/// Generates the <c>.proto</c> files of the standard from the protobuf-net contracts, so that any language can use it.
/// The generated files are committed under <c>schemas/proto/</c>; a test fails when they are stale.
/// </summary>
public static class ProtoSchemaFiles
{
    /// <summary>The protobuf package of every Huren message.</summary>
    public const string Package = "huren.v1";

    /// <summary>The message types of the entry standard, in file order.</summary>
    public static IReadOnlyList<Type> EntryTypes { get; } =
    [
        typeof(Entry), typeof(EntryReference), typeof(SignedEntry),
        typeof(IssuerRegistered), typeof(IssuerRevoked),
        typeof(LicenseField), typeof(LicenseIssued), typeof(LicenseChanged), typeof(LicenseStatusChanged),
        typeof(LicenseTransferred), typeof(LicenseTransferAccepted), typeof(LicenseUsed),
        typeof(SealRegistered), typeof(SealRevoked), typeof(SealUsed),
        typeof(DataShared), typeof(DataReceived),
    ];

    /// <summary>Every file, by path relative to <c>schemas/proto/</c>, with its text.</summary>
    public static IReadOnlyDictionary<string, string> Generate()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["huren/v1/entries.proto"] = Normalize(GenerateFile(EntryTypes)),
        };
        return files;
    }

    private static string GenerateFile(IEnumerable<Type> types)
    {
        var options = new SchemaGenerationOptions { Syntax = ProtoSyntax.Proto3, Package = Package };
        foreach (var t in types) options.Types.Add(t);
        return RuntimeTypeModel.Default.GetSchema(options);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n') + "\n";
}
