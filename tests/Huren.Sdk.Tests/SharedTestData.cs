namespace Huren.Sdk.Tests;

/// <summary>Finds the public test vectors in ../shared/testdata beside the repository clone.</summary>
internal static class SharedTestData
{
    public static string PathOf(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata", relative);
            if (Path.Exists(candidate)) return candidate;
            candidate = Path.Combine(dir.FullName, "testdata", relative);
            if (dir.Name == "shared" && Path.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"shared test data '{relative}' not found: CI expects ../shared beside the clone");
    }

    public static string Local(string relative) => Path.Combine(AppContext.BaseDirectory, relative);
}
