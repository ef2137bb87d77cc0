using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Node.Ledger;

public sealed partial class LogStateMachine
{
    /// <summary>
    /// The signer may write the entry: the city root (one of its keys, under its issuer id) for issuer entries, and as a
    /// last resort for <c>license.status</c>; for every other entry the registered, unrevoked issuer named by the
    /// entry, with that issuer's key. Returns the issuer, or null for the city root.
    /// </summary>
    private IssuerRecord? Authorize(EntryContext context)
    {
        var entry = context.Entry;
        var signer = context.Leaf.Signed.SignerKeyId;
        if (string.Equals(entry.IssuerId, _rootId, StringComparison.Ordinal))
        {
            if (!EntryKinds.MayBeWrittenByRoot(entry.Kind))
            {
                throw Reject.PermissionDenied($"the city root '{_rootId}' writes only issuer.register, issuer.revoke, issuer.succeed and (as a last resort) license.status, not {entry.Kind}");
            }
            // A retired root key counts only for entries dated within its end (the evidence verifier's rule): a log whose
            // root was rotated replays from index 0, and nothing the old key signs later is admitted.
            string? retiredReason = null;
            if (signer.Length != KeyId.Length || !_rootKeys.MaySign(KeyId.FromBytes(signer), entry.TimeUnixMs, out retiredReason))
            {
                throw Reject.PermissionDenied(retiredReason is null ? $"signer is not a city root key of '{_rootId}'" : $"signer {retiredReason}");
            }
            return null;
        }
        if (EntryKinds.IsRootKind(entry.Kind))
        {
            throw Reject.PermissionDenied($"{entry.Kind} is written by the city root '{_rootId}', not by '{entry.IssuerId}'");
        }
        var issuer = ReadIssuer(entry.IssuerId)
            ?? throw Reject.PermissionDenied($"issuer '{entry.IssuerId}' is unknown: it is not registered in {_origin}");
        if (!signer.AsSpan().SequenceEqual(issuer.KeyId))
        {
            throw Reject.PermissionDenied($"signer is not issuer {issuer.IssuerId}'s key");
        }
        if (issuer.Revoked)
        {
            throw Reject.PermissionDenied($"issuer {issuer.IssuerId} was revoked at index {issuer.RevokedIndex}");
        }
        return issuer;
    }

    private void RegisterIssuer(EntryContext context)
    {
        var body = Body<IssuerRegistered>(context);
        if (string.Equals(body.IssuerId, _rootId, StringComparison.Ordinal))
        {
            throw Reject.AlreadyExists($"issuer id '{body.IssuerId}' is the city root's");
        }
        if (ReadIssuer(body.IssuerId) is { } existing)
        {
            throw Reject.AlreadyExists($"issuer {body.IssuerId} is already registered (index {existing.RegisteredIndex}{(existing.Revoked ? ", revoked" : "")})");
        }
        PublicKey key;
        try
        {
            key = PublicKey.FromSubjectPublicKeyInfo(body.PublicKey);
        }
        catch (FormatException ex)
        {
            throw Reject.InvalidArgument($"body.publicKey: {ex.Message}");
        }
        if (key.Algorithm != body.Algorithm)
        {
            throw Reject.InvalidArgument($"body.algorithm: {body.Algorithm} does not match the key's algorithm {key.Algorithm}");
        }
        if (_rootKeys.Holds(key.Id))
        {
            throw Reject.AlreadyExists($"body.publicKey: key {key.Id} is a city root key (current or retired) and cannot be an issuer's");
        }
        if (KeyOwner(key.Id) is { } owner)
        {
            throw Reject.AlreadyExists($"body.publicKey: key {key.Id} is already registered to issuer {owner}");
        }
        for (var i = 0; i < body.SealMakerKeys.Count; i++)
        {
            PublicKey makerKey;
            try
            {
                makerKey = PublicKey.FromSubjectPublicKeyInfo(body.SealMakerKeys[i]);
            }
            catch (FormatException ex)
            {
                throw Reject.InvalidArgument($"body.sealMakerKeys[{i}]: {ex.Message}");
            }
            if (makerKey.Algorithm is not (SignatureAlgorithm.Sm2Sm3 or SignatureAlgorithm.EcdsaP256Sha256))
                throw Reject.InvalidArgument($"body.sealMakerKeys[{i}]: seals are made with SM2 or P-256 keys, not {makerKey.Algorithm}");
        }
        for (var i = 0; i < body.LicenseTypeCodes.Count; i++)
        {
            if (!LicenseTypeCatalog.TryGet(body.LicenseTypeCodes[i], out _))
            {
                throw Reject.InvalidArgument($"body.licenseTypeCodes[{i}]: '{body.LicenseTypeCodes[i]}' is not in the license-type catalog (version {LicenseTypeCatalog.Version})");
            }
        }
        var record = new IssuerRecord
        {
            Registration = body,
            RegisteredIndex = context.Index,
            RegisteredLeafHash = context.LeafHash,
            KeyId = key.Id.Bytes.ToArray(),
        };
        Stage(StateKeys.Issuer(body.IssuerId), record);
        Stage(StateKeys.Key(key.Id.Bytes), new KeyRecord { IssuerId = body.IssuerId, RegisteredIndex = context.Index });
        _effectKeys.Add(new RegisteredKey(key, body.IssuerId));
    }

    private void RevokeIssuer(EntryContext context)
    {
        var body = Body<IssuerRevoked>(context);
        var existing = ReadIssuer(body.IssuerId)
            ?? throw Reject.NotFound($"issuer {body.IssuerId} is not registered in {_origin}");
        if (existing.Revoked)
        {
            throw Reject.FailedPrecondition($"issuer {body.IssuerId} was already revoked at index {existing.RevokedIndex}");
        }
        var revoked = existing.Clone();
        revoked.Revoked = true;
        revoked.RevokedIndex = context.Index;
        revoked.RevokeReason = body.Reason;
        Stage(StateKeys.Issuer(body.IssuerId), revoked);
    }
}
