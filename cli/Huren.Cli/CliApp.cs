using System.CommandLine;
using Grpc.Core;
using Huren.Cli.Commands.Keys;

namespace Huren.Cli;

/// <summary>Exit codes of every <c>huren</c> command.</summary>
public static class ExitCodes
{
    /// <summary>Success; for checks, a positive answer (e.g. the license is valid).</summary>
    public const int Success = 0;

    /// <summary>A negative answer: not valid, revoked, unknown, tampered.</summary>
    public const int Negative = 1;

    /// <summary>An error: bad arguments, unreachable node, unreadable file.</summary>
    public const int Error = 2;
}

/// <summary>The <c>huren</c> command tree. Commands write to the given writers, so tests run them in-process.</summary>
public static class CliApp
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("huren — the Huren (互认) ledger of cross-region e-licenses, seals and data-sharing receipts");
        root.Subcommands.Add(KeysCommand.Build());
        root.Subcommands.Add(Commands.Network.NetworkCommand.Build());
        root.Subcommands.Add(Commands.Issuers.IssuerCommand.Build());
        root.Subcommands.Add(Commands.Licenses.LicenseCommand.Build());
        root.Subcommands.Add(Commands.Seals.SealCommand.Build());
        root.Subcommands.Add(Commands.Bundles.BundleCommand.Build());
        root.Subcommands.Add(Commands.Trace.TraceCommand.Build());
        root.Subcommands.Add(Commands.Audit.AuditCommand.Build());
        root.Subcommands.Add(Commands.Checkpoints.CheckpointCommand.Build());
        root.Subcommands.Add(Commands.Demo.DemoCommand.Build());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync("Run 'huren --help' (or '<command> --help') for usage.").ConfigureAwait(false);
            return ExitCodes.Error;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CliException or IOException or UnauthorizedAccessException or FormatException)
        {
            // Errors the user can act on: one line, exit 2, no stack trace.
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Error;
        }
        catch (RpcException ex)
        {
            await error.WriteLineAsync($"error: {Describe(ex)}").ConfigureAwait(false);
            return ExitCodes.Error;
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or InvalidOperationException or HttpRequestException)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Error;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Last resort: still one line and exit 2; the trace only when asked for (HUREN_DEBUG=1).
            await error.WriteLineAsync($"error: unexpected {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("HUREN_DEBUG") == "1") await error.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            return ExitCodes.Error;
        }
    }

    /// <summary>A node's refusal or an unreachable node, in one line.</summary>
    internal static string Describe(RpcException ex) => ex.StatusCode switch
    {
        StatusCode.Unavailable => $"the node is not reachable ({ex.Status.Detail}); is the network up? ('huren network up --dir DIR')",
        StatusCode.DeadlineExceeded => "the node did not answer in time",
        StatusCode.Unauthenticated => $"the node did not accept the credential: {ex.Status.Detail}",
        _ => $"the node refused ({ex.StatusCode}): {ex.Status.Detail}",
    };
}

/// <summary>An error to report to the user in one line, with exit code 2 and no stack trace.</summary>
public sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
