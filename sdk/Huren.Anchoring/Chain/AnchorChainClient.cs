using System.Net.Sockets;
using System.Numerics;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Merkle;
using Nethereum.Contracts;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.Model;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;
using Nethereum.Web3;

namespace Huren.Anchoring.Chain;

/// <summary>Which chain and contract to anchor on, and how.</summary>
public sealed record AnchorChainOptions
{
    /// <summary>The chain's JSON-RPC endpoint.</summary>
    public required Uri RpcUrl { get; init; }

    /// <summary>The EIP-155 chain id; the endpoint must report the same.</summary>
    public required ulong ChainId { get; init; }

    /// <summary>The anchor contract's address (empty only for deploying one).</summary>
    public string Contract { get; init; } = "";

    /// <summary>Deadline of one JSON-RPC call.</summary>
    public TimeSpan RpcTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most the account pays per gas (wei): a suggestion above it is capped, a base fee above it waits.</summary>
    public BigInteger MaxFeePerGas { get; init; } = BigInteger.Parse("200000000000", System.Globalization.CultureInfo.InvariantCulture); // 200 gwei

    /// <summary>The tip per gas (wei), or null to take the chain's suggestion.</summary>
    public BigInteger? PriorityFeePerGas { get; init; }
}

/// <summary>A signed anchor transaction, kept (raw) before it is sent so that it can be sent again after a restart or a reorg.</summary>
/// <param name="Hash">The transaction hash, 0x hex.</param>
/// <param name="Raw">The signed EIP-1559 transaction, 0x hex.</param>
/// <param name="Nonce">The account nonce it uses.</param>
/// <param name="MaxFeePerGas">Wei.</param>
/// <param name="MaxPriorityFeePerGas">Wei.</param>
/// <param name="GasLimit">Gas.</param>
public sealed record SignedAnchorTransaction(string Hash, string Raw, ulong Nonce, BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas, ulong GasLimit);

/// <summary>What the endpoint said to a sent transaction.</summary>
public enum BroadcastOutcome
{
    /// <summary>Accepted into the pool (or mined at once).</summary>
    Sent,

    /// <summary>The endpoint already had it.</summary>
    AlreadyKnown,

    /// <summary>Its nonce is used already: it or another transaction of the account was mined.</summary>
    NonceTooLow,

    /// <summary>Another transaction with this nonce is pending with higher fees.</summary>
    Underpriced,
}

/// <summary>An <c>Anchored</c> event as logged.</summary>
/// <param name="Sequence">The anchor's number in the contract.</param>
/// <param name="Root">The anchored root.</param>
/// <param name="Submitter">The anchoring account.</param>
/// <param name="LeafCount">Leaves under the root.</param>
/// <param name="AnchoredAt">The block's timestamp (Unix seconds).</param>
/// <param name="LogIndex">The log's index in its block.</param>
/// <param name="TransactionHash">0x hex.</param>
/// <param name="BlockNumber">The block.</param>
/// <param name="BlockHash">0x hex.</param>
public sealed record AnchoredLog(ulong Sequence, Hash256 Root, string Submitter, ulong LeafCount, ulong AnchoredAt, ulong LogIndex, string TransactionHash, ulong BlockNumber, string BlockHash);

/// <summary>A mined transaction's receipt, with its <c>Anchored</c> event when it has one from the contract.</summary>
/// <param name="TransactionHash">0x hex.</param>
/// <param name="Succeeded">Status 1.</param>
/// <param name="BlockNumber">The block.</param>
/// <param name="BlockHash">0x hex.</param>
/// <param name="Anchored">The event, or null.</param>
/// <param name="GasUsed">Gas used.</param>
/// <param name="EffectiveGasPrice">Wei per gas paid.</param>
public sealed record AnchorReceipt(string TransactionHash, bool Succeeded, ulong BlockNumber, string BlockHash, AnchoredLog? Anchored, ulong GasUsed, BigInteger EffectiveGasPrice);

/// <summary>An anchor as the contract stores it.</summary>
/// <param name="Sequence">Its number.</param>
/// <param name="Root">The root.</param>
/// <param name="LeafCount">Leaves.</param>
/// <param name="AnchoredAt">Block timestamp.</param>
/// <param name="BlockNumber">Block number.</param>
/// <param name="Submitter">Anchoring account.</param>
public sealed record OnChainAnchor(ulong Sequence, Hash256 Root, ulong LeafCount, ulong AnchoredAt, ulong BlockNumber, string Submitter);

