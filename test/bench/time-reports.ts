/**
 * Times store queries, report cases and a cold dashboard once each on a bench file, each on
 * a freshly opened store: for profiling one change at a time without the whole `npm run
 * bench`. `npx tsx test/bench/time-reports.ts FILE [N] [filter]` makes FILE with N events
 * (default 1M) when it does not exist; `filter` keeps the cases whose label contains it.
 */
import { existsSync } from 'node:fs'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { reportTasks } from '../../collector/src/report-runner/tasks.ts'
import { generateBenchDb } from './generate.ts'
import { BENCH_SITE, BENCH_TODAY, REPORT_CASES } from './cases.ts'

const [file, n, filter] = [process.argv[2], Number(process.argv[3] ?? 1_000_000), process.argv[4]]
if (!existsSync(file)) {
  const t0 = performance.now()
  console.log(generateBenchDb(file, n), `generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
}
const range = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 31) }
const range90 = { start: Date.UTC(2026, 7, 2), end: Date.UTC(2026, 9, 31) }
const now = Date.parse('2026-10-30T18:00:00Z')
const cases: [string, (s: SqliteStore) => Promise<unknown>][] = [
  ['store.summary 30d', (s) => s.reports.summary('bench', range)],
  ['store.sessionGroups 30d', (s) => s.reports.sessionGroups('bench', range)],
  ['store.activity 90d', (s) => s.reports.activity('bench', range90, null)],
  ...REPORT_CASES.map(([label, run]): [string, (s: SqliteStore) => Promise<unknown>] => [label, (s) => run(reportTasks(s.reports, () => now, () => {}), BENCH_SITE)]),
  ['cold dashboard 90d', (s) => reportTasks(s.reports, () => now, () => {}).dashboard({ site: BENCH_SITE, today: BENCH_TODAY, now, params: 'from=2026-08-02&to=2026-10-30' })],
]
const t0 = performance.now()
await new SqliteStore(file).close() // migrations (and their backfills) outside the timings
console.log(`open + migrate: ${(performance.now() - t0).toFixed(0)} ms`)
for (const [label, run] of cases) {
  if (filter && !label.includes(filter)) continue
  const store = new SqliteStore(file)
  const t = performance.now()
  await run(store)
  console.log(`${label.padEnd(50)} ${(performance.now() - t).toFixed(0).padStart(7)} ms`)
  await store.close()
}
