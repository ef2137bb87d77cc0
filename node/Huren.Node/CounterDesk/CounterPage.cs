namespace Huren.Node.CounterDesk;

/// <summary>Puts the counter page (窗口核验) into the node: its static files at <c>/counter/</c> and its API at <c>/counter/api/</c>.</summary>
public static class CounterPage
{
    /// <summary>Where the page is served.</summary>
    public const string BasePath = "/counter";

    // The page loads nothing from elsewhere and runs no inline script; the camera only for this origin.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>Registers the page's services.</summary>
    public static IServiceCollection AddCounterPage(this IServiceCollection services, CounterOptions options, CounterNode node)
    {
        services.AddSingleton(options);
        services.AddSingleton(node);
        services.AddSingleton<CounterAssets>();
        services.AddSingleton(sp => new CounterSessions(sp.GetRequiredService<Auth.ClientRegistry>(), options, node.Origin, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CounterEndpoints>();
        return services;
    }

    // A method group returning Task<IResult> would bind as a RequestDelegate, whose result is discarded (ASP0016).
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>Maps the page and its API.</summary>
    public static void MapCounterPage(this WebApplication app)
    {
        var assets = app.Services.GetRequiredService<CounterAssets>();
        var api = app.Services.GetRequiredService<CounterEndpoints>();
        var page = app.MapGroup(BasePath);
        page.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()";
            return await next(context).ConfigureAwait(false);
        });
        // Routing ignores a trailing slash: /counter and /counter/ are the page (its links are absolute).
        page.MapGet("/", (HttpContext context) => assets.Serve(context, "index.html"));
        page.MapGet("/assets/{name}", (HttpContext context, string name) => assets.Serve(context, name));

        var open = page.MapGroup("/api");
        open.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context).ConfigureAwait(false);
        });
        open.MapPost("/session/challenge", Handler(api.ChallengeAsync));
        open.MapPost("/session", Handler(api.SignInAsync));

        var signedIn = open.MapGroup("");
        signedIn.AddEndpointFilter(async (context, next) => api.Authenticate(context.HttpContext) ?? await next(context).ConfigureAwait(false));
        signedIn.MapGet("/session", api.Who);
        signedIn.MapDelete("/session", api.SignOut);
        signedIn.MapPost("/verify", Handler(api.VerifyAsync));
        signedIn.MapPost("/verify/photo", Handler(api.VerifyPhotoAsync));
        signedIn.MapPost("/verify/bundle", Handler(api.VerifyBundleAsync));
        signedIn.MapPost("/verify/sealed-document", Handler(api.VerifySealedDocumentAsync));
        signedIn.MapPost("/uses/prepare", Handler(api.PrepareUseAsync));
        signedIn.MapPost("/uses", Handler(api.SubmitUseAsync));
        // Anything else under the API is refused the same way, signed in or not (no hint of what exists).
        open.MapFallback((HttpContext context) => api.Authenticate(context) ?? CounterEndpoints.Error(StatusCodes.Status404NotFound, "no such API"));
    }
}