/// <summary>A canonical block's hash and time.</summary>
/// <param name="Number">Block number.</param>
/// <param name="Hash">0x hex.</param>
/// <param name="Timestamp">Unix seconds.</param>
public sealed record ChainBlock(ulong Number, string Hash, ulong Timestamp);

/// <summary>A deployed anchor contract.</summary>
/// <param name="Address">Its address.</param>
/// <param name="TransactionHash">The deployment transaction.</param>
/// <param name="BlockNumber">Where it was mined.</param>
public sealed record DeployedAnchorContract(string Address, string TransactionHash, ulong BlockNumber);

/// <summary>
/// Huren's anchor contract on one EVM chain, through Nethereum: deploy it, sign and send anchor transactions
/// (EIP-1559, nonces handed out one by one even to concurrent callers), read receipts, blocks, anchors and events.
/// Every call has a deadline; failures are <see cref="AnchorChainException"/>s that say whether a retry can help.
/// </summary>
public sealed class AnchorChainClient : IDisposable
{
    private readonly AnchorChainOptions _options;
    private readonly EvmAccount? _account;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Web3 _web3;
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
    private ulong _nextNonce;

    /// <summary>A client of <paramref name="options"/>'s chain, signing as <paramref name="account"/> (null: read only).</summary>
    public AnchorChainClient(AnchorChainOptions options, EvmAccount? account = null, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _account = account;
        _ownsHttp = http is null;
        // Each call has its own deadline (RpcTimeout); a client's own HttpClient keeps its settings.
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _web3 = new Web3(new RpcClient(options.RpcUrl, _http));
    }

    /// <summary>The options.</summary>
    public AnchorChainOptions Options => _options;

    /// <summary>The signing account's address, or null.</summary>
    public string? Address => _account?.Address;

