#!/usr/bin/env python3
"""Like speedscope_cpu.py, over the CPU samples outside the bench's own leaf signing and raw-verify loops: inclusive time of
the frames matching each given substring (the two largest per substring) and the top self times.

Usage: speedscope_stages.py TRACE.speedscope.json substring,substring,...
"""
import collections, json, sys
trace = json.load(open(sys.argv[1]))
exclude = ['SignLeaves', 'BenchLedger.IssueLicense', 'MachineLimits.VerifyRate', 'MachineLimits+<>c__DisplayClass4']
frames = [f['name'] for f in trace['shared']['frames']]
ex_ids = {i for i, n in enumerate(frames) if any(e in n for e in exclude)}
self_t = collections.Counter(); incl = collections.Counter(); total = 0.0
for p in trace['profiles']:
    stack, last = [], None
    for ev in p['events']:
        at = ev['at']
        if stack and last is not None and frames[stack[-1]] == 'CPU_TIME' and not (ex_ids & set(stack)):
            dt = at - last; total += dt
            self_t[frames[stack[-2]] if len(stack) > 1 else '?'] += dt
            for f in set(stack): incl[frames[f]] += dt
        last = at
        if ev['type'] == 'O': stack.append(ev['frame'])
        else:
            if stack: stack.pop()
keys = sys.argv[2].split(',')
print(f"CPU samples outside leaf signing and the raw-verify loop: {total:.0f} ms")
print("== inclusive, selected stages")
for k in keys:
    best = [(v, n) for n, v in incl.items() if k in n]
    best.sort(reverse=True)
    for v, n in best[:2]:
        print(f"{v:10.0f} {100*v/total:5.1f}%  {n[:170]}")
print("== self, top 25")
for n, v in self_t.most_common(25):
    print(f"{v:10.0f} {100*v/total:5.1f}%  {n[:170]}")
