namespace Huren.Anchoring.Chain;

/// <summary>
/// The chain could not do what was asked. <see cref="IsPermanent"/> tells a refusal that retrying will not change
/// (the contract reverts, a wrong chain id) from a passing fault (endpoint down, timeout, fees above the cap).
/// </summary>
public sealed class AnchorChainException : Exception
{
    /// <summary>An error with a message.</summary>
    public AnchorChainException(string message, bool isPermanent = false, Exception? inner = null) : base(message, inner) => IsPermanent = isPermanent;

    /// <summary>True when retrying will not help.</summary>
    public bool IsPermanent { get; }
}
