using Huren.Node.Network;
using Huren.Node.Auth;
using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The Network gRPC service: the configuration in force, and updates that chain to it.</summary>
public sealed partial class NetworkService(NetworkView network, PeerClients peers, ILogger<NetworkService> logger) : INetworkService
{
    /// <inheritdoc/>
    public ValueTask<NetworkConfigResponse> GetConfigAsync(GetNetworkConfigRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Operator, ClientRole.Auditor, ClientRole.Counter, ClientRole.Issuer, ClientRole.Peer);
        if (network.Current is not { } config) throw RpcErrors.NotFound("this node is not part of a network");
        if (request.Version < 0) throw RpcErrors.InvalidArgument($"version {request.Version} is negative");
        if (request.Version == 0) return ValueTask.FromResult(new NetworkConfigResponse { Version = config.Version, Document = network.CurrentBytes! });
        var bytes = network.BytesOf(request.Version)
            ?? throw RpcErrors.NotFound($"this node does not hold network configuration version {request.Version} (in force: version {config.Version})");
        return ValueTask.FromResult(new NetworkConfigResponse { Version = request.Version, Document = bytes });
    }

    /// <inheritdoc/>
    public ValueTask<NetworkConfigResponse> ProposeConfigAsync(ProposeNetworkConfigRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Operator, ClientRole.Peer);
        if (request.Document is not { Length: > 0 }) throw RpcErrors.InvalidArgument("document is empty");
        var before = network.Current?.Version ?? 0;
        if (network.TryAdopt(request.Document, out var underSigned) is { } refusal)
        {
            throw underSigned ? RpcErrors.PermissionDenied($"configuration refused: {refusal}") : RpcErrors.FailedPrecondition($"configuration refused: {refusal}");
        }
        var config = network.Current!;
        if (config.Version != before)
        {
            LogAdopted(logger, config.Version);
            // Pass it on; members that already hold it answer at once, so the spreading stops.
            _ = Task.Run(() => ForwardAsync(request.Document));
        }
        return ValueTask.FromResult(new NetworkConfigResponse { Version = config.Version, Document = network.CurrentBytes! });
    }

    private async Task ForwardAsync(byte[] document)
    {
        foreach (var member in network.Current!.Members)
        {
            if (member.CityCode == peers.CityCode) continue;
            try
            {
                using var client = peers.For(member, TimeSpan.FromSeconds(5));
                await client.Network.ProposeConfigAsync(new ProposeNetworkConfigRequest { Document = document }, client.Options()).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or HttpRequestException)
            {
                LogForwardFailed(logger, member.Origin, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Network configuration version {Version} is now in force")]
    private static partial void LogAdopted(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not pass the configuration on to {Member}: {Error}")]
    private static partial void LogForwardFailed(ILogger logger, string member, string error);
}
