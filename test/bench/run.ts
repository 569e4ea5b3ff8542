/**
 * `npm run bench`: every benchmark in this folder, one after another, each in its own
 * process so one cannot warm or load the next. Figures are printed, never asserted.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const here = import.meta.dirname
const benches: [string, ...string[]][] = [['ingest.ts'], ['reports.ts'], ['postgres.ts', 'ingest']]
let failed = 0
for (const [file, ...args] of benches.filter(([f]) => existsSync(join(here, f)))) {
  console.log(`\n=== ${file} ${args.join(' ')} ===`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file), ...args], { stdio: 'inherit', env: process.env })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