    /// <summary>
    /// Deploys the anchor contract for <paramref name="networkId"/> with one anchoring account per member, signed by
    /// <paramref name="deployer"/> (who gets no rights in it), and waits for its receipt.
    /// </summary>
    public static async Task<DeployedAnchorContract> DeployAsync(AnchorChainOptions options, EvmAccount deployer, string networkId, IReadOnlyList<string> anchorers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployer);
        ArgumentNullException.ThrowIfNull(anchorers);
        using var client = new AnchorChainClient(options, deployer);
        await client.CheckChainIdAsync(cancellationToken).ConfigureAwait(false);
        var deployment = new HurenAnchorDeployment { NetworkId = networkId, Anchorers = [.. anchorers] };
        var data = new ConstructorCallEncoder().EncodeRequest(deployment, HurenAnchorContract.Bytecode);
        var signed = await client.SignAsync(to: null, data, await client.AllocateNonceAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await client.BroadcastAsync(signed.Raw, cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var receipt = await client.Call(w => w.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(signed.Hash), "eth_getTransactionReceipt", cancellationToken).ConfigureAwait(false);
            if (receipt is not null)
            {
                if (receipt.Status?.Value != BigInteger.One) throw new AnchorChainException($"deploying the anchor contract failed in transaction {signed.Hash}", isPermanent: true);
                return new DeployedAnchorContract(receipt.ContractAddress, signed.Hash, (ulong)receipt.BlockNumber.Value);
            }
            if (DateTime.UtcNow > deadline) throw new AnchorChainException($"the deployment transaction {signed.Hash} was not mined within 60 s");
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fails unless the endpoint's chain id is the configured one.</summary>
    public async Task CheckChainIdAsync(CancellationToken cancellationToken = default)
    {
        var id = await Call(w => w.Eth.ChainId.SendRequestAsync(), "eth_chainId", cancellationToken).ConfigureAwait(false);
        if (id.Value != _options.ChainId) throw new AnchorChainException($"the endpoint {_options.RpcUrl} serves chain {id.Value}, not the configured chain {_options.ChainId}", isPermanent: true);
    }

    /// <summary>The newest block number.</summary>
    public async Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken = default) =>
        (ulong)(await Call(w => w.Eth.Blocks.GetBlockNumber.SendRequestAsync(), "eth_blockNumber", cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>The canonical block at <paramref name="number"/>, or null when the chain is not that long.</summary>
    public async Task<ChainBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default)
    {
        var block = await Call(w => w.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(number)), "eth_getBlockByNumber", cancellationToken).ConfigureAwait(false);
        return block is null ? null : new ChainBlock((ulong)block.Number.Value, block.BlockHash, (ulong)block.Timestamp.Value);
    }

    /// <summary>The account's nonce: mined transactions only, or with <paramref name="pending"/> those in the pool too.</summary>
    public async Task<ulong> GetNonceAsync(bool pending, CancellationToken cancellationToken = default)
    {
        var account = RequireAccount();
        var block = pending ? BlockParameter.CreatePending() : BlockParameter.CreateLatest();
        return (ulong)(await Call(w => w.Eth.Transactions.GetTransactionCount.SendRequestAsync(account.Address, block), "eth_getTransactionCount", cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <summary>
    /// The next nonce for a new transaction: the larger of the chain's pending count and one past the last nonce this
    /// client handed out, under a lock, so concurrent submitters never share one; a restarted process starts from the
    /// chain's count (its kept raw transactions carry their own nonces).
    /// </summary>
    public async Task<ulong> AllocateNonceAsync(CancellationToken cancellationToken = default)
    {
        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var chain = await GetNonceAsync(pending: true, cancellationToken).ConfigureAwait(false);
            var nonce = Math.Max(chain, _nextNonce);
            _nextNonce = nonce + 1;
            return nonce;
        }
        finally
        {
            _nonceLock.Release();
        }
    }

    /// <summary>Signs <c>anchor(root, leafCount)</c> with <paramref name="nonce"/>, current EIP-1559 fees and an estimated gas limit. Nothing is sent.</summary>
    /// <param name="root">The anchor root.</param>
    /// <param name="leafCount">Leaves under it.</param>
    /// <param name="nonce">The account nonce to use.</param>
    /// <param name="replacing">A pending transaction with the same nonce to replace: fees are raised by at least 12.5 % over it.</param>
    /// <param name="cancellationToken">Cancels.</param>
    public Task<SignedAnchorTransaction> SignAnchorAsync(Hash256 root, ulong leafCount, ulong nonce, SignedAnchorTransaction? replacing = null, CancellationToken cancellationToken = default)
    {
        var data = new AnchorFunction { Root = root.ToArray(), LeafCount = leafCount }.GetCallData().ToHex(true);
        return SignAsync(RequireContract(), data, nonce, cancellationToken, replacing);
    }

    /// <summary>Signs <c>voteAnchorers(forEpoch, newAnchorers)</c> and sends it; returns the transaction hash.</summary>
    public async Task<string> VoteAnchorersAsync(ulong forEpoch, IReadOnlyList<string> newAnchorers, CancellationToken cancellationToken = default)
    {
        var data = new VoteAnchorersFunction { ForEpoch = forEpoch, NewAnchorers = [.. newAnchorers] }.GetCallData().ToHex(true);
        var signed = await SignAsync(RequireContract(), data, await AllocateNonceAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await BroadcastAsync(signed.Raw, cancellationToken).ConfigureAwait(false);
        return signed.Hash;
    }

    private async Task<SignedAnchorTransaction> SignAsync(string? to, string data, ulong nonce, CancellationToken cancellationToken, SignedAnchorTransaction? replacing = null)
    {
        var account = RequireAccount();
        var latest = await Call(w => w.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()), "eth_getBlockByNumber", cancellationToken).ConfigureAwait(false);
        var baseFee = latest?.BaseFeePerGas?.Value ?? BigInteger.Zero;
        var priority = _options.PriorityFeePerGas
            ?? (await Call(w => w.Eth.GasPrice.SendRequestAsync(), "eth_gasPrice", cancellationToken).ConfigureAwait(false)).Value - baseFee;
        if (priority < BigInteger.One) priority = BigInteger.One;
        // Room for the base fee to double before the transaction becomes unminable (the usual 2 × base + tip).
        var maxFee = 2 * baseFee + priority;
        if (replacing is not null)
        {
            priority = BigInteger.Max(priority, replacing.MaxPriorityFeePerGas * 9 / 8 + 1);
            maxFee = BigInteger.Max(maxFee, replacing.MaxFeePerGas * 9 / 8 + 1);
        }
        if (maxFee > _options.MaxFeePerGas) maxFee = _options.MaxFeePerGas;
        if (maxFee < baseFee + priority)
            throw new AnchorChainException($"fees too high: base fee {baseFee} + tip {priority} wei per gas is above the cap {_options.MaxFeePerGas}");

        var call = new CallInput { Data = data, To = to, From = account.Address };
        HexBigInteger estimate;
        try
        {
            estimate = await Call(w => w.Eth.Transactions.EstimateGas.SendRequestAsync(call), "eth_estimateGas", cancellationToken).ConfigureAwait(false);
        }
        catch (AnchorChainException ex) when (ex.InnerException is RpcResponseException rpc && IsRevert(rpc))
        {
            throw new AnchorChainException($"the contract refuses the transaction: {rpc.RpcError?.Message ?? rpc.Message}{RevertReason(rpc)}", isPermanent: true, ex);
        }
        var gas = (ulong)(estimate.Value * 5 / 4) + 10_000;
        var tx = new Transaction1559(_options.ChainId, nonce, priority, maxFee, gas, to ?? "", BigInteger.Zero, data, []);
        var raw = "0x" + new Transaction1559Signer().SignTransaction(account.Key, tx).RemoveHexPrefix();
        var hash = "0x" + Sha3Keccack.Current.CalculateHashFromHex(raw.RemoveHexPrefix());
        return new SignedAnchorTransaction(hash, raw, nonce, maxFee, priority, gas);
    }

    /// <summary>Sends a signed transaction; "already known", "nonce too low" and "underpriced" are answers, not errors.</summary>
    public async Task<BroadcastOutcome> BroadcastAsync(string raw, CancellationToken cancellationToken = default)
    {
        try
        {
            await Call(w => w.Eth.Transactions.SendRawTransaction.SendRequestAsync(raw), "eth_sendRawTransaction", cancellationToken).ConfigureAwait(false);
            return BroadcastOutcome.Sent;
        }
        catch (AnchorChainException ex) when (ex.InnerException is RpcResponseException rpc)
        {
            var message = (rpc.RpcError?.Message ?? rpc.Message).ToLowerInvariant();
            if (message.Contains("already known") || message.Contains("already imported") || message.Contains("known transaction") || message.Contains("already exists")) return BroadcastOutcome.AlreadyKnown;
            if (message.Contains("nonce too low") || message.Contains("nonce has already been used") || message.Contains("oldnonce")) return BroadcastOutcome.NonceTooLow;
            if (message.Contains("underpriced")) return BroadcastOutcome.Underpriced;
            throw;
        }
    }

    /// <summary>True when the endpoint knows the transaction (pending or mined).</summary>
    public async Task<bool> IsKnownAsync(string transactionHash, CancellationToken cancellationToken = default) =>
        await Call(w => w.Eth.Transactions.GetTransactionByHash.SendRequestAsync(transactionHash), "eth_getTransactionByHash", cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The receipt of a mined transaction, or null; with the contract's <c>Anchored</c> event when the receipt has one.</summary>
    public async Task<AnchorReceipt?> GetReceiptAsync(string transactionHash, CancellationToken cancellationToken = default)
    {
        var receipt = await Call(w => w.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(transactionHash), "eth_getTransactionReceipt", cancellationToken).ConfigureAwait(false);
        if (receipt is null || receipt.BlockHash is null || receipt.BlockNumber is null) return null;
        AnchoredLog? anchored = null;
        if (_options.Contract.Length > 0)
        {
            foreach (var log in receipt.DecodeAllEvents<AnchoredEvent>())
            {
                if (!EvmHex.SameAddress(log.Log.Address, _options.Contract)) continue;
                anchored = ToAnchoredLog(log);
                break;
            }
        }
        return new AnchorReceipt(receipt.TransactionHash, receipt.Status?.Value == BigInteger.One, (ulong)receipt.BlockNumber.Value, receipt.BlockHash,
            anchored, (ulong)(receipt.GasUsed?.Value ?? 0), receipt.EffectiveGasPrice?.Value ?? BigInteger.Zero);
    }

    /// <summary>How many anchors the contract holds.</summary>
    public async Task<ulong> GetAnchorCountAsync(CancellationToken cancellationToken = default)
    {
        var contract = RequireContract();
        return (ulong)await Call(w => w.Eth.GetContractQueryHandler<AnchorCountFunction>().QueryAsync<BigInteger>(contract, new AnchorCountFunction()), "anchorCount", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The anchor with this sequence number, as the contract stores it (at the newest block).</summary>
    public async Task<OnChainAnchor> GetAnchorAsync(ulong sequence, CancellationToken cancellationToken = default)
    {
        var contract = RequireContract();
        var output = await Call(w => w.Eth.GetContractQueryHandler<GetAnchorFunction>().QueryDeserializingToObjectAsync<AnchorOutput>(new GetAnchorFunction { Sequence = sequence }, contract), "getAnchor", cancellationToken).ConfigureAwait(false);
        var a = output.Anchor;
        return new OnChainAnchor(sequence, new Hash256(a.Root), a.LeafCount, a.AnchoredAt, a.BlockNumber, a.Submitter);
    }

    /// <summary>The current anchoring accounts.</summary>
    public async Task<IReadOnlyList<string>> GetAnchorersAsync(CancellationToken cancellationToken = default)
    {
        var contract = RequireContract();
        return await Call(w => w.Eth.GetContractQueryHandler<AnchorersFunction>().QueryAsync<List<string>>(contract, new AnchorersFunction()), "anchorers", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The current epoch of the anchoring-account list.</summary>
    public async Task<ulong> GetEpochAsync(CancellationToken cancellationToken = default)
    {
        var contract = RequireContract();
        return await Call(w => w.Eth.GetContractQueryHandler<EpochFunction>().QueryAsync<ulong>(contract, new EpochFunction()), "epoch", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The contract's <c>Anchored</c> events in blocks <paramref name="fromBlock"/>…<paramref name="toBlock"/> (null: the newest).</summary>
    public async Task<IReadOnlyList<AnchoredLog>> GetAnchoredEventsAsync(ulong fromBlock, ulong? toBlock = null, CancellationToken cancellationToken = default)
    {
        var contract = RequireContract();
        var handler = _web3.Eth.GetEvent<AnchoredEvent>(contract);
        var filter = handler.CreateFilterInput(new BlockParameter(fromBlock), toBlock is { } to ? new BlockParameter(to) : BlockParameter.CreateLatest());
        var logs = await Call(_ => handler.GetAllChangesAsync(filter), "eth_getLogs", cancellationToken).ConfigureAwait(false);
        return logs.ConvertAll(ToAnchoredLog);
    }

    private static AnchoredLog ToAnchoredLog(EventLog<AnchoredEvent> log) =>
        new((ulong)log.Event.Sequence, new Hash256(log.Event.Root), log.Event.Submitter, log.Event.LeafCount, log.Event.AnchoredAt,
            (ulong)log.Log.LogIndex.Value, log.Log.TransactionHash, (ulong)log.Log.BlockNumber.Value, log.Log.BlockHash);

    /// <summary>Runs one JSON-RPC call with the configured deadline; every failure becomes an <see cref="AnchorChainException"/>.</summary>
    private async Task<T> Call<T>(Func<Web3, Task<T>> call, string method, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var task = call(_web3);
        try
        {
            return await task.WaitAsync(_options.RpcTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // observe a late failure
            throw new AnchorChainException($"{method} at {_options.RpcUrl}: no answer within {_options.RpcTimeout.TotalSeconds:0.###} s", inner: ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RpcResponseException ex)
        {
            throw new AnchorChainException($"{method} at {_options.RpcUrl}: {ex.RpcError?.Message ?? ex.Message}{RevertReason(ex)}", isPermanent: false, ex);
        }
        catch (Exception ex) when (ex is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException or SocketException or IOException or TaskCanceledException)
        {
            throw new AnchorChainException($"{method} at {_options.RpcUrl}: {Innermost(ex).Message}", isPermanent: false, ex);
        }
    }

    private static bool IsRevert(RpcResponseException ex) =>
        ex.RpcError?.Code == 3 || (ex.RpcError?.Message ?? ex.Message).Contains("revert", StringComparison.OrdinalIgnoreCase);

    private static string RevertReason(RpcResponseException ex) =>
        ex.RpcError?.Data is { } data && data.ToString() is { Length: > 0 } text ? $" (data {text})" : "";

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    private EvmAccount RequireAccount() => _account ?? throw new InvalidOperationException("this chain client has no account to sign with");

    private string RequireContract() => _options.Contract.Length > 0 ? _options.Contract : throw new InvalidOperationException("no anchor contract address is configured");

    /// <inheritdoc />
    public void Dispose()
    {
        _nonceLock.Dispose();
        if (_ownsHttp) _http.Dispose();
    }
}
