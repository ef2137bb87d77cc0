using System.Net.Http.Headers;
using System.Security.Cryptography;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Tsp;

namespace Huren.Sdk.Timestamps;

/// <summary>Where and how patiently to ask a TSA.</summary>
public sealed record TimestampClientOptions
{
    /// <summary>The TSA's URL (HTTP POST, <c>application/timestamp-query</c>, RFC 3161 §3.4).</summary>
    public required Uri Url { get; init; }

    /// <summary>How long one attempt may take, connection included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many attempts in all (at least 1).</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>The pause after the first failed attempt; it doubles after each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The TSA policy OID to ask for, or null for the TSA's default.</summary>
    public string? Policy { get; init; }
}

/// <summary>
/// Asks an RFC 3161 TSA for a time-stamp token over a SHA-256 digest (for a checkpoint: the SHA-256 of the complete
/// signed note). Each request carries a fresh random nonce and asks for the TSA's certificate; the answer must be
/// granted and echo the digest, nonce and policy (BouncyCastle's response validation). The certificate chain and
/// policy are checked by <see cref="TimestampVerifier"/>, which a caller runs before keeping the token.
/// Every attempt has a deadline, so a TSA that is down or silent costs at most
/// Attempts × Timeout plus the pauses, then a <see cref="TimestampException"/> saying so.
/// </summary>
public sealed class TimestampClient(HttpClient http, TimestampClientOptions options)
{
    /// <summary>The media type of a request.</summary>
    public const string QueryMediaType = "application/timestamp-query";

    /// <summary>The media type of a response.</summary>
    public const string ReplyMediaType = "application/timestamp-reply";

    /// <summary>Requests a token over <paramref name="sha256Digest"/>.</summary>
    /// <exception cref="ArgumentException">The digest is not 32 bytes.</exception>
    /// <exception cref="TimestampException">No usable token after every attempt; the message names the TSA and the last cause.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TimestampToken> RequestAsync(ReadOnlyMemory<byte> sha256Digest, CancellationToken cancellationToken = default)
    {
        if (sha256Digest.Length != 32) throw new ArgumentException($"a SHA-256 digest is 32 bytes, got {sha256Digest.Length}", nameof(sha256Digest));
        var attempts = Math.Max(1, options.Attempts);
        var delay = options.RetryDelay;
        string? lastError = null;
        Exception? lastException = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
            var request = NewRequest(sha256Digest.Span);
            try
            {
                return await AttemptAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (TimestampRefusedException ex)
            {
                // A TSA that answered "no" will say it again: no retry.
                throw new TimestampException($"TSA {options.Url} refused the request: {ex.Message}", ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = $"no answer within {options.Timeout.TotalSeconds:0.###} s";
                lastException = ex;
            }
            catch (HttpRequestException ex)
            {
                lastError = ex.Message;
                lastException = ex;
            }
            catch (TimestampException ex)
            {
                lastError = ex.Message;
                lastException = ex;
            }
        }
        throw new TimestampException($"TSA {options.Url} gave no time-stamp after {attempts} attempt(s): {lastError}", lastException!);
    }

    private TimeStampRequest NewRequest(ReadOnlySpan<byte> digest)
    {
        var generator = new TimeStampRequestGenerator();
        generator.SetCertReq(true);
        if (options.Policy is { } policy) generator.SetReqPolicy(new Org.BouncyCastle.Asn1.DerObjectIdentifier(policy));
        var nonce = new BigInteger(1, RandomNumberGenerator.GetBytes(16));
        return generator.Generate(TspAlgorithms.Sha256, digest.ToArray(), nonce);
    }

    private async Task<TimestampToken> AttemptAsync(TimeStampRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        using var content = new ByteArrayContent(request.GetEncoded());
        content.Headers.ContentType = new MediaTypeHeaderValue(QueryMediaType);
        using var response = await http.PostAsync(options.Url, content, timeout.Token).ConfigureAwait(false);
        // 4xx: the TSA understood and said no (wrong media type, size, path): asking again changes nothing. 5xx: retry.
        if ((int)response.StatusCode is >= 400 and < 500) throw new TimestampRefusedException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        if (!response.IsSuccessStatusCode) throw new TimestampException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        TimeStampResponse reply;
        try
        {
            reply = new TimeStampResponse(body);
        }
        catch (Exception ex) when (ex is TspException or IOException or ArgumentException or InvalidCastException)
        {
            throw new TimestampException($"the answer is not an RFC 3161 response ({body.Length} bytes): {ex.Message}", ex);
        }
        if (reply.Status is not (0 or 1))
        {
            throw new TimestampRefusedException($"status {reply.Status}{(reply.GetStatusString() is { } s ? $" '{s}'" : "")}{(reply.GetFailInfo() is { } f ? $", failure info {f.IntValue}" : "")}");
        }
        try
        {
            reply.Validate(request);
        }
        catch (TspException ex)
        {
            throw new TimestampException($"the answer does not match the request: {ex.Message}", ex);
        }
        // The reply's outer parts are not signed: a token that validates against the request may still not parse.
        try
        {
            return TimestampToken.Parse(reply.TimeStampToken.GetEncoded());
        }
        catch (FormatException ex)
        {
            throw new TimestampException($"the TSA's token does not read as an RFC 3161 token: {ex.Message}", ex);
        }
    }

    private sealed class TimestampRefusedException(string message) : Exception(message);
}
