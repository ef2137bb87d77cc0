using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>
/// The network configuration in force on a node, and its updates: a new version is adopted only when it chains to
/// the current one and carries signatures of a majority of the current members' root keys; the node then passes it
/// on to the other members.
/// </summary>
[Service("huren.v1.Network")]
public interface INetworkService
{
    /// <summary>The configuration in force, verbatim.</summary>
    [Operation]
    ValueTask<NetworkConfigResponse> GetConfigAsync(GetNetworkConfigRequest request, CallContext context = default);

    /// <summary>Offers the next version; answered once it is checked, stored and in force (or refused with the reason).</summary>
    [Operation]
    ValueTask<NetworkConfigResponse> ProposeConfigAsync(ProposeNetworkConfigRequest request, CallContext context = default);
}

/// <summary>Asks for the configuration in force, or for one version of its chain.</summary>
[ProtoContract]
public sealed class GetNetworkConfigRequest
{
    /// <summary>
    /// The version wanted; 0 (the default) for the one in force. A version the node does not hold (newer than the one in
    /// force, or older than the file it started from) is NOT_FOUND.
    /// </summary>
    [ProtoMember(1, Name = "version")] public int Version { get; set; }
}

/// <summary>A configuration version, as its exact file bytes.</summary>
[ProtoContract]
public sealed class NetworkConfigResponse
{
    /// <summary>Its version number.</summary>
    [ProtoMember(1, Name = "version")] public int Version { get; set; }
    /// <summary>The document's exact UTF-8 bytes (what the next version's <c>previous</c> digests).</summary>
    [ProtoMember(2, Name = "document")] public byte[] Document { get; set; } = [];
}

/// <summary>A proposed next configuration version.</summary>
[ProtoContract]
public sealed class ProposeNetworkConfigRequest
{
    /// <summary>The exact UTF-8 bytes of the signed document.</summary>
    [ProtoMember(1, Name = "document")] public byte[] Document { get; set; } = [];
}
