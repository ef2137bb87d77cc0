using System.Net;
using System.Net.Sockets;

namespace Huren.TestSupport;

/// <summary>
/// Chooses loopback ports for a test network: consecutive ports that are free when chosen, below the kernel's
/// ephemeral range (32768 and up on Linux) so that no outgoing connection can take one before the node binds it.
/// Test projects that run at the same time use different <c>offset</c>s within each block of ten, so they cannot pick
/// the same block even when both choose before either binds.
/// </summary>
internal static class LoopbackPorts
{
    private const int First = 20000;
    private const int Last = 32000;
    private static readonly HashSet<int> Handed = [];

    /// <summary>The first of <paramref name="count"/> consecutive free ports starting at a multiple of ten plus <paramref name="offset"/>.</summary>
    public static int FreeRange(int count, int offset)
    {
        if (count < 1 || offset < 0 || offset + count > 10) throw new ArgumentOutOfRangeException(nameof(count), "count + offset must fit a block of ten");
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var start = First + Random.Shared.Next(0, (Last - First) / 10) * 10 + offset;
            lock (Handed)
            {
                if (Handed.Contains(start) || !AllFree(start, count)) continue;
                Handed.Add(start);
                return start;
            }
        }
        throw new InvalidOperationException($"no {count} consecutive free loopback ports found between {First} and {Last}");
    }

    private static bool AllFree(int start, int count)
    {
        for (var port = start; port < start + count; port++)
        {
            try
            {
                using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException)
            {
                return false;
            }
        }
        return true;
    }
}
