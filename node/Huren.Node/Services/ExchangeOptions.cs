namespace Huren.Node.Services;

/// <summary>
/// Data exchange settings (section <c>Huren:Exchange</c>). A provider's node records shares and refusals on its
/// departments' behalf when it answers a request (无条件共享 needs no one at a desk), so each providing department deposits
/// its registered signing key with its node (docs/exchange.md, "Who signs what").
/// </summary>
public sealed class ExchangeOptions
{
    /// <summary>PKCS#8 PEM key files by issuer id (relative to the content root): the keys the node signs shares and refusals with.</summary>
    public Dictionary<string, string> DepartmentKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many days a share lets the consumer use the data (<c>expiresOn</c>).</summary>
    public int ShareValidityDays { get; set; } = 365;

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate() => ShareValidityDays is < 1 or > 3650 ? $"Huren:Exchange:ShareValidityDays must be 1 to 3650, got {ShareValidityDays}" : null;
}

/// <summary>What the exchange service needs of the node's settings, parsed once.</summary>
/// <param name="Origin">This node's log.</param>
/// <param name="NetworkId">The network id.</param>
/// <param name="Options">The exchange settings.</param>
/// <param name="BaseDirectory">Where relative key paths start.</param>
/// <param name="AlterSharedData">TEST HOOK (<c>Huren:TestHooks:AlterSharedData</c>): flips a bit of the data a provider sends after recording the share, to show the consumer's node refuses it.</param>
/// <param name="KillAfterShareOfRecord">TEST HOOK (<c>Huren:TestHooks:KillAfterShareOfRecord</c>): the provider's process kills itself after a new share's header for this record id, before its data; empty for none.</param>
/// <param name="HoldProvideOfRecord">TEST HOOK (<c>Huren:TestHooks:HoldProvideOfRecord</c>): the provider holds forwarded requests for this record id unanswered until they are cancelled, writing nothing; empty for none.</param>
public sealed record ExchangeSettings(string Origin, string NetworkId, ExchangeOptions Options, string BaseDirectory, bool AlterSharedData, string KillAfterShareOfRecord = "", string HoldProvideOfRecord = "");
