using Huren.Fuzz;
using SharpFuzz;

// Usage:
//   Huren.Fuzz <target>                        under afl-fuzz (SharpFuzz's fork server; input on stdin)
//   Huren.Fuzz replay <target> <file|dir>...   runs inputs once each, prints the outcome; exit 1 if one crashed
//                                              (from the build output, not the instrumented copy: instrumented code
//                                              needs afl's shared memory)
//   Huren.Fuzz list                            the targets
// A crash is any exception that leaves a target: each target catches only the exception its API documents for bad
// input (FormatException for the throwing parsers; the Try… and Verify APIs document none).
if (args is ["list"])
{
    foreach (var targetName in FuzzTargets.Names) Console.WriteLine(targetName);
    return 0;
}
if (args is ["replay", var replayTarget, .. var inputs] && inputs.Length > 0)
{
    var target = FuzzTargets.Get(replayTarget);
    var files = inputs.SelectMany(i => Directory.Exists(i) ? Directory.GetFiles(i).Order(StringComparer.Ordinal) : (IEnumerable<string>)[i]).ToList();
    var crashed = 0;
    foreach (var file in files)
    {
        try
        {
            target(File.ReadAllBytes(file));
        }
        catch (Exception ex)
        {
            crashed++;
            Console.WriteLine($"CRASH {file}: {ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}");
        }
    }
    Console.WriteLine($"{files.Count} inputs, {crashed} crashed");
    return crashed == 0 ? 0 : 1;
}
if (args is [var name] && FuzzTargets.Names.Contains(name))
{
    var target = FuzzTargets.Get(name);
    // Nothing of the instrumented assemblies may run before Fuzzer.OutOfProcess.Run sets up afl's shared memory (the
    // instrumentation writes there): the network the targets check against loads on the first input.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target(buffer.ToArray());
    });
    return 0;
}
Console.Error.WriteLine($"usage: Huren.Fuzz <{string.Join('|', FuzzTargets.Names)}> | replay <target> <file|dir>... | list");
Console.Error.WriteLine("unknown arguments: " + string.Join(' ', args));
return 2;
