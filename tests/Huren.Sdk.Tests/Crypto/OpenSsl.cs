using System.Diagnostics;

namespace Huren.Sdk.Tests.Crypto;

/// <summary>Runs the machine's openssl for interop checks.</summary>
internal static class OpenSsl
{
    public static readonly bool Available = Probe();

    public static (int ExitCode, string Output) Run(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }

    private static bool Probe()
    {
        try
        {
            return Run(Path.GetTempPath(), "version").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A fact that is skipped, with a clear reason, only where openssl is not installed.</summary>
internal sealed class OpenSslFactAttribute : FactAttribute
{
    public OpenSslFactAttribute()
    {
        if (!OpenSsl.Available) Skip = "openssl is not on PATH: interop test skipped (apt-get install openssl)";
    }
}
