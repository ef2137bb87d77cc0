using System.Security.Cryptography;
using System.Security.Cryptography.Xml;

namespace Huren.Sdk.Xml;

/// <summary>
/// The XML signature algorithms Huren writes and accepts, and the one registration .NET needs for them.
/// </summary>
internal static class XmlDsigAlgorithms
{
    /// <summary>ECDSA with SHA-256 (RFC 6931), signature value r ‖ s.</summary>
    public const string EcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

    /// <summary>RSA PKCS#1 v1.5 with SHA-256 (RFC 6931).</summary>
    public const string RsaSha256 = SignedXml.XmlDsigRSASHA256Url;

    /// <summary>Exclusive XML canonicalization without comments.</summary>
    public const string ExcC14n = SignedXml.XmlDsigExcC14NTransformUrl;

    /// <summary>The enveloped-signature transform.</summary>
    public const string Enveloped = SignedXml.XmlDsigEnvelopedSignatureTransformUrl;

    /// <summary>SHA-256 digest.</summary>
    public const string Sha256 = SignedXml.XmlDsigSHA256Url;

    /// <summary>The XML signature namespace.</summary>
    public const string DsigNamespace = SignedXml.XmlDsigNamespaceUrl;

    // System.Security.Cryptography.Xml has no ECDSA signature description of its own; its documented extension point
    // is a process-wide name → type registration. It is done once here, for one fixed URI, before any signing or checking.
    static XmlDsigAlgorithms() => CryptoConfig.AddAlgorithm(typeof(EcdsaSha256SignatureDescription), EcdsaSha256);

    /// <summary>Makes sure the registration above has run.</summary>
    public static void EnsureRegistered()
    {
        // Touching the class runs its static constructor exactly once.
    }
}
