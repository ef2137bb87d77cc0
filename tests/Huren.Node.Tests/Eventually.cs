namespace Huren.Node.Tests;

/// <summary>Waits for background work to reach a state, with a deadline, instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails the test after 30 s, naming <paramref name="what"/>.</summary>
    public static Task HoldsAsync(Func<bool> condition, string what)
        => ValueAsync(() => Task.FromResult(condition() ? what : null), what);

    /// <summary>
    /// Polls <paramref name="probe"/> every 20 ms until it gives a value; fails the test after <paramref name="within"/>
    /// (30 s), naming <paramref name="what"/> and, when given, the <paramref name="state"/> things were left in.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? within = null, Func<string>? state = null) where T : class
    {
        var limit = within ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"not within {limit.TotalSeconds:0} s: {what}{(state is null ? "" : $" ({state()})")}");
            await Task.Delay(20);
        }
    }
}
