/**
 * Times each report case once on a bench file (made if missing): for profiling one change
 * at a time without the whole `npm run bench`. `npx tsx test/bench/time-reports.ts FILE N [filter]`
 */
import { existsSync } from 'node:fs'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { createReports } from '../../collector/src/reports/service.ts'
import { generateBenchDb } from './generate.ts'
import { BENCH_SITE, REPORT_CASES } from './cases.ts'

const [file, n, filter] = [process.argv[2], Number(process.argv[3] ?? 1_000_000), process.argv[4]]
if (!existsSync(file)) {
  const t = Date.now()
  generateBenchDb(file, n)
  console.log(`generated ${n} events in ${((Date.now() - t) / 1000).toFixed(0)} s`)
}
const store = new SqliteStore(file)
const reports = createReports(store.reports)
for (const [label, run] of REPORT_CASES) {
  if (filter && !label.includes(filter)) continue
  const t = performance.now()
  await run(reports, BENCH_SITE)
  console.log(`${label.padEnd(50)} ${(performance.now() - t).toFixed(0).padStart(7)} ms`)
}
await store.close()
