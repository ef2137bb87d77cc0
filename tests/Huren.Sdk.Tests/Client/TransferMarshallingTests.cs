using System.Buffers;
using Grpc.Core;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using ProtoBuf;

namespace Huren.Sdk.Tests.Client;

/// <summary>
/// The pooled reading of transfer messages: a whole piece lands in a reused buffer, every other message is read exactly
/// as protobuf-net reads it (the bytes on the wire are protobuf-net's either way).
/// </summary>
public sealed class TransferMarshallingTests
{
    private const int Piece = HurenClient.TransferChunkSize;

    [Fact]
    public void A_whole_piece_of_a_download_is_read_into_a_buffer_that_is_reused_once_given_back()
    {
        var bytes = RandomBytes(Piece, seed: 1);
        var first = Read<ContentChunk>(Encode(new ContentChunk { Data = bytes }));
        Assert.Equal(bytes, first.Data);
        Assert.Equal(0, first.Length);
        Assert.Empty(first.Sha256);
        Assert.Empty(first.Sm3);

        TransferMarshalling.ReturnData(first.Data);
        var other = RandomBytes(Piece, seed: 2);
        var second = Read<ContentChunk>(Encode(new ContentChunk { Data = other }));
        Assert.Same(first.Data, second.Data);
        Assert.Equal(other, second.Data);
    }

    [Fact]
    public void A_whole_piece_of_a_providers_stream_is_read_into_a_reused_buffer()
    {
        var bytes = RandomBytes(Piece, seed: 3);
        var first = Read<ProvideMessage>(Encode(new ProvideMessage { Data = bytes }));
        Assert.Equal(bytes, first.Data);
        Assert.Equal(ExchangeStatus.Unspecified, first.Status);
        Assert.Null(first.Entry);
        Assert.Empty(first.Parts);
        Assert.Equal("", first.Reason);

        TransferMarshalling.ReturnData(first.Data);
        var second = Read<ProvideMessage>(Encode(new ProvideMessage { Data = RandomBytes(Piece, seed: 4) }));
        Assert.Same(first.Data, second.Data);
    }

    [Fact]
    public void A_piece_given_back_twice_is_handed_out_once_and_cleared()
    {
        var first = Read<ContentChunk>(Encode(new ContentChunk { Data = RandomBytes(Piece, 20) }));
        TransferMarshalling.ReturnData(first.Data);
        Assert.All(first.Data, b => Assert.Equal(0, b));
        TransferMarshalling.ReturnData(first.Data);
        var a = Read<ContentChunk>(Encode(new ContentChunk { Data = RandomBytes(Piece, 21) }));
        var b = Read<ContentChunk>(Encode(new ContentChunk { Data = RandomBytes(Piece, 22) }));
        Assert.NotSame(a.Data, b.Data);
        Assert.Equal(RandomBytes(Piece, 21), a.Data);
    }

    [Fact]
    public void An_array_of_another_length_is_not_taken_into_the_pool()
    {
        var stray = new byte[Piece + 1];
        TransferMarshalling.ReturnData(stray);
        var read = Read<ContentChunk>(Encode(new ContentChunk { Data = RandomBytes(Piece, seed: 5) }));
        Assert.NotSame(stray, read.Data);
        Assert.Equal(Piece, read.Data.Length);
    }

    public static TheoryData<string> OtherDownloadMessages => ["header", "last piece", "piece with a digest", "piece with a length", "empty"];

    [Theory]
    [MemberData(nameof(OtherDownloadMessages))]
    public void Any_other_download_message_is_read_as_protobuf_net_reads_it(string which)
    {
        var message = which switch
        {
            "header" => new ContentChunk { Length = 100L * 1024 * 1024, Sha256 = RandomBytes(32, 6), Sm3 = RandomBytes(32, 7) },
            "last piece" => new ContentChunk { Data = RandomBytes(Piece - 1, 8) },
            "piece with a digest" => new ContentChunk { Data = RandomBytes(Piece, 9), Sm3 = RandomBytes(32, 10) },
            "piece with a length" => new ContentChunk { Data = RandomBytes(Piece, 11), Length = 7 },
            _ => new ContentChunk(),
        };
        var payload = Encode(message);
        Assert.Equal(payload, Encode(Read<ContentChunk>(payload)));
    }

