using System.Diagnostics.CodeAnalysis;

namespace Huren.Sdk.Anchoring;

/// <summary>0x-prefixed hex as EVM tools print addresses and hashes.</summary>
public static class EvmHex
{
    /// <summary>Parses exactly <paramref name="length"/> bytes written as <c>0x</c> and 2·length hex digits (either case).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, int length, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text is null || text.Length != 2 + 2 * length || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return false;
        try
        {
            bytes = Convert.FromHexString(text.AsSpan(2));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Lower-case <c>0x</c> hex.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>True when both are the same 20-byte address, whatever the letter case (EIP-55 checksums are not required).</summary>
    public static bool SameAddress(string? a, string? b) =>
        TryParse(a, 20, out var x) && TryParse(b, 20, out var y) && x.AsSpan().SequenceEqual(y);
}
