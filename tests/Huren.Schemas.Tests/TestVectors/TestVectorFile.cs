using System.Text.Json;

namespace Huren.Schemas.Tests.TestVectors;

/// <summary>Loads the JSON vector files kept beside the tests in the repository (not copied to the output).</summary>
internal static class TestVectorFile
{
    public static JsonDocument Open(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx")))
            {
                var path = Path.Combine(dir.FullName, "tests", "Huren.Schemas.Tests", "TestVectors", name);
                return JsonDocument.Parse(File.ReadAllText(path));
            }
        }
        throw new DirectoryNotFoundException("repository root (Huren.slnx) not found above the test assembly");
    }

    public static TheoryData<string> Values(string file, params string[] path)
    {
        using var doc = Open(file);
        var node = doc.RootElement;
        foreach (var p in path) node = node.GetProperty(p);
        var data = new TheoryData<string>();
        foreach (var item in node.EnumerateArray()) data.Add(item.GetProperty("value").GetString()!);
        return data;
    }
}
