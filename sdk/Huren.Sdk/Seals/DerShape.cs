using System.Formats.Asn1;

namespace Huren.Sdk.Seals;

/// <summary>
/// The first check of every seal structure, before BouncyCastle parses it: one DER element and nothing after it,
/// definite minimal lengths, and at most <see cref="SesLimits.MaxDepth"/> nested constructed elements. BouncyCastle's
/// parser recurses once per level with no limit, and a stack overflow cannot be caught in .NET, so the depth is
/// measured here, iteratively, with the platform's DER reader.
/// </summary>
internal static class DerShape
{
    /// <summary>Null when the shape is acceptable, else why not.</summary>
    public static string? Check(ReadOnlySpan<byte> der)
    {
        if (der.IsEmpty) return "empty input";
        var regions = new Stack<(int Start, int Length, int Depth)>();
        try
        {
            AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.DER, out _, out _, out var consumed);
            if (consumed != der.Length) return $"{der.Length - consumed} bytes follow the end of the structure";
            regions.Push((0, der.Length, 0));
            while (regions.TryPop(out var region))
            {
                var end = region.Start + region.Length;
                var position = region.Start;
                while (position < end)
                {
                    var element = der[position..end];
                    var tag = Asn1Tag.Decode(element, out _);
                    AsnDecoder.ReadEncodedValue(element, AsnEncodingRules.DER, out var contentOffset, out var contentLength, out var length);
                    if (tag.IsConstructed)
                    {
                        if (region.Depth + 1 > SesLimits.MaxDepth) return $"elements nested deeper than {SesLimits.MaxDepth} levels";
                        regions.Push((position + contentOffset, contentLength, region.Depth + 1));
                    }
                    position += length;
                }
            }
        }
        catch (AsnContentException ex)
        {
            return $"not DER: {ex.Message}";
        }
        return null;
    }
}
