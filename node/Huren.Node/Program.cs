using Huren.Node.Hosting;

// The city node: configuration from appsettings.json, HUREN__* environment variables and the command line.
var app = NodeApp.Build(args);
await app.RunAsync();
