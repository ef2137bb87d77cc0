using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Huren.Node.Content;

namespace Huren.Bench;

/// <summary>
/// What a file's trip between two nodes costs on this machine without the exchange around it (issue 11), in this
/// process over one TLS 1.3 connection on loopback: the raw copy (memory to a discarding reader, the aim's yardstick),
/// and the store-to-store copy — the provider's content store reads and decrypts the object, the bytes cross the
/// connection, the consumer's content store hashes them (SHA-256 and SM3), encrypts them and makes them durable, as
/// the exchange must (the share names both digests; objects are encrypted at rest and addressed by both). No gRPC, no
/// HTTP/2, no ledger: an exchange's transfer cannot beat the store-to-store copy.
/// </summary>
internal static class FileFloor
{
    private const int WriteSize = 256 * 1024;

    /// <summary>MB/s of <paramref name="data"/> from memory to a discarding reader.</summary>
    public static Task<double> RawTlsCopyAsync(byte[] data) => CopyAsync(
        async tls =>
        {
            for (var at = 0; at < data.Length; at += WriteSize) await tls.WriteAsync(data.AsMemory(at, Math.Min(WriteSize, data.Length - at)));
        },
        async tls =>
        {
            var buffer = new byte[WriteSize];
            long total = 0;
            int n;
            while ((n = await tls.ReadAsync(buffer)) > 0) total += n;
            if (total != data.Length) throw new InvalidOperationException($"raw TLS copy: {total} of {data.Length} bytes");
        },
        data.Length);

    /// <summary>
    /// MB/s of <paramref name="data"/> from one content store to another (both in a temporary folder), and the process's
    /// CPU time per MB meanwhile: with that work spread perfectly over every core, the copy could run at most at
    /// cores × 1,000 ÷ (CPU ms per MB) MB/s.
    /// </summary>
    public static async Task<(double Rate, double CpuMsPerMb)> StoreToStoreAsync(byte[] data)
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-bench-file-" + Guid.NewGuid().ToString("N"));
        try
        {
            var provider = Store(dir, "provider");
            var consumer = Store(dir, "consumer");
            ContentInfo stored;
            using (var writer = provider.BeginWrite())
            {
                await writer.WriteAsync(data);
                (stored, _) = await writer.CompleteAsync();
            }
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var rate = await CopyAsync(
                async tls =>
                {
                    using var reader = provider.OpenRead(stored.Sha256, stored.Sm3);
                    var buffer = new byte[reader.ChunkSize];
                    int n;
                    while ((n = await reader.ReadChunkAsync(buffer)) > 0) await tls.WriteAsync(buffer.AsMemory(0, n));
                },
                async tls =>
                {
                    using var writer = consumer.BeginWrite();
                    var buffer = new byte[WriteSize];
                    int n;
                    while ((n = await tls.ReadAsync(buffer)) > 0) await writer.WriteAsync(buffer.AsMemory(0, n));
                    var (received, _) = await writer.CompleteAsync();
                    if (!received.Sha256.AsSpan().SequenceEqual(stored.Sha256) || !received.Sm3.AsSpan().SequenceEqual(stored.Sm3))
                        throw new InvalidOperationException("store-to-store copy: the digests differ");
                },
                data.Length);
            return (rate, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (data.Length / 1024.0 / 1024));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static ContentStore Store(string dir, string name)
    {
        var folder = Path.Combine(dir, name);
        var keys = new ContentKeys(new Dictionary<string, string> { ["k1"] = Path.Combine(folder, "k1.key") }, "k1", folder);
        Directory.CreateDirectory(folder);
        keys.CreateActiveIfMissing();
        // The node's chunk size (ContentOptions); a limit above any --transfer-mb the bench is given.
        return new ContentStore(Path.Combine(folder, "content"), keys, 256 * 1024, 1L << 40);
    }

    /// <summary>MB/s of <paramref name="length"/> bytes sent by <paramref name="send"/> and taken by <paramref name="receive"/> over one TLS 1.3 loopback connection (self-signed P-256 server certificate).</summary>
    private static async Task<double> CopyAsync(Func<SslStream, Task> send, Func<SslStream, Task> receive, long length)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=bench-raw-tls", ecdsa, HashAlgorithmName.SHA256);
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var clock = Stopwatch.StartNew();
            var server = Task.Run(async () =>
            {
                using var socket = await listener.AcceptTcpClientAsync();
                await using var tls = new SslStream(socket.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = SslProtocols.Tls13 });
                await receive(tls);
            });
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                await using var tls = new SslStream(client.GetStream(), false, (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString());
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "bench-raw-tls", EnabledSslProtocols = SslProtocols.Tls13 });
                await send(tls);
                await tls.ShutdownAsync();
                // Read to the server's close: closing with its session tickets unread would reset the connection.
                while (await tls.ReadAsync(new byte[64]) > 0)
                {
                }
            }
            await server;
            return length / 1024.0 / 1024 / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            listener.Stop();
        }
    }
}
