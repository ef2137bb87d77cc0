using System.Security.Cryptography;
using System.Text;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Notes;

/// <summary>Deterministic Ed25519 keys (seed = SHA-256 of a label) and one shared SM2 key, to keep the tests fast.</summary>
internal static class TestKeys
{
    private static readonly Lazy<SigningKey> LazySm2 = new(() => SigningKey.Generate(SignatureAlgorithm.Sm2Sm3));

    public static SigningKey Sm2 => LazySm2.Value;

    public static SigningKey Ed25519(string label) => SigningKey.FromEd25519Seed(SHA256.HashData(Encoding.UTF8.GetBytes(label)));
}
