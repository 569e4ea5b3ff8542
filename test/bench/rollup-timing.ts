/**
 * Times the store queries behind summary, channels/campaigns sessions and trends on a
 * generated bench file, each on a freshly opened store: `npx tsx test/bench/rollup-timing.ts FILE [N]`
 * (generates FILE with N events when it does not exist).
 */
import { existsSync } from 'node:fs'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { createReports } from '../../collector/src/reports/service.ts'
import { reportTasks } from '../../collector/src/report-runner/tasks.ts'
import { generateBenchDb } from './generate.ts'
import { BENCH_SITE, BENCH_TODAY, REPORT_CASES } from './cases.ts'

const [file, n] = [process.argv[2], Number(process.argv[3] ?? 1_000_000)]
if (!existsSync(file)) {
  const t0 = performance.now()
  console.log(generateBenchDb(file, n), `generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
}
const range = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 31) }
const range90 = { start: Date.UTC(2026, 7, 2), end: Date.UTC(2026, 9, 31) }
const cases: [string, (s: SqliteStore) => Promise<unknown>][] = [
  ['store.summary 30d', (s) => s.reports.summary('bench', range)],
  ['store.sessionGroups 30d', (s) => s.reports.sessionGroups('bench', range)],
  ['store.activity 90d', (s) => s.reports.activity('bench', range90, null)],
  ['store.activity 90d purchase', (s) => s.reports.activity('bench', range90, 'purchase')],
  ...REPORT_CASES.filter(([l]) => /summary|channels|campaigns/.test(l)).map(([l, run]): [string, (s: SqliteStore) => Promise<unknown>] => [l, (s) => run(createReports(s.reports), BENCH_SITE)]),
  ['cold dashboard 90d', (s) => reportTasks(s.reports, () => Date.parse('2026-10-30T18:00:00Z'), () => {}).dashboard({ site: BENCH_SITE, today: BENCH_TODAY, now: Date.parse('2026-10-30T18:00:00Z'), params: 'from=2026-08-02&to=2026-10-30' })],
]
const t0 = performance.now()
new SqliteStore(file).close() // migrations (and their backfill) outside the timings
console.log(`open + migrate: ${(performance.now() - t0).toFixed(0)} ms`)
for (const [label, run] of cases) {
  const store = new SqliteStore(file)
  const t = performance.now()
  const out = await run(store)
  console.log(`${label}: ${(performance.now() - t).toFixed(0)} ms`, label.startsWith('store.summary') ? JSON.stringify(out) : '')
  await store.close()
}
