using System.ComponentModel;
using System.Diagnostics;

namespace Huren.Sdk.Xml.Tests;

/// <summary>
/// Runs the machine's xmlsec1 (Debian package <c>xmlsec1</c>, installed by <c>.ci/run</c>). Its tests fail, never
/// skip, when it is missing: interoperability is a requirement, not an option.
/// </summary>
internal static class XmlSec1
{
    /// <summary>The option that tells xmlsec1 the root's <c>Id</c> attribute is an XML ID.</summary>
    public const string IdAttribute = "--id-attr:Id";
    public const string IdNode = "urn:huren:xml:license:1:LicenseMetadata";

    public static (int ExitCode, string Output) Run(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("xmlsec1") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("xmlsec1 is not on PATH: apt-get install xmlsec1 (.ci/run installs it)", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(60_000))
            {
                process.Kill();
                throw new TimeoutException("xmlsec1 did not finish within 60 s");
            }
            return (process.ExitCode, stdout.Result + stderr);
        }
    }
}
