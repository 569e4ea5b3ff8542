/**
 * Dashboard benchmark: renders `GET /dashboard/bench` in-process (the real app, signed in
 * with an admin session) against a SQLite file written by the report benchmark.
 *
 *   npx tsx test/bench/reports.ts 1000000 --keep     # prints "kept /tmp/…/bench.db"
 *   npx tsx test/bench/dashboard.ts /tmp/…/bench.db [runs]
 *
 * It does not generate data itself (a million events take minutes to write), so it is
 * not part of `npm run bench`. Each cold run uses a fresh app, so no cached figures are
 * reused (the site's picker lists, cached per store for five minutes, are read once); the
 * warm runs reuse one app, as a marketer reloading the page or switching the model would.
 * The clock is set to the last day of the generated data (2026-10-30), so the default
 * 28-day range covers it.
 */
import { createApp } from '../../collector/src/app.ts'
import { DEFAULT_CONFIG } from '../../collector/src/config.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { signIn } from '../helpers/app.ts'

const file = process.argv[2]
const runs = Number(process.argv[3] ?? 3)
if (!file) {
  console.error('usage: npx tsx test/bench/dashboard.ts <bench.db from test/bench/reports.ts --keep> [runs]')
  process.exit(2)
}

const adminToken = 'bench-admin-token'
const now = Date.parse('2026-10-30T18:00:00Z')
const store = new SqliteStore(file)
const makeApp = () => createApp({ store, config: { ...DEFAULT_CONFIG, adminToken }, clock: { now: () => now }, log: (m, e) => console.error(m, e) })
const headers = { cookie: await signIn((p, i) => makeApp().request(p, i), adminToken) }

async function render(app: ReturnType<typeof makeApp>, path: string): Promise<{ ms: number; cpu: number; bytes: number }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const res = await app.request(`http://localhost${path}`, { headers })
  const html = await res.text()
  const c = process.cpuUsage(c0)
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`)
  if (html.includes('This report is unavailable')) throw new Error(`${path}: a section failed to load`)
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, bytes: html.length }
}

const show = (label: string, r: { ms: number; cpu: number; bytes: number }) =>
  console.log(`${label.padEnd(44)} wall ${r.ms.toFixed(0).padStart(6)} ms   cpu ${r.cpu.toFixed(0).padStart(6)} ms   ${(r.bytes / 1024).toFixed(0)} KiB`)

const pages: [string, string][] = [
  ['default page (28 days, last non-direct)', '/dashboard/bench'],
  ['linear model, funnel by channel', '/dashboard/bench?model=linear&breakdown=channel'],
]
for (const [label, path] of pages) {
  const cold: number[] = []
  for (let i = 0; i < runs; i++) {
    const r = await render(makeApp(), path)
    cold.push(r.ms)
    show(`${label}, cold #${i + 1}`, r)
  }
  const app = makeApp()
  await render(app, path)
  show(`${label}, warm (same app, reloaded)`, await render(app, path))
  cold.sort((a, b) => a - b)
  console.log(`${label}: cold median ${cold[cold.length >> 1].toFixed(0)} ms`)
}
// A marketer's next click: the same range under another model. Only the figures the model
// changes (channels and campaigns) are computed again; the rest come from the cache.
{
  const app = makeApp()
  await render(app, '/dashboard/bench')
  show('then switch to the linear model (same app)', await render(app, '/dashboard/bench?model=linear'))
  show('then the 7-day preset (same app)', await render(app, '/dashboard/bench?from=2026-10-24&to=2026-10-30'))
}
await store.close()
