using System.CommandLine;
using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;

namespace Huren.Cli.Commands.Issuers;

/// <summary>
/// <c>huren issuer credential add|list|remove</c>: a registered issuer's own key as a client credential. The node
/// accepts every issuer registered (and not revoked) in its log as principal <c>&lt;issuer id&gt;</c> with the
/// registered key, so nothing changes on the node: <c>add</c> checks the registration and the key against the node,
/// makes one call with the credential, and only then writes it into the profile.
/// </summary>
internal static class IssuerCredentialCommand
{
    public static Command Build()
    {
        var credential = new Command("credential",
            "Use a registered issuer's own key (SM2, P-256 or Ed25519) as a client credential: the node accepts every issuer registered\n" +
            "and not revoked in its log as principal <issuer id>; these verbs keep the CLI profile in step.");
        credential.Subcommands.Add(BuildAdd());
        credential.Subcommands.Add(BuildList());
        credential.Subcommands.Add(BuildRemove());
        return credential;
    }

    private static Command BuildAdd()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var id = new Option<string>("--id") { Description = "The registered issuer, e.g. 430100-amr.", Required = true };
        var key = new Option<string>("--key") { Description = "The issuer's private key file (PKCS#8 PEM), the key its registration holds.", Required = true };
        var add = new Command("add", "Check that the issuer is registered in the city's log with this key, call the node with it, and add it to the profile as principal <issuer id>.")
        {
            id, key,
        };
        access.AddTo(add);
        add.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var issuerId = parse.GetValue(id)!;
            var keyPath = Path.GetFullPath(parse.GetValue(key)!);
            var signingKey = session.Profile.LoadSigningKey(keyPath);
            var registered = await FindAsync(session, issuerId, ct).ConfigureAwait(false)
                ?? throw new CliException($"issuer '{issuerId}' is not registered in {session.Origin} (register it first with 'huren issuer register')");
            if (registered.Revoked) throw new CliException($"issuer '{issuerId}' was revoked in {session.Origin}");
            var keyId = signingKey.PublicKey.Id.ToString();
            if (!string.Equals(registered.KeyId, keyId, StringComparison.OrdinalIgnoreCase))
                throw new CliException($"'{keyPath}' is not the key issuer '{issuerId}' registered (registered key id {registered.KeyId}, this key {keyId})");

            var entry = new CliCredential { Role = CliRoles.Issuer, Principal = issuerId, IssuerId = issuerId, Name = registered.Name, PrivateKey = ProfilePath(session.Profile, keyPath) };
            // One call as the new principal: the node must accept the credential before the profile names it.
            try
            {
                var client = session.ClientOf(session.City, entry);
                await client.Issuers.ListAsync(new ListIssuersRequest(), client.Options(ct)).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!CliApp.IsConnectionProblem(ex))
            {
                throw new CliException($"{session.Describe()} refused a call as '{issuerId}': {ex.Status.StatusCode} {ex.Status.Detail}", ex);
            }

