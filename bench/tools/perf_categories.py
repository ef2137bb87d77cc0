#!/usr/bin/env python3
"""Splits one process's `perf record -g` samples into the stages of a node's write and mirror path, each sample counted
once, in the first stage (top to bottom of the list) whose marker appears anywhere in its stack; the rest by thread.

Record with the JIT's perf maps, e.g. while a mirror catches up in `bench -- mirror`:
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet run -c Release --project bench/Huren.Bench -- mirror ...
  perf record -F 999 -a -g -o perf.data -- sleep 12
  perf script -i perf.data -F comm,pid,tid,ip,sym,dso > perf.txt
  python3 bench/tools/perf_categories.py perf.txt PID
"""
import collections, re, sys

STAGES = [
    ('signature check (libsodium)', ['libsodium', 'Sodium']),
    ('JIT compiler', ['libclrjit']),
    ('RocksDB write (WAL, memtable)', ['rocksdb_write']),
    ('RocksDB get', ['rocksdb_get', 'KeySpace::Get']),
    ('status map (pages, hashes)', ['LogStatusMap::Write', 'LogStatusMap::Stage']),
    ('ledger rules (CheckInOrder)', ['CheckInOrder']),
    ('appender, rest', ['LogAppender::Append']),
    ('body decode and validation', ['BodyValidator::Decode']),
    ('entry validation, rest', ['EntryValidator::Validate']),
    ('signature check, rest (envelope decode, key)', ['SignatureCheck::Check']),
    ('stateless checks, rest', ['CheckStateless']),
    ('mirror check loop', ['LogMirror::Check', 'StartCheck']),
    ('gRPC, HTTP/2, TLS, sockets', ['Grpc', 'Http2', 'Ssl', 'Socket', 'ProtoBuf.Grpc']),
    ('mirror integrate', ['IntegrateAsync', 'LogMirror']),
    ('GC', ['gc_heap', 'GCHeap', 'WKS::', 'SVR::']),
    ('kernel, other', ['kallsyms']),
]


def samples(path):
    head, stack = None, []
    for line in open(path, errors='replace'):
        if not line.strip():
            if head is not None:
                yield head, stack
            head, stack = None, []
        elif not line.startswith((' ', '\t')):
            head, stack = line.strip(), []
        elif head is not None:
            stack.append(line.strip())
    if head is not None:
        yield head, stack


def main():
    path, pid = sys.argv[1], sys.argv[2]
    owner = re.compile(r'\b' + re.escape(pid) + r'/')
    stages, threads, total = collections.Counter(), collections.Counter(), 0
    for head, stack in samples(path):
        if not owner.search(head):
            continue
        total += 1
        text = '\n'.join(stack)
        for name, markers in STAGES:
            if any(m in text for m in markers):
                stages[name] += 1
                break
        else:
            threads[head.split(pid)[0].strip()] += 1
    if total == 0:
        sys.exit(f'no samples of process {pid} in {path}')
    print(f'{total} samples of process {pid}')
    for name, _ in STAGES:
        print(f'{stages[name] * 100 / total:5.1f} %  {name}')
    for thread, n in threads.most_common(8):
        print(f'{n * 100 / total:5.1f} %  other, thread "{thread}"')


if __name__ == '__main__':
    main()
