namespace Huren.Node.Content;

/// <summary>What the store knows of one object: its two digests (its addresses), plaintext length and data key id.</summary>
public sealed record ContentInfo(byte[] Sha256, byte[] Sm3, long Length, string KeyId)
{
    /// <summary>The SHA-256 in lower-case hex: the object's file name.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(Sha256);
}
