using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Huren.Anchoring.Timestamps;
using Huren.Cli.Commands.Licenses;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Evidence;
using Huren.Sdk.Files;
using Huren.Sdk.Timestamps;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Huren.Cli.Commands.Anchoring;

/// <summary><c>huren timestamp get|verify</c> (RFC 3161 tokens of checkpoints) and <c>huren tsa serve</c> (a local TSA).</summary>
internal static class TimestampCommand
{
    public static Command Build()
    {
        var command = new Command("timestamp", "RFC 3161 time-stamps of checkpoint notes (docs/anchoring.md).");
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Verify());
        return command;
    }

    private static Command Get()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Argument<string?>("origin") { Description = "The log: a city code or origin; default the node's own.", Arity = ArgumentArity.ZeroOrOne };
        var size = new Option<ulong>("--size") { Description = "The checkpoint size, 1 or more; default the newest stamped." }
            .WholeNumber(1UL, ulong.MaxValue, OptionValues.SizeRule("the newest stamped"));
        var token = new Option<string>("--token") { Description = "Write the token (DER) to this file.", Required = true };
        var note = new Option<string>("--note") { Description = "Write the stamped checkpoint note (verbatim) to this file.", Required = true };
        var command = new Command("get", "Fetch the time-stamp token the node kept for a checkpoint, with the note it stamps.") { origin, size, token, note };
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var logOrigin = parse.GetValue(origin) is { } o ? session.OriginOf(o) : "";
            var response = await session.Client.Anchoring.GetTimestampAsync(new CheckpointTimestampRequest { Origin = logOrigin, Size = parse.GetValue(size) }, session.Options(ct)).ConfigureAwait(false);
            await File.WriteAllBytesAsync(parse.GetValue(token)!, response.Token, ct).ConfigureAwait(false);
            await File.WriteAllBytesAsync(parse.GetValue(note)!, Encoding.UTF8.GetBytes(response.Note), ct).ConfigureAwait(false);
            var genTime = DateTimeOffset.FromUnixTimeMilliseconds(response.GenTimeUnixMs);
            if (session.AsJson) await parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(new { origin = response.Origin, size = response.Size, genTime }, CliJson.Options)).ConfigureAwait(false);
            else await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{response.Origin} @ {response.Size}: stamped at {genTime:O}")).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify()
    {
        var token = new Option<string>("--token") { Description = "The token (DER TimeStampToken), e.g. from 'huren timestamp get' (with --note)." };
        var note = new Option<string>("--note") { Description = "The checkpoint note it stamps (its SHA-256 must be the token's imprint)." };
        var bundle = new Option<string>("--bundle") { Description = "Instead of --token/--note: an evidence bundle; every time-stamp it carries is checked against the bundle's checkpoint of its log." };
        var roots = new Option<string>("--roots") { Description = "PEM file of the TSA roots to trust.", Required = true };
        var policy = new Option<string[]>("--policy") { Description = "Accepted policy OIDs (default: any).", AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("verify",
            "Verify RFC 3161 tokens over checkpoint notes offline: imprint = SHA-256 of the note, signer certificate, chain to --roots.\n" +
            "Either one token (--token and --note) or the time-stamps in an evidence bundle (--bundle; each must stamp the\n" +
            "bundle's checkpoint of its log: same origin, size and root). Exit 0 valid, 1 not (or a bundle without time-stamps), 2 an error.")
        {
            token, note, bundle, roots, policy, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var bundlePath = parse.GetValue(bundle);
            var single = parse.GetValue(token) is not null || parse.GetValue(note) is not null;
            if (bundlePath is not null == single) throw new CliException("give either --bundle, or --token with --note");
            var rootsPem = Encoding.UTF8.GetString(await ReadAsync(parse.GetValue(roots)!, "roots", ct).ConfigureAwait(false));
            IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> trusted;
            try
            {
                trusted = TimestampTrust.CertificatesFromPem(rootsPem);
            }
            catch (Exception ex) when (ex is FormatException or CryptographicException)
            {
                throw new CliException($"--roots '{parse.GetValue(roots)}' holds no readable certificate: {ex.Message}", ex);
            }
            var trust = new TimestampTrust { Roots = trusted, Policies = parse.GetValue(policy) ?? [] };
            var output = parse.InvocationConfiguration.Output;
            if (bundlePath is not null) return await VerifyBundleAsync(bundlePath, trust, parse.GetValue(json), output).ConfigureAwait(false);

            if (parse.GetValue(token) is not { } tokenPath || parse.GetValue(note) is not { } notePath) throw new CliException("--token and --note go together");
            var tokenBytes = await ReadAsync(tokenPath, "token", ct).ConfigureAwait(false);
            var noteBytes = await ReadAsync(notePath, "note", ct).ConfigureAwait(false);
            var result = new TimestampVerifier(trust).Verify(tokenBytes, SHA256.HashData(noteBytes));
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { valid = result.IsValid, failure = result.Failure, genTime = result.GenTime, policy = result.Policy, tsa = result.TsaSubject }, CliJson.Options)).ConfigureAwait(false);
            }
            else if (result.IsValid) await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"valid: stamped at {result.GenTime:O} by {result.TsaSubject} (policy {result.Policy})")).ConfigureAwait(false);
            else await output.WriteLineAsync($"NOT VALID: {result.Failure}").ConfigureAwait(false);
            return result.IsValid ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    private static async Task<int> VerifyBundleAsync(string bundlePath, TimestampTrust trust, bool asJson, TextWriter output)
    {
        EvidenceBundle parsed;
        try
        {
            parsed = EvidenceBundle.Parse(await LicenseVerifyCommand.ReadBundleAsync(bundlePath).ConfigureAwait(false));
        }
        catch (FormatException ex)
        {
            throw new CliException($"bundle '{Path.GetFullPath(bundlePath)}' is not a valid evidence bundle: {ex.Message}", ex);
        }
        var results = new BundleTimestampVerifier(trust).Verify(parsed);
        var valid = results.Count > 0 && results.All(r => r.IsValid);
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                valid,
                timestamps = results.Select(r => new { origin = r.Origin, size = r.Size, valid = r.IsValid, failure = r.Failure, genTime = r.GenTime, tsa = r.TsaSubject }),
            }, CliJson.Options)).ConfigureAwait(false);
            return valid ? ExitCodes.Success : ExitCodes.Negative;
        }
        if (results.Count == 0) await output.WriteLineAsync($"NOT VALID: bundle '{Path.GetFullPath(bundlePath)}' carries no time-stamps").ConfigureAwait(false);
        foreach (var r in results)
        {
            await output.WriteLineAsync(r.IsValid
                ? string.Create(CultureInfo.InvariantCulture, $"valid: {r.Origin} @ {r.Size} stamped at {r.GenTime:O} by {r.TsaSubject}")
                : $"NOT VALID: {r.Failure}").ConfigureAwait(false);
        }
        return valid ? ExitCodes.Success : ExitCodes.Negative;
    }

    private static async Task<byte[]> ReadAsync(string path, string what, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return await File.ReadAllBytesAsync(full, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{what} '{full}' cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary><c>huren tsa serve</c>.</summary>
    public static Command BuildTsa()
    {
        var tsa = new Command("tsa", "A small RFC 3161 time-stamp authority for local networks.");
        var dir = new Option<string>("--dir") { Description = "Folder of the TSA's certificates and key (made on first use: root.pem, tsa.pem, tsa.key.pem).", Required = true };
        var url = new Option<string>("--url") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:7180" };
        var name = new Option<string>("--name") { Description = "The name in the TSA's certificates (first use only; certificates are named NAME TSA Root and NAME TSA).", DefaultValueFactory = _ => "Huren local" };
        var serve = new Command("serve", "Serve time-stamps at URL/tsa (POST application/timestamp-query); trust root.pem to verify its tokens. Runs until Ctrl-C.") { dir, url, name };
        serve.SetAction(async (parse, ct) =>
        {
            var folder = Path.GetFullPath(parse.GetValue(dir)!);
            Directory.CreateDirectory(folder);
            var rootFile = Path.Combine(folder, "root.pem");
            var certFile = Path.Combine(folder, "tsa.pem");
            var keyFile = Path.Combine(folder, "tsa.key.pem");
            if (!File.Exists(certFile) || !File.Exists(keyFile))
            {
                var made = TimestampAuthority.CreateLocalCertificates(parse.GetValue(name)!, TimeSpan.FromDays(3650));
                await File.WriteAllTextAsync(rootFile, made.RootCertificatePem, ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(certFile, made.TsaCertificatePem + made.RootCertificatePem, ct).ConfigureAwait(false);
                File.Delete(keyFile);
                DurableFile.CreatePrivate(keyFile, made.TsaPrivateKeyPem);
            }
            var authority = TimestampAuthority.FromPem(await File.ReadAllTextAsync(certFile, ct).ConfigureAwait(false), await File.ReadAllTextAsync(keyFile, ct).ConfigureAwait(false));
            // Content root: the TSA's folder, so that the node's appsettings.json shipped beside the CLI is not read.
            var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions { ContentRootPath = folder });
            builder.WebHost.UseUrls(parse.GetValue(url)!);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            await using var app = builder.Build();
            app.MapTimestampAuthority("/tsa", authority);
            await app.StartAsync(ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            foreach (var address in app.Urls) await output.WriteLineAsync($"TSA serving at {address.TrimEnd('/')}/tsa; trust {rootFile}").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        tsa.Subcommands.Add(serve);
        return tsa;
    }
}