    [Fact]
    public void A_providers_first_message_is_read_as_protobuf_net_reads_it()
    {
        var message = new ProvideMessage
        {
            Status = ExchangeStatus.Shared, Salt = RandomBytes(32, 12), Reason = "无条件共享",
            Entry = new LogEntry { Origin = "changsha.example/log", Index = 41, Leaf = RandomBytes(Piece, 13) },
            Parts = { new SharePart { Name = "document", Sha256 = RandomBytes(32, 14), Length = Piece } },
            Data = RandomBytes(Piece, 15),
        };
        var payload = Encode(message);
        Assert.Equal(payload, Encode(Read<ProvideMessage>(payload)));
    }

    [Fact]
    public void A_whole_piece_beside_anything_unexpected_is_left_to_protobuf_net()
    {
        var piece = Encode(new ContentChunk { Data = RandomBytes(Piece, 16) });
        var another = Encode(new ContentChunk { Data = RandomBytes(Piece, 19) });
        // The same empty field twice, an unknown empty field (15), a varint field (length = 0), the piece twice.
        byte[][] variants =
        [
            [.. piece, 0x1A, 0x00],
            [.. piece, 0x7A, 0x00],
            [.. piece, 0x10, 0x00],
            [.. piece[..^4], .. another[..(4 + Piece)]],
        ];
        foreach (var payload in variants)
        {
            var expected = Serializer.Deserialize<ContentChunk>(new MemoryStream(payload));
            Assert.Equal(Encode(expected), Encode(Read<ContentChunk>(payload)));
        }
    }

    [Fact]
    public void A_length_beyond_an_int_in_five_bytes_fails_as_protobuf_net_fails_on_it()
    {
        // 2^32 + 65536 in five bytes: its low 31 bits read 65536, but protobuf-net refuses the length.
        FailsAsProtobufNetFails([0x0A, 0x80, 0x80, 0x84, 0x80, 0x10, .. RandomBytes(Piece, 23)]);
    }

    [Fact]
    public void A_truncated_piece_fails_as_protobuf_net_fails_on_it()
    {
        FailsAsProtobufNetFails(Encode(new ContentChunk { Data = RandomBytes(Piece, 17) })[..(Piece + 1)]);
    }

    [Fact]
    public void What_is_written_is_protobuf_nets_encoding()
    {
        var message = new ContentChunk { Data = RandomBytes(Piece, 18) };
        var written = new Written();
        TransferMarshalling.Binder.GetMarshaller<ContentChunk>().ContextualSerializer(message, written);
        Assert.Equal(Encode(message), written.Bytes);
    }

    private static void FailsAsProtobufNetFails(byte[] payload)
    {
        var expected = Assert.ThrowsAny<Exception>(() => Serializer.Deserialize<ContentChunk>(new MemoryStream(payload)));
        var actual = Assert.ThrowsAny<Exception>(() => Read<ContentChunk>(payload));
        Assert.Equal(expected.GetType(), actual.GetType());
    }

    private static byte[] Encode<T>(T message)
    {
        var buffer = new MemoryStream();
        Serializer.Serialize(buffer, message);
        return buffer.ToArray();
    }

    /// <summary>Reads <paramref name="payload"/> through the marshaller, split in two segments as a transport may hand it over.</summary>
    private static T Read<T>(byte[] payload) => TransferMarshalling.Binder.GetMarshaller<T>().ContextualDeserializer(new Payload(payload));

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed class Payload(byte[] bytes) : DeserializationContext
    {
        public override int PayloadLength => bytes.Length;

        public override byte[] PayloadAsNewBuffer() => (byte[])bytes.Clone();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence()
        {
            var split = bytes.Length / 3;
            var first = new Segment(bytes.AsMemory(0, split), 0);
            var last = first.Append(bytes.AsMemory(split));
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }

    private sealed class Written : Grpc.Core.SerializationContext
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public byte[]? Bytes { get; private set; }

        public override void Complete(byte[] payload) => Bytes = payload;

        public override IBufferWriter<byte> GetBufferWriter() => _buffer;

        public override void SetPayloadLength(int payloadLength) { }

        public override void Complete() => Bytes = _buffer.WrittenSpan.ToArray();
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
