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
public static partial class CliApp
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
        root.Subcommands.Add(Commands.Node.NodeCommand.Build());
        root.Subcommands.Add(Commands.Witness.WitnessCommand.Build());
        root.Subcommands.Add(Commands.Anchoring.AnchorCommand.Build());
        root.Subcommands.Add(Commands.Anchoring.TimestampCommand.Build());
        root.Subcommands.Add(Commands.Anchoring.TimestampCommand.BuildTsa());
        root.Subcommands.Add(Commands.Exchange.DataCommand.Build());
        root.Subcommands.Add(Commands.Exchange.CatalogCommand.Build());
        root.Subcommands.Add(Commands.Exchange.ShareCommand.Build());
        root.Subcommands.Add(Commands.Demo.DemoCommand.Build());
        return root;
    }

    /// <summary>
    /// On Linux, reading a folder as a file fails as "Access to the path '…' is denied", which sends the user looking at
    /// permissions: when that path is a folder, the message says so instead.
    /// </summary>
    internal static string FolderGivenForFile(string message)
        => AccessDenied().Replace(message, m => Directory.Exists(m.Groups["path"].Value) ? $"'{m.Groups["path"].Value}' is a folder; a file is expected there" : m.Value);

    [System.Text.RegularExpressions.GeneratedRegex("Access to the path '(?<path>[^']+)' is denied\\.")]
    private static partial System.Text.RegularExpressions.Regex AccessDenied();

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await error.WriteLineAsync($"error: {OptionValues.Plain(e)}").ConfigureAwait(false);
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
            await error.WriteLineAsync($"error: {FolderGivenForFile(ex.Message)}").ConfigureAwait(false);
            return ExitCodes.Error;
        }
        catch (RpcException ex)
        {
            await error.WriteLineAsync($"error: {Describe(ex)}").ConfigureAwait(false);
            return ExitCodes.Error;
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or InvalidOperationException or HttpRequestException)
        {
            // An argument check names the method's parameter ("(Parameter 'recordId')"), which is no option the user gave.
            var message = ex is ArgumentException { ParamName: { } name } ? ex.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : ex.Message;
            await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
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

    /// <summary>A node's refusal, an unreachable node or one that did not answer in time, in one line.</summary>
    internal static string Describe(RpcException ex) => ConnectionProblem(ex) ?? ex.StatusCode switch
    {
        StatusCode.Unavailable => $"the node is not reachable ({ex.Status.Detail}); is the network up? ('huren network up --dir DIR')",
        StatusCode.DeadlineExceeded => "the node did not answer in time",
        StatusCode.Cancelled => "the call was cancelled before the node answered",
        StatusCode.Unauthenticated => $"the node did not accept the credential: {ex.Status.Detail}",
        _ when ex.Status.Detail.Length == 0 => $"the node refused ({ex.StatusCode}) without saying why",
        _ => $"the node refused ({ex.StatusCode}): {ex.Status.Detail}",
    };

    /// <summary>
    /// True when the call never reached a Huren node or the node never answered it (see <see cref="ConnectionProblem"/>):
    /// callers let such an error through unwrapped, so it reads as one clear line.
    /// </summary>
    internal static bool IsConnectionProblem(RpcException ex) => ConnectionProblem(ex) is not null;

    /// <summary>
    /// A call that never reached a Huren node, said plainly: a TLS certificate other than the one the network
    /// configuration pins, an endpoint that does not speak TLS, or one that is not a gRPC (Huren) server at all. Null when
    /// the node itself answered. (The gRPC client reports these as Internal or Unavailable with "see inner exception".)
    /// </summary>
    private static string? ConnectionProblem(RpcException ex)
    {
        // A stopped or overloaded node still accepts connections (the kernel does), so it is not "unreachable".
        if (ex is Commands.NodeDidNotAnswerException late)
            return $"{late.Status.Detail}: is it stopped or overloaded? (a stopped node still accepts connections, but answers nothing)";
        for (var inner = ex.Status.DebugException ?? ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case System.Security.Authentication.AuthenticationException when inner.Message.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal):
                    return "the endpoint's TLS certificate is not the one the network configuration pins for that city: the profile's endpoint may point at another node or service";
                case System.Security.Authentication.AuthenticationException:
                    return $"the TLS handshake with the endpoint failed ({inner.Message}): is it a Huren node, and does it speak TLS?";
                case HttpProtocolException or HttpRequestException when inner.Message.Contains("HTTP/2", StringComparison.Ordinal) || inner.Message.Contains("HTTP/1", StringComparison.Ordinal):
                    return $"the endpoint does not speak gRPC over HTTP/2, so it is not a Huren node ({FirstSentence(inner.Message)})";
            }
        }
        var detail = ex.Status.Detail;
        if (detail.StartsWith("Bad gRPC response", StringComparison.Ordinal) || detail.Contains("content-type", StringComparison.OrdinalIgnoreCase))
        {
            return $"the endpoint is not a Huren node: it does not answer as a gRPC server ({FirstSentence(detail)})";
        }
        if (ex.StatusCode == StatusCode.Unimplemented && detail.Contains("404", StringComparison.Ordinal))
        {
            return $"the endpoint does not serve Huren's services ({FirstSentence(detail)}): is it a Huren node?";
        }
        return null;
    }

    private static string FirstSentence(string text)
    {
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? text : text[..end]).TrimEnd('.');
    }
}

/// <summary>An error to report to the user in one line, with exit code 2 and no stack trace.</summary>
public sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Checks on option values that System.CommandLine does not make itself.</summary>
internal static class OptionChecks
{
    /// <summary>
    /// Refuses a value that is not a whole number in [<paramref name="min"/>, <paramref name="max"/>] with a message
    /// naming the option and <paramref name="unit"/> ("--wait-final must be 0–60 seconds, got 61"), a parse error (exit 2).
    /// </summary>
    public static Option<int> InRange(this Option<int> option, int min, int max, string unit) => option.WholeNumber(min, max, $"{min}–{max} {unit}");
}
