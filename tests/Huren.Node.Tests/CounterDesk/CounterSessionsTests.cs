using Huren.Node.Auth;
using Huren.Node.CounterDesk;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Node.Tests.CounterDesk;

/// <summary>
/// Sign-in challenges of the counter page are not stored, so callers who are not signed in cannot use them up; a nonce
/// is bound to its principal, expires, and opens one session.
/// </summary>
public sealed class CounterSessionsTests
{
    private const string Origin = "huren.cz-t/430200";
    private readonly SigningKey _key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly FixedTime _time = new(DateTimeOffset.UtcNow);
    private readonly CounterSessions _sessions;
    private readonly HashSet<string> _revoked = new(StringComparer.Ordinal);

    public CounterSessionsTests()
    {
        var clients = new Dictionary<string, ClientOptions>
        {
            ["counter"] = new() { Role = "counter", IssuerId = "430200-window", PublicKey = _key.PublicKey.ToPem() },
            ["counter-sm2"] = new() { Role = "counter", IssuerId = "430200-window", PublicKey = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).PublicKey.ToPem() },
        };
        _sessions = new CounterSessions(new ClientRegistry(clients, Path.GetTempPath(), _time, "430100", issuerRevoked: _revoked.Contains), new CounterOptions(), Origin, _time);
    }

    private byte[] Answer(string nonce, string principal = "counter") => _key.Sign(BrowserSignature.LoginMessage(Origin, principal, nonce));

    [Fact]
    public void Many_challenges_asked_by_anyone_do_not_keep_a_counter_from_signing_in()
    {
        for (var i = 0; i < 20_000; i++) _sessions.Challenge(i % 2 == 0 ? "counter" : $"x{i}");
        var (nonce, _) = _sessions.Challenge("counter");
        Assert.NotNull(_sessions.SignIn("counter", nonce, Answer(nonce), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void A_nonce_opens_one_session_for_its_principal_before_it_expires_and_cannot_be_forged()
    {
        var (nonce, expires) = _sessions.Challenge("counter");
        Assert.Equal(_time.Now + CounterSessions.ChallengeLifetime, expires);
        // A wrong answer does not use the nonce up; the right one opens a session once.
        Assert.Null(_sessions.SignIn("counter", nonce, new byte[64], out var error));
        Assert.Contains("the key does not match", error, StringComparison.Ordinal);
        Assert.NotNull(_sessions.SignIn("counter", nonce, Answer(nonce), out _));
        Assert.Null(_sessions.SignIn("counter", nonce, Answer(nonce), out error));
        Assert.Contains("unknown, used or expired", error, StringComparison.Ordinal);

        // Issued to another principal, altered, made up, or expired: unknown.
        var (other, _) = _sessions.Challenge("someone");
        Assert.Null(_sessions.SignIn("counter", other, Answer(other), out error));
        Assert.Contains("unknown, used or expired", error, StringComparison.Ordinal);
        var (fresh, _) = _sessions.Challenge("counter");
        var altered = (fresh[0] == 'A' ? "B" : "A") + fresh[1..];
        Assert.Null(_sessions.SignIn("counter", altered, Answer(altered), out _));
        Assert.Null(_sessions.SignIn("counter", "made-up", Answer("made-up"), out _));
        _time.Now += CounterSessions.ChallengeLifetime;
        Assert.Null(_sessions.SignIn("counter", fresh, Answer(fresh), out error));
        Assert.Contains("unknown, used or expired", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_counter_of_a_revoked_department_cannot_sign_in_and_its_open_session_ends_with_the_revocation()
    {
        var (nonce, _) = _sessions.Challenge("counter");
        var (_, token) = _sessions.SignIn("counter", nonce, Answer(nonce), out _) ?? throw new InvalidOperationException("sign-in refused");
        Assert.NotNull(_sessions.Find(token));

        _revoked.Add("430200-window");
        Assert.Null(_sessions.Find(token));
        var (again, _) = _sessions.Challenge("counter");
        Assert.Null(_sessions.SignIn("counter", again, Answer(again), out var error));
        Assert.Contains("which this node's log has revoked", error, StringComparison.Ordinal);
        // Without the key the answer is the same as for anyone: which principals exist, and their state, stays unsaid.
        var (guess, _) = _sessions.Challenge("counter");
        Assert.Null(_sessions.SignIn("counter", guess, new byte[64], out error));
        Assert.Contains("the key does not match", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_counter_with_an_sm2_key_is_refused_with_the_answer_anyone_gets()
    {
        string? Refusal(string principal)
        {
            var (nonce, _) = _sessions.Challenge(principal);
            Assert.Null(_sessions.SignIn(principal, nonce, new byte[64], out var error));
            return error;
        }

        // Which principals exist and which keys they hold stays unsaid; the hint for SM2 keys is in every refusal.
        Assert.Equal(Refusal("nobody")!.Replace("'nobody'", "'counter-sm2'", StringComparison.Ordinal), Refusal("counter-sm2"));
        Assert.Contains("SM2 key uses the CLI", Refusal("counter-sm2"), StringComparison.Ordinal);
    }
}
