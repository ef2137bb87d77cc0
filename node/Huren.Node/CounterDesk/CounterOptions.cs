namespace Huren.Node.CounterDesk;

/// <summary>The counter page's settings (section <c>Huren:Counter</c>; docs/configuration.md).</summary>
public sealed class CounterOptions
{
    /// <summary>Serve the page and its API at <c>/counter/</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a session lasts after sign-in, however busy (a working shift).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session unused this long ends (a counter left unattended).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The largest upload read whole (a QR photo or an evidence bundle).</summary>
    public int MaxUploadBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// The largest sealed document accepted for a seal check (用章文件核验). It is hashed as it streams in and never
    /// kept, so a large PDF or OFD costs the node time, not memory.
    /// </summary>
    public long MaxDocumentBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>How long a verification waits for its evidence to become final before answering.</summary>
    public TimeSpan WaitForFinality { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (SessionLifetime <= TimeSpan.Zero || SessionLifetime > TimeSpan.FromDays(7)) return "Huren:Counter:SessionLifetime must be positive and at most 7 days";
        if (IdleTimeout <= TimeSpan.Zero || IdleTimeout > SessionLifetime) return "Huren:Counter:IdleTimeout must be positive and at most SessionLifetime";
        if (MaxUploadBytes is < 1024 or > 64 * 1024 * 1024) return "Huren:Counter:MaxUploadBytes must be between 1024 and 67108864";
        if (MaxDocumentBytes is < 1024 or > 1024L * 1024 * 1024) return "Huren:Counter:MaxDocumentBytes must be between 1024 and 1073741824";
        if (WaitForFinality < TimeSpan.Zero || WaitForFinality > TimeSpan.FromSeconds(60)) return "Huren:Counter:WaitForFinality must be between 0 and 60 s";
        return null;
    }
}
