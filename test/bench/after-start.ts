/**
 * The report cases as a SQLite server answers them after its start, in a process of its own
 * (as the server is): a fresh pool of two report workers keeping their memory, warmed by
 * `report-runner/warm-up.ts`, then the 90-day dashboard, then each case once. Run by
 * `scale.ts`, which reads the one JSON line it prints; the bench's own process has held
 * other stores and pools by then, which a starting server has not (the same block inside
 * it took the dashboard from 0.57-0.63 s to 1.4 s at 10M events).
 *
 * @example
 * // npx tsx test/bench/after-start.ts bench-10000000.db
 * // {"warmUpMs":5894,"dashboardMs":574,"cases":{"summary":5,…},"rssMb":1467}
 */
import { readFileSync } from 'node:fs'
import { workerRunner } from '../../collector/src/report-runner/pool.ts'
import { warmUp } from '../../collector/src/report-runner/warm-up.ts'
import { relaunchWithHugePages } from '../../collector/src/huge-pages.ts'
import { askRunner, BENCH_SITE, BENCH_TODAY, DASH_90, REPORT_CASES } from './cases.ts'

// The server starts with these memory settings, so this process does too.
const relaunched = await relaunchWithHugePages()
if (relaunched !== null) process.exit(relaunched)

const file = process.argv[2]
if (!file) throw new Error('usage: after-start.ts <bench sqlite file>')
const now = Date.parse('2026-10-30T18:00:00Z')
const pool = workerRunner({ kind: 'sqlite', file }, 2, { log: () => {}, keepMemory: true })
const ask = askRunner(pool)
const warmed = await warmUp(pool, [BENCH_SITE], now, { log: (m, e) => console.error(m, e) })
const t0 = performance.now()
await pool.run('dashboard', { site: BENCH_SITE, today: BENCH_TODAY, now, params: DASH_90 })
const dashboardMs = Math.round(performance.now() - t0)
const cases: Record<string, number> = {}
for (const [label, run] of REPORT_CASES) {
  const t = performance.now()
  await run(ask, BENCH_SITE)
  cases[label] = Math.round(performance.now() - t)
}
const rssMb = Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024)
await pool.close()
console.log(JSON.stringify({ warmUpMs: warmed.ms, dashboardMs, cases, rssMb }))
