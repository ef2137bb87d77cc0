using Huren.Cli;

try
{
    return await CliApp.RunAsync(args, Console.Out, Console.Error);
}
catch (OperationCanceledException)
{
    // Ctrl-C: System.CommandLine cancels the command's token; say so in one line, not with a stack trace.
    await Console.Error.WriteLineAsync("cancelled");
    return 130;
}
