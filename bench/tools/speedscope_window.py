#!/usr/bin/env python3
"""Busy CPU samples of all threads while a marker frame (e.g. the SubmitBatch check loop) is on some thread's stack, windows
merged when less than 500 ms apart: inclusive time of the frames matching each substring (the largest per substring) and the
top self times. Samples whose innermost frames are idle or waiting (spin waits, semaphores, GC memory info) are counted apart.

Usage: speedscope_window.py TRACE.speedscope.json MARKER substring,substring,...
"""
import collections, json, sys
trace = json.load(open(sys.argv[1])); marker = sys.argv[2]; keys = sys.argv[3].split(',')
idle = ['LowLevelSpinWaiter','LowLevelLifoSemaphore','GetGCMemoryInfo','WaitOneNoCheck','WaitHandle','Monitor.Wait','WorkerThreadStart','SemaphoreSlim.Wait','Thread.Sleep','epoll','ManualResetEventSlim.Wait','SpinWait']
frames = [f['name'] for f in trace['shared']['frames']]
mk = {i for i,n in enumerate(frames) if marker in n}
# pass 1: times where marker is on stack
ts=[]
for p in trace['profiles']:
    stack=[]
    for ev in p['events']:
        if ev['type']=='O': stack.append(ev['frame'])
        elif stack: stack.pop()
        if mk & set(stack): ts.append(ev['at'])
ts.sort()
wins=[]; 
for t in ts:
    if wins and t-wins[-1][1] < 500: wins[-1][1]=t
    else: wins.append([t,t])
wins=[w for w in wins if w[1]-w[0]>200]
print("windows (ms):", [(round(a),round(b-a)) for a,b in wins])
def inwin(t): return any(a<=t<=b for a,b in wins)
incl=collections.Counter(); selfc=collections.Counter(); total=0; idlet=0
for p in trace['profiles']:
    stack, last = [], None
    for ev in p['events']:
        at=ev['at']
        if stack and last is not None and frames[stack[-1]]=='CPU_TIME' and inwin(at):
            dt=at-last; names=[frames[f] for f in stack]
            if any(any(i in n for i in idle) for n in names[-4:]): idlet+=dt
            else:
                total+=dt; selfc[names[-2]]+=dt
                for n in set(names): incl[n]+=dt
        last=at
        if ev['type']=='O': stack.append(ev['frame'])
        elif stack: stack.pop()
print(f"busy {total:.0f} ms, idle/wait {idlet:.0f} ms")
for k in keys:
    best=sorted([(v,n) for n,v in incl.items() if k in n], reverse=True)[:1]
    for v,n in best: print(f"{v:9.0f} {100*v/total:5.1f}% {n[:150]}")
print("self top 30")
for n,v in selfc.most_common(30): print(f"{v:9.0f} {100*v/total:5.1f}% {n[:150]}")
