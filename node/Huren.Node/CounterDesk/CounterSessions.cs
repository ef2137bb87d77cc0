using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Huren.Node.Auth;

namespace Huren.Node.CounterDesk;

/// <summary>A signed-in counter: who, since when, until when.</summary>
public sealed class CounterSession
{
    internal CounterSession(string key, ClientPrincipal principal, DateTimeOffset started, DateTimeOffset ends)
    {
        Key = key;
        Principal = principal;
        Started = started;
        Ends = ends;
        LastUsed = started;
    }

    /// <summary>SHA-256 of the token (hex): the token itself is never kept.</summary>
    internal string Key { get; }

    /// <summary>The counter principal (<c>Huren:Clients</c>, role counter) whose key opened the session.</summary>
    public ClientPrincipal Principal { get; }

    /// <summary>When the session was opened.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>When it ends, however busy (<see cref="CounterOptions.SessionLifetime"/>).</summary>
    public DateTimeOffset Ends { get; }

    /// <summary>The last call made with it.</summary>
    public DateTimeOffset LastUsed { get; internal set; }

    /// <summary>Entries prepared for this session to sign, by id.</summary>
    internal ConcurrentDictionary<string, PreparedUse> PreparedUses { get; } = new(StringComparer.Ordinal);
}

/// <summary>A <c>license.use</c> entry encoded by the node and waiting for the counter's signature.</summary>
/// <param name="EntryBytes">The exact bytes the counter signs.</param>
/// <param name="LicenseId">The license used.</param>
/// <param name="Expires">When the preparation lapses.</param>
internal sealed record PreparedUse(byte[] EntryBytes, string LicenseId, DateTimeOffset Expires);

/// <summary>
/// Sign-in challenges, open sessions and prepared uses of the counter page, in memory (a restart signs every counter
/// out). A session is opened only by a counter principal's signature over a one-time challenge bound to this node
/// (<see cref="BrowserSignature.LoginMessage"/>); it ends after <see cref="CounterOptions.SessionLifetime"/>, or
/// <see cref="CounterOptions.IdleTimeout"/> without use, or at sign-out. Every store is bounded, so callers who are not
/// signed in cannot fill the node's memory.
/// </summary>
public sealed class CounterSessions(ClientRegistry clients, CounterOptions options, string origin, TimeProvider time)
{
    /// <summary>How long a challenge may be answered.</summary>
    public static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(2);

    /// <summary>How long a prepared use waits for its signature.</summary>
    public static readonly TimeSpan PreparedUseLifetime = TimeSpan.FromMinutes(5);

    private const int MaxSessions = 4096;
    private const int MaxPreparedUsesPerSession = 16;

    // Challenges are not stored (anyone may ask for one, so a table of them could be filled to lock counters out): a
    // nonce carries its expiry and a MAC under a key of this process over it and the principal. Only a nonce answered
    // with a valid signature is remembered, until it expires, so that it opens one session.
    private readonly byte[] _challengeKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _usedNonces = new(StringComparer.Ordinal);
    private const int NonceRandomBytes = 16;
    private const int NonceMacBytes = 16;
    private readonly ConcurrentDictionary<string, CounterSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>The node's origin, which every sign-in message names.</summary>
    public string Origin => origin;

    /// <summary>A one-time nonce for <paramref name="principal"/> to sign, good for <see cref="ChallengeLifetime"/>; nothing is stored.</summary>
    public (string Nonce, DateTimeOffset Expires) Challenge(string principal)
    {
        var expires = time.GetUtcNow() + ChallengeLifetime;
        var nonce = new byte[8 + NonceRandomBytes + NonceMacBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, expires.ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.AsSpan(8, NonceRandomBytes));
        ChallengeMac(nonce.AsSpan(0, 8 + NonceRandomBytes), principal, nonce.AsSpan(8 + NonceRandomBytes));
        return (Base64Url(nonce), expires);
    }

