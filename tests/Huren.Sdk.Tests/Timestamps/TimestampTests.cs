using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Huren.Sdk.Crypto;
using Huren.Sdk.Tests.Crypto;
using Huren.Sdk.Timestamps;

namespace Huren.Sdk.Tests.Timestamps;

/// <summary>RFC 3161: Huren's TSA and verifier, against each other and against OpenSSL's own TSA and verifier.</summary>
public class TimestampTests
{
    private static readonly byte[] Note = "huren.cz-t/430100\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— huren.cz-t/430100 AAAA\n"u8.ToArray();
    private static readonly byte[] Digest = Digests.Sha256(Note);
    private static readonly LocalTsaCertificates Local = TimestampAuthority.CreateLocalCertificates("Huren test", TimeSpan.FromDays(2));

    private static TimestampVerifier HurenVerifier(string? rootPem = null) =>
        new(new TimestampTrust { Roots = TimestampTrust.CertificatesFromPem(rootPem ?? Local.RootCertificatePem), Policies = [TimestampAuthority.LocalPolicy] });

    /// <summary>A request as a client makes it (BouncyCastle), answered by Huren's TSA; returns the token's DER.</summary>
    private static byte[] HurenToken(TimestampAuthority tsa, byte[] digest, out byte[] nonce)
    {
        nonce = [0x01, 0x02, 0x03, 0x04, 0x05];
        var request = new Org.BouncyCastle.Tsp.TimeStampRequestGenerator();
        request.SetCertReq(true);
        var query = request.Generate(Org.BouncyCastle.Tsp.TspAlgorithms.Sha256, digest, new Org.BouncyCastle.Math.BigInteger(1, nonce));
        var response = new Org.BouncyCastle.Tsp.TimeStampResponse(tsa.Respond(query.GetEncoded()));
        Assert.Equal(0, response.Status);
        response.Validate(query);
        return response.TimeStampToken.GetEncoded();
    }

