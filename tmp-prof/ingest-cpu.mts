import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { createApp } from '../collector/src/app.ts'
import { DEFAULT_CONFIG } from '../collector/src/config.ts'
import { SqliteStore } from '../collector/src/store/sqlite.ts'
import { createSite } from '../collector/src/routes/sites.ts'
import { systemClock } from '../collector/src/clock.ts'
const dir = mkdtempSync(join(tmpdir(), 'cpu-'))
const store = new SqliteStore(join(dir, 'b.db'))
await createSite(store, systemClock, { id: 'bench', origins: ['http://localhost'] })
const noDerive = { poke() {}, settle: async () => {}, close: async () => {} }
const app = createApp({ store, config: { ...DEFAULT_CONFIG, adminToken: 'x', allowBots: true, rateLimit: { max: 1e9, windowMs: 60_000 } }, log: () => {}, deriver: noDerive })
function uuidv7(ms: number) { const hex = ms.toString(16).padStart(12, '0'); return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${randomUUID().slice(15)}` }
const body = (n: number) => { const now = Date.now(); return JSON.stringify({ s: 'bench', t: now, e: Array.from({ length: n }, (_, k) => ({ i: uuidv7(now), y: 'p', n: 'pageview', t: now, u: `http://localhost/p/${k % 20}?utm_source=google&utm_medium=cpc`, c: 1, v: `v${Math.floor(Math.random() * 5000)}` })) }) }
for (const n of (process.env.N ? [Number(process.env.N)] : [1, 100])) {
  const reqs = n === 1 ? 20000 : 1500
  const bodies = Array.from({ length: reqs }, () => body(n))
  const c0 = process.cpuUsage(); const t0 = performance.now()
  for (let i = 0; i < reqs; i += 16) await Promise.all(bodies.slice(i, i + 16).map((b) => app.request('http://localhost/collect', { method: 'POST', body: b, headers: { 'content-type': 'text/plain', origin: 'http://localhost' } }).then((r) => r.text())))
  const c = process.cpuUsage(c0); const cpu = (c.user + c.system) / 1000
  console.log(`n=${n}: ${reqs} req, cpu ${cpu.toFixed(0)} ms, wall ${(performance.now() - t0).toFixed(0)} ms => ${(reqs * n / cpu * 1000).toFixed(0)} events per cpu-s, ${(cpu / reqs * 1000).toFixed(0)} µs/req`)
}
