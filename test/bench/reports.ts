/**
 * Report benchmark: writes N events (default 1,000,000) with their sessions straight into
 * a SQLite store file, then times the funnel, attribution, campaign and other reports
 * through the same service the HTTP routes use.
 *
 *   npx tsx test/bench/reports.ts [events] [--keep] [--db file]      (or: npm run bench:reports)
 *
 * `--keep` leaves the file in place and `--db` reuses one, to time query changes without
 * regenerating; `--only funnel` times just the reports whose label starts with that word. Wall time and CPU time are both shown: on a shared machine CPU time is
 * the steadier figure.
 *
 * The data is deterministic (seeded PRNG): ~10 events per visitor over 30 days, 1–3
 * sessions each, a GA4-like channel mix, a 3-step shop funnel, 4% buyers, an A/B test.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { generateBenchDb } from './generate.ts'
import { createReports } from '../../collector/src/reports/service.ts'
import type { Site } from '../../collector/src/model.ts'
import {
  parseAttributionQuery, parseCampaignsQuery, parseChannelsQuery, parseExperimentQuery, parseFunnelQuery, parseSummaryQuery,
} from '../../collector/src/reports/query.ts'

const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000)
const KEEP = process.argv.includes('--keep')
const REUSE = process.argv.includes('--db') ? process.argv[process.argv.indexOf('--db') + 1] : null
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null

async function time<T>(label: string, f: () => Promise<T>, runs = 3): Promise<T> {
  let result!: T
  if (ONLY !== null && !label.startsWith(ONLY)) return result
  const ms: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    result = await f()
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1000)
    ms.push(performance.now() - t0)
  }
  ms.sort((a, b) => a - b)
  cpu.sort((a, b) => a - b)
  console.log(`${label.padEnd(42)} wall median ${ms[runs >> 1].toFixed(0).padStart(5)} ms, min ${ms[0].toFixed(0).padStart(5)} ms   cpu min ${cpu[0].toFixed(0).padStart(5)} ms`)
  return result
}

async function main() {
  const dir = REUSE ? null : mkdtempSync(join(tmpdir(), 'funnelbeam-bench-'))
  const file = REUSE ?? join(dir!, 'bench.db')
  let t0 = performance.now()
  if (!REUSE) {
    const { events, sessions } = generateBenchDb(file, N)
    console.log(`generated ${events.toLocaleString('en')} events, ${sessions.toLocaleString('en')} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s; file ${(statSync(file).size / 1e6).toFixed(0)} MB`)
  }

  const store = new SqliteStore(file)
  const site: Site = { id: 'bench', origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 }
  const reports = createReports(store.reports)
  const p = (s: string) => new URLSearchParams(`from=2026-10-01&to=2026-10-30&${s}`)
  const today = '2026-10-30'
  t0 = performance.now()

  const funnel = await time('funnel 3 steps, ordered, visitor', () => reports.funnel(site, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase'), today)))
  if (funnel) console.log('   ', funnel.steps.map((s) => `${s.step}: ${s.visitors}`).join(' → '))
  await time('funnel 3 steps, strict, visitor', () => reports.funnel(site, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&mode=strict'), today)))
  await time('funnel 3 steps, ordered, session', () => reports.funnel(site, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&unit=session'), today)))
  await time('funnel glob + props, breakdown=channel', () => reports.funnel(site, parseFunnelQuery(p('step=pageview:/blog/*&step=event:signup%3Fplan%3Dpro&step=conversion:purchase&breakdown=channel'), today)))
  await time('funnel breakdown=experiment:checkout', () => reports.funnel(site, parseFunnelQuery(p('step=pageview:/pricing&step=conversion:purchase&breakdown=experiment:checkout'), today)))
  await time('attribution last_non_direct, channel', () => reports.attribution(site, parseAttributionQuery(p('conversion=purchase'), today)))
  await time('attribution time_decay, campaign', () => reports.attribution(site, parseAttributionQuery(p('conversion=purchase&model=time_decay&dimension=campaign'), today)))
  const campaigns = await time('campaigns (last_non_direct) + spend', () => reports.campaigns(site, parseCampaignsQuery(p(''), today)))
  if (campaigns) console.log(`    ${campaigns.rows.length} campaign rows; top: ${campaigns.rows[0].source}/${campaigns.rows[0].medium}/${campaigns.rows[0].campaign} ${campaigns.rows[0].sessions} sessions`)
  await time('channels (linear) + spend', () => reports.channels(site, parseChannelsQuery(p('model=linear'), today)))
  await time('summary', () => reports.summary(site, parseSummaryQuery(p(''), today)))
  await time('experiment checkout', () => reports.experiment(site, 'checkout', parseExperimentQuery(p('conversion=purchase'), today)))
  console.log(`all reports: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  await store.close()
  if (KEEP || REUSE) console.log(`kept ${file}`)
  else rmSync(dir!, { recursive: true, force: true })
}

await main()