            var city = session.Profile.City(session.City.CityCode);
            var replaced = city.Credentials.RemoveAll(c => string.Equals(c.Principal, issuerId, StringComparison.Ordinal)) > 0;
            city.Credentials.Add(entry);
            var profilePath = CliProfile.Locate(parse.GetValue(access.Profile));
            session.Profile.Save(profilePath);

            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    principal = issuerId, issuerId, city = city.CityCode, role = CliRoles.Issuer, algorithm = signingKey.Algorithm.ToString(), keyId,
                    privateKey = entry.PrivateKey, profile = profilePath, replaced,
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"{session.Describe()} accepts issuer {issuerId} ({registered.Name}) as principal '{issuerId}' with its registered {signingKey.Algorithm} key {keyId[..16]}…").ConfigureAwait(false);
                await output.WriteLineAsync($"{(replaced ? "replaced" : "added")} in profile {profilePath}: use it with --as {issuerId}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return add;
    }

    private static Command BuildList()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var list = new Command("list", "List the profile's issuer credentials for the city, each with what the node's log says of that issuer (active, revoked, another key, not registered).");
        access.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var response = await session.Client.Issuers.ListAsync(new ListIssuersRequest(), session.Options(ct)).ConfigureAwait(false);
            var rows = new List<(CliCredential Credential, string KeyId, string State)>();
            foreach (var c in session.City.Credentials.Where(c => c.Role == CliRoles.Issuer))
            {
                var keyId = session.Profile.LoadSigningKey(c.PrivateKey).PublicKey.Id.ToString();
                var registered = response.Issuers.FirstOrDefault(i => string.Equals(i.IssuerId, c.IssuerId, StringComparison.Ordinal));
                var state = registered is null ? "not registered"
                    : registered.Revoked ? "revoked"
                    : !string.Equals(registered.KeyId, keyId, StringComparison.OrdinalIgnoreCase) ? "another key registered"
                    : string.Equals(c.Principal, c.IssuerId, StringComparison.Ordinal) ? "active" : "active (configured principal)";
                rows.Add((c, keyId, state));
            }
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    city = session.City.CityCode,
                    credentials = rows.Select(r => new { principal = r.Credential.Principal, issuerId = r.Credential.IssuerId, keyId = r.KeyId, privateKey = r.Credential.PrivateKey, state = r.State }),
                }, CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (rows.Count == 0)
            {
                await output.WriteLineAsync($"The profile has no issuer credential for city {session.City.CityCode} (add one with 'huren issuer credential add').").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            await output.WriteAsync(ConsoleTable.Format(["PRINCIPAL", "ISSUER", "KEY ID", "ON THE NODE", "PRIVATE KEY"],
                rows.Select(r => new[] { r.Credential.Principal, r.Credential.IssuerId ?? "", r.KeyId[..16] + "…", r.State, r.Credential.PrivateKey }))).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command BuildRemove()
    {
        var profileOption = new Option<string?>("--profile") { Description = $"The CLI profile. Default: ${CliProfile.EnvironmentVariable}, else ./{CliProfile.DefaultFileName}." };
        var cityOption = new Option<string?>("--city") { Description = "The city whose credential to remove, by 6-digit code. Default: the profile's first city." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (for scripts)." };
        var principal = new Argument<string>("principal") { Description = "The credential's principal (the issuer id, for credentials 'add' wrote)." };
        var remove = new Command("remove",
            "Remove an issuer credential from the profile (the key file stays). The node still accepts the issuer while it is registered:\n" +
            "to end that, revoke it with 'huren issuer revoke'.")
        {
            principal, profileOption, cityOption, json,
        };
        remove.SetAction(async (parse, ct) =>
        {
            var path = CliProfile.Locate(parse.GetValue(profileOption));
            var profile = CliProfile.Load(path);
            var city = parse.GetValue(cityOption) is { } code ? profile.City(code) : profile.Cities[0];
            var name = parse.GetValue(principal)!;
            var credential = city.FindByPrincipal(name);
            if (credential is null || credential.Role != CliRoles.Issuer)
                throw new CliException($"city {city.CityCode} has no issuer credential '{name}' (issuer credentials: {string.Join(", ", city.Credentials.Where(c => c.Role == CliRoles.Issuer).Select(c => c.Principal))})");
            city.Credentials.Remove(credential);
            profile.Save(path);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
                await output.WriteLineAsync(JsonSerializer.Serialize(new { principal = name, city = city.CityCode, profile = path }, CliJson.Options)).ConfigureAwait(false);
            else
                await output.WriteLineAsync($"removed credential '{name}' of city {city.CityCode} from {path}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return remove;
    }

    private static async Task<IssuerInfo?> FindAsync(NodeSession session, string issuerId, CancellationToken ct)
    {
        var response = await session.Client.Issuers.ListAsync(new ListIssuersRequest(), session.Options(ct)).ConfigureAwait(false);
        return response.Issuers.FirstOrDefault(i => string.Equals(i.IssuerId, issuerId, StringComparison.Ordinal));
    }

    /// <summary>The key path as the profile stores it: relative to the profile's folder when inside it.</summary>
    private static string ProfilePath(CliProfile profile, string fullPath)
    {
        var relative = Path.GetRelativePath(profile.BaseDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }
}