    [Fact]
    public void Hurens_TSA_issues_tokens_that_Hurens_verifier_accepts_and_tampered_ones_it_refuses()
    {
        var tsa = Local.CreateAuthority();
        var token = HurenToken(tsa, Digest, out var nonce);
        var result = HurenVerifier().Verify(token, Digest, nonce);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(TimestampAuthority.LocalPolicy, result.Policy);
        Assert.Contains("Huren test TSA", result.TsaSubject);
        Assert.InRange(result.GenTime!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Contains("another message", HurenVerifier().Verify(token, Digests.Sha256([.. Note, 0]), nonce).Failure);
        Assert.Contains("nonce", HurenVerifier().Verify(token, Digest, [9, 9]).Failure);
        var otherRoot = TimestampAuthority.CreateLocalCertificates("Other", TimeSpan.FromDays(1)).RootCertificatePem;
        Assert.Contains("does not chain to a trusted root", HurenVerifier(otherRoot).Verify(token, Digest).Failure);
        var policyOnly = new TimestampVerifier(new TimestampTrust { Roots = TimestampTrust.CertificatesFromPem(Local.RootCertificatePem), Policies = ["1.2.3.4.1"] });
        Assert.Contains("not an accepted TSA policy", policyOnly.Verify(token, Digest).Failure);

        // Flip every byte of what the TSA signs — the TSTInfo, the signed attributes — and of the signature: none may
        // verify. (CMS leaves the rest unsigned: the digest-algorithm set and the certificate bag, whose root copy a
        // verifier never trusts; swapping the carried certificates is the "does not chain" case above.)
        var accepted = new List<int>();
        foreach (var (start, length) in SignedRegions(token))
        {
            for (var i = start; i < start + length; i++)
            {
                var bad = (byte[])token.Clone();
                bad[i] ^= 0x01;
                if (HurenVerifier().Verify(bad, Digest).IsValid) accepted.Add(i);
            }
        }
        Assert.True(accepted.Count == 0, $"flipping these bytes still verified: {string.Join(",", accepted)}");
    }

    [Fact]
    public void Bytes_changed_in_the_unsigned_certificate_bag_give_a_verdict_never_an_exception()
    {
        var tsa = Local.CreateAuthority();
        var token = HurenToken(tsa, Digest, out _);
        var signed = new Org.BouncyCastle.Cms.CmsSignedData(token);
        var thrown = new List<string>();
        var checkedFlips = 0;
        foreach (var certificate in signed.GetCertificates().EnumerateMatches(null))
        {
            var encoded = certificate.GetEncoded();
            var at = token.AsSpan().IndexOf(encoded);
            Assert.True(at > 0, "carried certificate not found verbatim in the token");
            // 0x86 turns a UTF8String tag (0x0C) into a context tag (0x8A): a certificate BouncyCastle reads and .NET refuses.
            foreach (var mask in new byte[] { 0x01, 0x86 })
            {
                for (var i = at; i < at + encoded.Length; i++)
                {
                    var bad = (byte[])token.Clone();
                    bad[i] ^= mask;
                    checkedFlips++;
                    try
                    {
                        _ = HurenVerifier().Verify(bad, Digest);
                    }
                    catch (Exception ex)
                    {
                        thrown.Add($"{i}^{mask:x2}: {ex.GetType().Name}");
                    }
                }
            }
        }
        Assert.True(checkedFlips > 1000, $"only {checkedFlips} flips");
        Assert.True(thrown.Count == 0, $"{thrown.Count} changed tokens threw: {string.Join("; ", thrown.Take(5))}");
    }

    [Fact]
    public async Task A_reply_whose_unsigned_outer_type_is_changed_is_a_failed_stamp_not_an_exception_of_another_kind()
    {
        var tsa = Local.CreateAuthority();
        // id-signedData (1.2.840.113549.1.7.2) of the token's outer ContentInfo, made id-data (…7.1): not signed, so the
        // reply still validates against the request.
        byte[] signedDataOid = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
        using var http = new HttpClient(new AnsweringHandler(query =>
        {
            var reply = tsa.Respond(query);
            var at = reply.AsSpan().IndexOf(signedDataOid);
            Assert.True(at > 0);
            reply[at + signedDataOid.Length - 1] = 0x01;
            return reply;
        }));
        var client = new TimestampClient(http, new TimestampClientOptions { Url = new Uri("http://tsa.test/tsa"), Attempts = 1, Timeout = TimeSpan.FromSeconds(5) });
        var error = await Assert.ThrowsAsync<TimestampException>(() => client.RequestAsync(Digest));
        Assert.Contains("does not read as an RFC 3161 token", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers every request with what <paramref name="answer"/> makes of its body, as a TSA would.</summary>
    private sealed class AnsweringHandler(Func<byte[], byte[]> answer) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var content = new ByteArrayContent(answer(body));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(TimestampClient.ReplyMediaType);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }
    }

    /// <summary>Where the TSTInfo, the signed attributes (after their tag) and the signature value lie in the token.</summary>
    private static IEnumerable<(int Start, int Length)> SignedRegions(byte[] token)
    {
        var signed = new Org.BouncyCastle.Cms.CmsSignedData(token);
        var signer = signed.GetSignerInfos().GetSigners().Single();
        byte[][] parts = [new Org.BouncyCastle.Tsp.TimeStampToken(signed).TimeStampInfo.GetEncoded(), signer.GetEncodedSignedAttributes()[1..], signer.GetSignature()];
        foreach (var part in parts)
        {
            var at = token.AsSpan().IndexOf(part);
            Assert.True(at > 0, "signed part not found verbatim in the token");
            yield return (at, part.Length);
        }
    }

    [Fact]
    public void Hurens_TSA_rejects_garbage_and_unaccepted_algorithms_with_a_status_not_an_exception()
    {
        var tsa = Local.CreateAuthority();
        var garbage = new Org.BouncyCastle.Tsp.TimeStampResponse(tsa.Respond("not DER"u8));
        Assert.Equal(2, garbage.Status); // rejection
        Assert.NotNull(garbage.GetFailInfo());
        var request = new Org.BouncyCastle.Tsp.TimeStampRequestGenerator().Generate(Org.BouncyCastle.Tsp.TspAlgorithms.MD5, new byte[16]);
        Assert.Equal(2, new Org.BouncyCastle.Tsp.TimeStampResponse(tsa.Respond(request.GetEncoded())).Status);
    }

    [OpenSslFact]
    public void Tokens_from_Hurens_TSA_verify_with_openssl_ts_verify()
    {
        using var dir = new TempDir();
        var tsa = Local.CreateAuthority();
        File.WriteAllText(dir.File("root.pem"), Local.RootCertificatePem);
        File.WriteAllBytes(dir.File("note"), Note);
        File.WriteAllBytes(dir.File("token.der"), HurenToken(tsa, Digest, out _));
        var ok = OpenSsl.Run(dir.Path, "ts", "-verify", "-token_in", "-in", "token.der", "-data", "note", "-CAfile", "root.pem");
        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.Contains("Verification: OK", ok.Output);
        var byDigest = OpenSsl.Run(dir.Path, "ts", "-verify", "-token_in", "-in", "token.der", "-digest", Convert.ToHexStringLower(Digest), "-CAfile", "root.pem");
        Assert.True(byDigest.ExitCode == 0, byDigest.Output);

        File.WriteAllBytes(dir.File("note"), [.. Note, 0x0a]);
        var tampered = OpenSsl.Run(dir.Path, "ts", "-verify", "-token_in", "-in", "token.der", "-data", "note", "-CAfile", "root.pem");
        Assert.NotEqual(0, tampered.ExitCode);
        File.WriteAllText(dir.File("other.pem"), TimestampAuthority.CreateLocalCertificates("Other", TimeSpan.FromDays(1)).RootCertificatePem);
        Assert.NotEqual(0, OpenSsl.Run(dir.Path, "ts", "-verify", "-token_in", "-in", "token.der", "-digest", Convert.ToHexStringLower(Digest), "-CAfile", "other.pem").ExitCode);
    }

    [OpenSslFact]
    public void Tokens_from_openssl_ts_reply_are_accepted_by_Hurens_verifier()
    {
        using var dir = new TempDir();
        void Run(params string[] args)
        {
            var (code, output) = OpenSsl.Run(dir.Path, args);
            Assert.True(code == 0, $"openssl {string.Join(' ', args)}: {output}");
        }
        Run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-subj", "/CN=OpenSSL Test Root", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
        Run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=OpenSSL TSA");
        File.WriteAllText(dir.File("ext.cnf"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n");
        Run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.pem", "-days", "1", "-extfile", "ext.cnf");
        File.WriteAllText(dir.File("tsa.cnf"), """
            [ tsa ]
            default_tsa = huren_test
            [ huren_test ]
            dir = .
            serial = ./tsaserial
            signer_cert = ./tsa.pem
            certs = ./ca.pem
            signer_key = ./tsa.key
            signer_digest = sha256
            default_policy = 1.2.3.4.1
            digests = sha256, sha384, sha512
            accuracy = secs:1
            ordering = yes
            ess_cert_id_alg = sha256
            """);
        File.WriteAllBytes(dir.File("note"), Note);
        Run("ts", "-query", "-data", "note", "-sha256", "-cert", "-out", "req.tsq");
        Run("ts", "-reply", "-config", "tsa.cnf", "-queryfile", "req.tsq", "-out", "resp.tsr");
        Run("ts", "-reply", "-in", "resp.tsr", "-token_out", "-out", "token.der");

        var verifier = new TimestampVerifier(new TimestampTrust { Roots = TimestampTrust.CertificatesFromPem(File.ReadAllText(dir.File("ca.pem"))), Policies = ["1.2.3.4.1"] });
        var token = File.ReadAllBytes(dir.File("token.der"));
        var result = verifier.Verify(token, Digest);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal("1.2.3.4.1", result.Policy);
        Assert.Contains("another message", verifier.Verify(token, Digests.Sha256("other"u8)).Failure);
        Assert.False(HurenVerifier().Verify(token, Digest).IsValid); // not Huren's root
        var bad = (byte[])token.Clone();
        bad[^10] ^= 0x01; // inside the signature
        Assert.False(verifier.Verify(bad, Digest).IsValid);
    }

    [Fact]
    public async Task A_TSA_that_is_down_or_silent_gives_a_clear_error_within_the_timeout()
    {
        // Down: nothing listens on the port.
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var http = new HttpClient();
        var down = new TimestampClient(http, new TimestampClientOptions { Url = new Uri($"http://127.0.0.1:{closedPort}/tsa"), Timeout = TimeSpan.FromSeconds(1), Attempts = 2, RetryDelay = TimeSpan.FromMilliseconds(100) });
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TimestampException>(() => down.RequestAsync(Digest));
        Assert.Contains($"127.0.0.1:{closedPort}", error.Message);
        Assert.Contains("after 2 attempt(s)", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");

        // Silent: accepts connections, never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) held.Add(await silent.AcceptTcpClientAsync());
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // listener stopped
            }
        });
        var hung = new TimestampClient(http, new TimestampClientOptions { Url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/tsa"), Timeout = TimeSpan.FromSeconds(1), Attempts = 2, RetryDelay = TimeSpan.FromMilliseconds(100) });
        watch.Restart();
        error = await Assert.ThrowsAsync<TimestampException>(() => hung.RequestAsync(Digest));
        Assert.Contains("no answer within 1 s", error.Message);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
        silent.Stop();
        await accepting;
        foreach (var c in held) c.Dispose();
    }
}
