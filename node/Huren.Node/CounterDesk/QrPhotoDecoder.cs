using SkiaSharp;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Huren.Node.CounterDesk;

/// <summary>
/// Reads the QR code in an uploaded photo or scan: SkiaSharp decodes the image (PNG, JPEG, WebP, GIF, BMP), ZXing.Net
/// finds and decodes the code. Large photos are decoded at a reduced size first, so a phone's 12-megapixel picture
/// costs a bounded amount of memory; an image larger than <see cref="MaxPixels"/> even then is refused.
/// </summary>
public static class QrPhotoDecoder
{
    /// <summary>The most pixels decoded (about a 2000 × 2000 image).</summary>
    public const int MaxPixels = 4_000_000;

    /// <summary>The text of the QR code in <paramref name="image"/>, or null with the reason.</summary>
    public static string? Decode(byte[] image, out string? error)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var codec = SKCodec.Create(new SKMemoryStream(image));
        if (codec is null)
        {
            error = "the file is not an image this page reads (PNG, JPEG, WebP, GIF or BMP)";
            return null;
        }
        var size = codec.Info.Size;
        // Ask the codec for a smaller decode (JPEG scales while decoding) until the image fits.
        var scale = 1f;
        while ((long)size.Width * size.Height > MaxPixels && scale > 1f / 16)
        {
            scale /= 2;
            size = codec.GetScaledDimensions(scale);
        }
        if ((long)size.Width * size.Height > MaxPixels || size.Width <= 0 || size.Height <= 0)
        {
            error = $"the image is too large ({codec.Info.Width} × {codec.Info.Height}); send a photo of at most about 4 megapixels";
            return null;
        }
        using var bitmap = new SKBitmap(new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            // The codec may not scale this format: decode at full size if that fits, else give up.
            if ((long)codec.Info.Width * codec.Info.Height > MaxPixels)
            {
                error = $"the image is too large ({codec.Info.Width} × {codec.Info.Height}); send a photo of at most about 4 megapixels";
                return null;
            }
            using var full = SKBitmap.Decode(codec, new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            if (full is null)
            {
                error = $"the image cannot be decoded ({result})";
                return null;
            }
            return Read(full, out error);
        }
        return Read(bitmap, out error);
    }

    private static string? Read(SKBitmap bitmap, out string? error)
    {
        var source = new RGBLuminanceSource(bitmap.Bytes, bitmap.Width, bitmap.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
        var hints = new Dictionary<DecodeHintType, object>
        {
            [DecodeHintType.TRY_HARDER] = true,
            [DecodeHintType.POSSIBLE_FORMATS] = new List<BarcodeFormat> { BarcodeFormat.QR_CODE },
        };
        var reader = new QRCodeReader();
        // A hybrid binarizer suits photos; the global one rescues flat, low-contrast scans. ZXing's finder-pattern
        // detector misses some clean codes (5 of 800 random references in QrPhotoDecoderTests): the same image
        // turned a quarter is searched in another order, and a code alone on a white margin (a saved PNG, a cropped
        // scan) is read without the detector at all.
        var found = reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints)
            ?? reader.decode(new BinaryBitmap(new GlobalHistogramBinarizer(source)), hints)
            ?? reader.decode(new BinaryBitmap(new HybridBinarizer(source.rotateCounterClockwise())), hints)
            ?? reader.decode(new BinaryBitmap(new HybridBinarizer(source)), new Dictionary<DecodeHintType, object>(hints) { [DecodeHintType.PURE_BARCODE] = true });
        if (found?.Text is not { Length: > 0 } text)
        {
            error = "no QR code was found in the image; photograph the code straight on, filling most of the picture";
            return null;
        }
        error = null;
        return text;
    }
}
