#!/usr/bin/env python3
"""Sums a dotnet-trace Speedscope file (profile dotnet-sampled-thread-time) over the samples whose thread was running
managed code (top frame CPU_TIME): self time per frame and inclusive time of frames matching given substrings.

Usage: speedscope_cpu.py TRACE.speedscope.json [substring,substring,...]
"""
import collections
import json
import sys


def main():
    trace = json.load(open(sys.argv[1]))
    keys = sys.argv[2].split(',') if len(sys.argv) > 2 else ['Huren', 'Grpc', 'BouncyCastle', 'RocksDb', 'ProtoBuf', 'Kestrel', 'Cryptography']
    frames = [f['name'] for f in trace['shared']['frames']]
    self_time = collections.Counter()
    inclusive = collections.Counter()
    total = 0.0
    for profile in trace['profiles']:
        stack, last = [], None
        for event in profile['events']:
            at = event['at']
            # Time between two events belongs to the stack as it was; count it only while the thread ran managed code.
            if stack and last is not None and frames[stack[-1]] == 'CPU_TIME':
                dt = at - last
                total += dt
                self_time[frames[stack[-2]] if len(stack) > 1 else '?'] += dt
                for f in set(stack):
                    inclusive[frames[f]] += dt
            last = at
            if event['type'] == 'O':
                stack.append(event['frame'])
            elif stack:
                stack.pop()
    print(f"running samples: {total:.0f} ms")
    print("== self (frame under CPU_TIME), top 30")
    for name, ms in self_time.most_common(30):
        print(f"{ms:8.0f} {100 * ms / total:5.1f}% {name[:150]}")
    print("== inclusive, frames matching " + ",".join(keys))
    for name, ms in [(n, v) for n, v in inclusive.most_common(5000) if any(k in n for k in keys)][:70]:
        print(f"{ms:8.0f} {100 * ms / total:5.1f}% {name[:150]}")


if __name__ == '__main__':
    main()
