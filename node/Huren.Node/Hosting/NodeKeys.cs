using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Files;

namespace Huren.Node.Hosting;

/// <summary>The node's keys, loaded from PEM files at start.</summary>
public sealed class NodeKeys
{
    private NodeKeys(SigningKey log, SigningKey sm2, SigningKey witness, PublicKey root)
    {
        LogKey = log;
        Sm2LogKey = sm2;
        WitnessKey = witness;
        RootKey = root;
    }

    /// <summary>Ed25519 checkpoint key.</summary>
    public SigningKey LogKey { get; }

    /// <summary>SM2 checkpoint key.</summary>
    public SigningKey Sm2LogKey { get; }

    /// <summary>Ed25519 witness key.</summary>
    public SigningKey WitnessKey { get; }

    /// <summary>The city root's public key.</summary>
    public PublicKey RootKey { get; }

    /// <summary>
    /// Loads the keys; with <paramref name="createMissing"/>, first generates any that are missing (the root's private
    /// key is then written beside its public key, for the local operator). Errors name the file and the problem.
    /// </summary>
    public static NodeKeys Load(NodeKeyFiles files, string baseDirectory, bool createMissing)
    {
        string Full(string path) => Path.GetFullPath(path, baseDirectory);
        if (createMissing)
        {
            CreateIfMissing(Full(files.LogKey), SignatureAlgorithm.Ed25519);
            CreateIfMissing(Full(files.Sm2LogKey), SignatureAlgorithm.Sm2Sm3);
            CreateIfMissing(Full(files.WitnessKey), SignatureAlgorithm.Ed25519);
            var rootPublic = Full(files.RootPublicKey);
            if (!File.Exists(rootPublic))
            {
                var root = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
                var rootPrivate = Path.Combine(Path.GetDirectoryName(rootPublic)!, "root.pem");
                // A private key without its public file is one a crash cut short: nothing was signed with it (the public
                // file, written last, is what the node and the network know), so a new pair replaces it.
                File.Delete(rootPrivate);
                DurableFile.CreatePrivate(rootPrivate, root.ToPem());
                DurableFile.Create(rootPublic, root.PublicKey.ToPem());
            }
        }
        return new NodeKeys(
            ReadPrivate(Full(files.LogKey), "Huren:Keys:LogKey", SignatureAlgorithm.Ed25519),
            ReadPrivate(Full(files.Sm2LogKey), "Huren:Keys:Sm2LogKey", SignatureAlgorithm.Sm2Sm3),
            ReadPrivate(Full(files.WitnessKey), "Huren:Keys:WitnessKey", SignatureAlgorithm.Ed25519),
            ReadPublic(Full(files.RootPublicKey), "Huren:Keys:RootPublicKey"));
    }

    /// <summary>
    /// The private keys in the staged-keys folder (<c>*.pem</c> but <c>*.pub.pem</c>), for a rotation; none when the
    /// folder is missing. A file that is not a private key is passed over: it cannot be the key a configuration lists.
    /// </summary>
    public static IReadOnlyList<SigningKey> LoadStaged(string folder)
    {
        var keys = new List<SigningKey>();
        if (!Directory.Exists(folder)) return keys;
        foreach (var path in Directory.EnumerateFiles(folder, "*.pem"))
        {
            if (path.EndsWith(".pub.pem", StringComparison.Ordinal)) continue;
            try
            {
                keys.Add(SigningKey.FromPem(File.ReadAllText(path)));
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Not a usable private key: no configuration can list it, so it is not a candidate.
            }
        }
        return keys;
    }

    private static void CreateIfMissing(string path, SignatureAlgorithm algorithm)
    {
        if (!File.Exists(path)) DurableFile.CreatePrivate(path, SigningKey.Generate(algorithm).ToPem());
    }

    private static SigningKey ReadPrivate(string path, string setting, SignatureAlgorithm expected)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"{setting}: key file '{path}' does not exist");
        SigningKey key;
        try
        {
            key = SigningKey.FromPem(File.ReadAllText(path));
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"{setting}: '{path}' is not a usable private key: {ex.Message}", ex);
        }
        if (key.Algorithm != expected) throw new InvalidOperationException($"{setting}: '{path}' is a {key.Algorithm} key, expected {expected}");
        return key;
    }

    private static PublicKey ReadPublic(string path, string setting)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"{setting}: key file '{path}' does not exist");
        try
        {
            return PublicKey.FromPem(File.ReadAllText(path));
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"{setting}: '{path}' is not a usable public key: {ex.Message}", ex);
        }
    }
}
