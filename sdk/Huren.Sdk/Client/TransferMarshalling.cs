using System.Buffers;
using Grpc.Core;
using Huren.Schemas.Services;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Sdk.Client;

/// <summary>
/// How the transfer messages of a content stream (<see cref="ContentChunk"/>, <see cref="ProvideMessage"/>) are read
/// off gRPC without a new array per message. A message that carries nothing but one whole piece of data
/// (<see cref="HurenClient.TransferChunkSize"/> bytes: every piece of a transfer but its last) has its data copied into
/// a buffer from a small pool; the reader gives it back with <see cref="ReturnData"/> once the bytes are used. Every
/// other message, and all writing, goes through protobuf-net unchanged, so the wire format is the same either way.
/// </summary>
/// <remarks>
/// Why: protobuf-net allocates a fresh array for each 64 KiB piece; the garbage collector zeroes it and the kernel
/// faults its pages in, about a tenth of a receiving node's CPU during a large transfer (docs/benchmarks.md).
/// A piece not given back is simply collected. A piece given back must no longer be read: the next message reuses it.
/// </remarks>
public static class TransferMarshalling
{
    // 4 MiB kept at most; the last piece given back is the next one handed out, while it is still in the cache.
    private static readonly byte[][] s_free = new byte[64][];
    private static readonly Lock s_freeLock = new();
    private static int s_freeCount;

    /// <summary>
    /// protobuf-net's binding with the pooled reading of the two transfer messages: give it to a client's
    /// <see cref="ClientFactory"/>, or register it as the server's <see cref="BinderConfiguration"/> service.
    /// </summary>
    public static BinderConfiguration Binder { get; } = CreateBinder();

    /// <summary>A client factory over <see cref="Binder"/> (expensive to create; shared).</summary>
    public static ClientFactory Clients { get; } = ClientFactory.Create(Binder);

    /// <summary>
    /// Gives back the data of a received transfer message once it is no longer read; it is cleared (it may be
    /// plaintext). Arrays of any other length than <see cref="HurenClient.TransferChunkSize"/> are left to the garbage
    /// collector, as are pieces beyond the pool's size; a piece given back twice is kept once.
    /// </summary>
    /// <param name="data">The <c>Data</c> of a <see cref="ContentChunk"/> or <see cref="ProvideMessage"/> read through <see cref="Binder"/>.</param>
    public static void ReturnData(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != HurenClient.TransferChunkSize) return;
        // Cleared while still in the cache, unlike a new array's zeroing.
        data.AsSpan().Clear();
        lock (s_freeLock)
        {
            // Kept twice, one buffer would be handed to two messages.
            if (s_freeCount == s_free.Length || Array.IndexOf(s_free, data, 0, s_freeCount) >= 0) return;
            s_free[s_freeCount++] = data;
        }
    }

    private static byte[] RentPiece()
    {
        lock (s_freeLock)
        {
            if (s_freeCount > 0)
            {
                var piece = s_free[--s_freeCount];
                s_free[s_freeCount] = null!;
                return piece;
            }
        }
        // Every byte is overwritten by the copy that follows, so the runtime need not zero it.
        return GC.AllocateUninitializedArray<byte>(HurenClient.TransferChunkSize);
    }

    private static BinderConfiguration CreateBinder()
    {
        var binder = BinderConfiguration.Create();
        // ContentChunk: data is field 1; sha256 (3) and sm3 (4), empty, are written by protobuf-net all the same.
        binder.SetMarshaller(PooledReading<ContentChunk>(dataField: 1, emptyFields: [3, 4], data => new ContentChunk { Data = data }));
        // ProvideMessage: data is field 7; reason_code (3), reason (4) and salt (6), empty, likewise.
        binder.SetMarshaller(PooledReading<ProvideMessage>(dataField: 7, emptyFields: [3, 4, 6], data => new ProvideMessage { Data = data }));
        return binder;
    }

    private static Marshaller<T> PooledReading<T>(int dataField, int[] emptyFields, Func<byte[], T> create)
    {
        var protobuf = BinderConfiguration.Default.GetMarshaller<T>();
        return new Marshaller<T>(
            protobuf.ContextualSerializer,
            context => TryReadPiece(context.PayloadAsReadOnlySequence(), dataField, emptyFields) is { } piece ? create(piece) : protobuf.ContextualDeserializer(context));
    }

    /// <summary>
    /// The data of a message made of one whole piece in <paramref name="dataField"/> and nothing else but empty
    /// <paramref name="emptyFields"/> (what protobuf-net writes for empty strings and byte arrays), in a pooled buffer;
    /// null for any other message, which protobuf-net then reads (and judges, when malformed).
    /// </summary>
    internal static byte[]? TryReadPiece(ReadOnlySequence<byte> payload, int dataField, ReadOnlySpan<int> emptyFields)
    {
        const int piece = HurenClient.TransferChunkSize;
        // Quick refusal of headers and last pieces: a tag, a length of at most 5 bytes, the piece, 2 bytes per empty field.
        if (payload.Length < 2 + piece || payload.Length > 6 + piece + 2 * emptyFields.Length) return null;
        var reader = new SequenceReader<byte>(payload);
        long dataAt = -1;
        Span<bool> seen = stackalloc bool[emptyFields.Length];
        while (!reader.End)
        {
            // Field numbers below 16: a tag is one byte. Only length-delimited fields (wire type 2) are expected.
            if (!reader.TryRead(out var tag) || (tag & 0x80) != 0 || (tag & 0x7) != 2) return null;
            var field = tag >> 3;
            if (field == dataField && dataAt < 0)
            {
                if (!TryReadLength(ref reader, out var length) || length != piece || reader.Remaining < piece) return null;
                dataAt = reader.Consumed;
                reader.Advance(piece);
                continue;
            }
            var slot = emptyFields.IndexOf(field);
            if (slot < 0 || seen[slot] || !reader.TryRead(out var empty) || empty != 0) return null;
            seen[slot] = true;
        }
        if (dataAt < 0) return null;
        var data = RentPiece();
        payload.Slice(dataAt, piece).CopyTo(data);
        return data;
    }

    private static bool TryReadLength(ref SequenceReader<byte> reader, out int length)
    {
        length = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (!reader.TryRead(out var b)) return false;
            // The fifth byte may carry only the top bits of an int; protobuf-net refuses a longer length.
            if (shift == 28 && (b & 0xF0) != 0) return false;
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return length >= 0;
        }
        return false;
    }
}
