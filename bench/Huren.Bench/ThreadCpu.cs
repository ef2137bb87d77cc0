using System.Runtime.InteropServices;

namespace Huren.Bench;

/// <summary>
/// CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, a vDSO call of well under a
/// microsecond): what a single writer thread spends, without the time the scheduler gives to other processes on a
/// shared machine and without other threads (GC threads report their pauses separately).
/// </summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>This thread's CPU time so far, in microseconds.</summary>
    public static double NowMicroseconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var t) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        return t.Seconds * 1e6 + t.Nanoseconds / 1e3;
    }
}
