/**
 * Ingest benchmark: events per second and latency of POST /collect (single events and
 * batches of 50) against a bare Hono no-op route served the same way in the same run,
 * which is the ceiling on this machine. Load comes from a separate process (load.mjs)
 * over loopback, so the servers have this process's event loop to themselves.
 *
 *   npm run bench            (or: npx tsx test/bench/ingest.ts)
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../collector/src/app.ts'
import { DEFAULT_CONFIG } from '../../collector/src/config.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { createSite } from '../../collector/src/routes/sites.ts'
import { systemClock } from '../../collector/src/clock.ts'

const DURATION_MS = Number(process.env.BENCH_MS ?? 5000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)

function listen(app: Hono): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve({ port: info.port, close: () => s.close() }))
  })
}

/** Runs the load generator in a child process and prints throughput and latency. */
async function run(label: string, port: number, path: string, perRequest: number) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'load.mjs'), String(port), path, String(perRequest), String(DURATION_MS), String(CONCURRENCY)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  await new Promise((r) => child.once('exit', r))
  const { latencies, errors } = JSON.parse(out) as { latencies: number[]; errors: number }
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2)
  const secs = DURATION_MS / 1000
  console.log(`${label.padEnd(38)} ${String(Math.round(latencies.length / secs)).padStart(7)} req/s ${String(Math.round((latencies.length * perRequest) / secs)).padStart(8)} events/s   p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  errors ${errors}`)
}

const dir = mkdtempSync(join(tmpdir(), 'funnelbeam-bench-'))
const store = new SqliteStore(join(dir, 'bench.db'))
await createSite(store, systemClock, { id: 'bench', origins: ['http://localhost'] })
const app = createApp({ store, config: { ...DEFAULT_CONFIG, adminToken: 'x', allowBots: true, rateLimit: { max: 1e9, windowMs: 60_000 } }, log: () => {} })
const bare = new Hono().post('/collect', async (c) => { await c.req.text(); return c.json({ ok: true }) })

const ceiling = await listen(bare)
const collector = await listen(app)
console.log(`Ingest benchmark: ${DURATION_MS} ms per case, ${CONCURRENCY} concurrent clients, loopback, Node ${process.version}`)
await run('bare Hono no-op, 1 event/request', ceiling.port, '/collect', 1)
await run('collector /collect, 1 event/request', collector.port, '/collect', 1)
await run('bare Hono no-op, 50 events/request', ceiling.port, '/collect', 50)
await run('collector /collect, 50 events/request', collector.port, '/collect', 50)
const stored = (store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n
console.log(`stored ${stored} events in ${store.commits} group commits`)
ceiling.close()
collector.close()
await store.close()
rmSync(dir, { recursive: true, force: true })
