// Hypercore replica catch-up on this machine, to compare with Huren's mirror catch-up in the same bench run.
// A writer core appends N entries of S bytes in batches of 100 (timed: append rate); then a second core with its
// own storage replicates it over an in-process stream pair (Hypercore's own replication protocol: Merkle proofs
// and the writer's signature on the tree, no per-entry signatures) and downloads every block (timed: catch-up rate).
// Usage: node catchup.mjs [entries=200000] [bytes=700] [runs=1]; prints one JSON object per run.
import Hypercore from 'hypercore'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

const entries = Number(process.argv[2] ?? 200000)
const bytes = Number(process.argv[3] ?? 700)
const runs = Number(process.argv[4] ?? 1)

for (let run = 0; run < runs; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'huren-bench-hypercore-'))
  try {
    const writer = new Hypercore(join(dir, 'writer'))
    await writer.ready()
    const batch = 100
    const blocks = Array.from({ length: batch }, () => randomBytes(bytes))
    let t = process.hrtime.bigint()
    for (let i = 0; i < entries; i += batch) {
      // Fresh contents per batch, so nothing is deduplicated.
      for (const b of blocks) b.writeUInt32BE(i, 0)
      await writer.append(blocks.slice(0, Math.min(batch, entries - i)).map(b => Buffer.from(b)))
    }
    const appendSeconds = Number(process.hrtime.bigint() - t) / 1e9

    const replica = new Hypercore(join(dir, 'replica'), writer.key)
    await replica.ready()
    t = process.hrtime.bigint()
    const s1 = writer.replicate(true)
    const s2 = replica.replicate(false)
    s1.pipe(s2).pipe(s1)
    await replica.update({ wait: true })
    await replica.download({ start: 0, end: entries }).done()
    const catchupSeconds = Number(process.hrtime.bigint() - t) / 1e9
    if (replica.contiguousLength !== entries) throw new Error(`replica holds ${replica.contiguousLength} of ${entries}`)
    const last = await replica.get(entries - 1)
    if (last.length !== bytes) throw new Error(`block of ${last.length} bytes, expected ${bytes}`)

    console.log(JSON.stringify({
      hypercore: '11.37.1', entries, bytes, batch,
      appendPerSecond: entries / appendSeconds,
      catchupPerSecond: entries / catchupSeconds,
      appendSeconds, catchupSeconds,
    }))
    s1.destroy(); s2.destroy()
    await replica.close()
    await writer.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
