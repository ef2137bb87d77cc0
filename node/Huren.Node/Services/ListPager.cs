using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Huren.Node.Services;

/// <summary>
/// One page of a list RPC (Licenses.List, Seals.List, Exchange.ListCatalog, Exchange.ListPending, Trace): rows in the order of
/// (log origin, key), answered until the page holds <c>page_size</c> rows or about <see cref="MaxBytes"/>, or the call
/// has read <see cref="MaxRowsRead"/> rows, matching or not, so that neither a large log nor a filter that matches
/// little makes one call build or scan without bound. The page token names the last row read, so the next page starts
/// right after it; rows written meanwhile are listed when their key comes later. The token is sealed, so it tells the
/// caller nothing, not even the key of a row its role does not see. Not thread-safe: one per call.
/// </summary>
internal sealed class ListPager
{
    /// <summary>Rows per page when the caller asks for none.</summary>
    public const int DefaultSize = 500;

    /// <summary>The most rows one page answers.</summary>
    public const int MaxSize = 1000;

    /// <summary>About the most bytes one page answers (the page ends after the row that passes it).</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The most rows one call reads, answered or filtered out.</summary>
    public const int MaxRowsRead = 20_000;

    private readonly int _size;
    private readonly string _startOrigin = "";
    private readonly string _startAfter = "";
    private int _answered;
    private int _read;
    private long _bytes;
    private string _lastOrigin = "";
    private string _lastKey = "";

    /// <summary>A page of <paramref name="pageSize"/> rows (0: the default) from <paramref name="pageToken"/> (empty: the first page).</summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT: a token this node did not give.</exception>
    public ListPager(uint pageSize, string pageToken)
    {
        _size = pageSize == 0 ? DefaultSize : (int)Math.Min(pageSize, MaxSize);
        if (string.IsNullOrEmpty(pageToken)) return;
        (_startOrigin, _startAfter) = Read(pageToken) ?? throw RpcErrors.InvalidArgument(
            "page_token is not one this node process gave (a node that restarted gives new ones): pass the next_page_token of the previous answer unchanged, or none for the first page");
    }

    /// <summary>Where the next page starts, once the page is full; empty while it is not (and so when the list ended).</summary>
    public string NextPageToken { get; private set; } = "";

    /// <summary>
    /// Fills the page from <paramref name="logs"/> (only <paramref name="origin"/>'s when it is not empty): each log's
    /// rows in origin order, from the token's log and key on, as <paramref name="rowsAfter"/> reads them after a key, are
    /// offered to <paramref name="answer"/>, which adds a row to the answer and returns about how long it is, or null for
    /// a row the filters leave out. Stops when the page is full, with <see cref="NextPageToken"/> set.
    /// </summary>
    public void Fill<TLog, TRow>(IEnumerable<TLog> logs, Func<TLog, string> originOf, Func<TLog, string, IEnumerable<(string Key, TRow Row)>> rowsAfter,
        Func<TLog, TRow, int?> answer, string origin = "")
    {
        foreach (var log in Logs(logs, originOf, origin))
        {
            var name = originOf(log);
            foreach (var (key, row) in rowsAfter(log, StartAfter(name)))
            {
                if (!Continue()) return;
                Read(name, key);
                if (answer(log, row) is { } bytes) Answered(bytes);
            }
        }
    }

    /// <summary>The items of <paramref name="all"/> to read, in the order of their logs' origins, from the token's log on; only <paramref name="origin"/>'s when it is not empty.</summary>
    private List<T> Logs<T>(IEnumerable<T> all, Func<T, string> originOf, string origin)
    {
        var logs = new List<T>();
        foreach (var log in all)
        {
            var name = originOf(log);
            if ((origin.Length == 0 || name == origin) && string.CompareOrdinal(name, _startOrigin) >= 0) logs.Add(log);
        }
        logs.Sort((a, b) => string.CompareOrdinal(originOf(a), originOf(b)));
        return logs;
    }

    /// <summary>The key in <paramref name="origin"/>'s rows after which this page starts (empty: its first row).</summary>
    public string StartAfter(string origin) => origin == _startOrigin ? _startAfter : "";

    /// <summary>
    /// Whether the page takes another row. When it does not, the next page token is set to start at the row about to be
    /// read, and the caller stops.
    /// </summary>
    public bool Continue()
    {
        if (_answered < _size && _bytes < MaxBytes && _read < MaxRowsRead) return true;
        NextPageToken = Token(_lastOrigin, _lastKey);
        return false;
    }

    /// <summary>Notes the row at <paramref name="key"/> of <paramref name="origin"/> read, whether answered or filtered out.</summary>
    public void Read(string origin, string key)
    {
        (_lastOrigin, _lastKey) = (origin, key);
        _read++;
    }

    /// <summary>Notes the row just read answered, about <paramref name="bytes"/> long.</summary>
    public void Answered(int bytes)
    {
        _answered++;
        _bytes += bytes;
    }

    // The token is sealed (AES-GCM under a key of this process): the last row read may be one the caller's role does not
    // see (another department's pending request, another issuer's entry), whose key the token must not tell; and a
    // token is taken back only as given. A token does not outlive the process: after a restart the list starts again.
    private static readonly byte[] TokenKey = RandomNumberGenerator.GetBytes(32);
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    // Origins and keys are printable ASCII without spaces or line breaks (the schema validators make sure), so a line
    // break separates them; base64url keeps the token one opaque word.
    private static string Token(string origin, string key)
    {
        var plain = Encoding.UTF8.GetBytes(origin + "\n" + key);
        var sealedToken = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedToken.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(TokenKey, TagBytes);
        aes.Encrypt(nonce, plain, sealedToken.AsSpan(NonceBytes, plain.Length), sealedToken.AsSpan(NonceBytes + plain.Length));
        return Base64Url.EncodeToString(sealedToken);
    }

    private static (string Origin, string After)? Read(string token)
    {
        if (token.Length > 2048) return null;
        byte[] sealedToken;
        try
        {
            sealedToken = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return null;
        }
        if (sealedToken.Length < NonceBytes + TagBytes) return null;
        var bytes = new byte[sealedToken.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(TokenKey, TagBytes);
            aes.Decrypt(sealedToken.AsSpan(0, NonceBytes), sealedToken.AsSpan(NonceBytes, bytes.Length), sealedToken.AsSpan(NonceBytes + bytes.Length), bytes);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(bytes);
        var split = text.IndexOf('\n', StringComparison.Ordinal);
        if (split <= 0 || split == text.Length - 1 || text.IndexOf('\n', split + 1) >= 0) return null;
        return (text[..split], text[(split + 1)..]);
    }
}