    /// <summary>Whether <paramref name="nonce"/> is one this process issued to <paramref name="principal"/> and has not expired.</summary>
    private bool IsIssued(string nonce, string principal, DateTimeOffset now)
    {
        var bytes = FromBase64Url(nonce);
        if (bytes is not { Length: 8 + NonceRandomBytes + NonceMacBytes }) return false;
        Span<byte> mac = stackalloc byte[NonceMacBytes];
        ChallengeMac(bytes.AsSpan(0, 8 + NonceRandomBytes), principal, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes.AsSpan(8 + NonceRandomBytes))) return false;
        return BinaryPrimitives.ReadInt64BigEndian(bytes) > now.ToUnixTimeMilliseconds();
    }

    private void ChallengeMac(ReadOnlySpan<byte> issued, string principal, Span<byte> mac)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(principal);
        var message = new byte[issued.Length + name.Length];
        issued.CopyTo(message);
        name.CopyTo(message.AsSpan(issued.Length));
        HMACSHA256.HashData(_challengeKey, message).AsSpan(0, NonceMacBytes).CopyTo(mac);
    }

    /// <summary>
    /// Opens a session when <paramref name="signature"/> (WebCrypto form) is <paramref name="principal"/>'s signature of
    /// the sign-in message for <paramref name="nonce"/>, an unexpired challenge issued to that principal, and the
    /// principal is a configured counter. A nonce opens one session; a wrong answer does not use it up (anyone may ask for
    /// new nonces, so keeping it would protect nothing).
    /// </summary>
    /// <returns>The session and its bearer token, or null with the reason.</returns>
    public (CounterSession Session, string Token)? SignIn(string principal, string nonce, byte[] signature, out string? error)
    {
        var now = time.GetUtcNow();
        if (!IsIssued(nonce, principal, now) || _usedNonces.ContainsKey(nonce))
        {
            error = "the sign-in challenge is unknown, used or expired; ask for a new one";
            return null;
        }
        var counter = clients.Principals.FirstOrDefault(p => p.Name == principal && p.Role == ClientRole.Counter);
        // One answer for "no such counter", "wrong key" and "a key no browser signs with", so the page does not tell
        // which principals exist or what keys they hold.
        if (counter is null || !BrowserSignature.Verify(counter.Key, BrowserSignature.LoginMessage(origin, principal, nonce), signature))
        {
            error = $"'{principal}' is not a counter of this node, or the key does not match (a browser signs with Ed25519 or P-256 keys only; a counter with an SM2 key uses the CLI)";
            return null;
        }
        // Told only to whoever holds the counter's key, as the rest: which principals exist stays unsaid.
        if (clients.ActsForRevokedIssuer(counter))
        {
            error = ClientRegistry.RevokedIssuer(counter);
            return null;
        }
        // Answered: the nonce opens this session and no other (remembered until it would have expired anyway).
        Sweep(_usedNonces, expires => expires <= now);
        if (!_usedNonces.TryAdd(nonce, now + ChallengeLifetime))
        {
            error = "the sign-in challenge is unknown, used or expired; ask for a new one";
            return null;
        }
        if (_sessions.Count >= MaxSessions) Sweep(_sessions, s => IsOver(s, now));
        if (_sessions.Count >= MaxSessions)
        {
            error = "too many open sessions on this node; try again later";
            return null;
        }
        var token = NewSecret();
        var session = new CounterSession(KeyOf(token), counter, now, now + options.SessionLifetime);
        _sessions[session.Key] = session;
        error = null;
        return (session, token);
    }

    /// <summary>The open session of <paramref name="token"/>, marked used now; null when unknown or over.</summary>
    public CounterSession? Find(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128) return null;
        var key = KeyOf(token);
        if (!_sessions.TryGetValue(key, out var session)) return null;
        var now = time.GetUtcNow();
        // A session ends with its department's revocation, not hours later.
        if (IsOver(session, now) || clients.ActsForRevokedIssuer(session.Principal))
        {
            _sessions.TryRemove(key, out _);
            return null;
        }
        session.LastUsed = now;
        return session;
    }

    /// <summary>Ends the session of <paramref name="token"/>.</summary>
    public void SignOut(string token) => _sessions.TryRemove(KeyOf(token), out _);

    /// <summary>Holds <paramref name="entryBytes"/> for the session to sign; returns its id, or null when too many are waiting.</summary>
    internal string? Prepare(CounterSession session, byte[] entryBytes, string licenseId)
    {
        var now = time.GetUtcNow();
        Sweep(session.PreparedUses, p => p.Expires <= now);
        if (session.PreparedUses.Count >= MaxPreparedUsesPerSession) return null;
        var id = NewSecret();
        session.PreparedUses[id] = new PreparedUse(entryBytes, licenseId, now + PreparedUseLifetime);
        return id;
    }

    /// <summary>Takes (once) the prepared use <paramref name="id"/> of the session, if it has not lapsed.</summary>
    internal PreparedUse? Take(CounterSession session, string id)
        => session.PreparedUses.TryRemove(id, out var prepared) && prepared.Expires > time.GetUtcNow() ? prepared : null;

    private bool IsOver(CounterSession session, DateTimeOffset now) => now >= session.Ends || now - session.LastUsed >= options.IdleTimeout;

    private static void Sweep<T>(ConcurrentDictionary<string, T> store, Func<T, bool> over)
    {
        foreach (var (key, value) in store)
        {
            if (over(value)) store.TryRemove(key, out _);
        }
    }

    private static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string KeyOf(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length > 128) return null;
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
