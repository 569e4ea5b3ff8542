import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { createReports, parseAttributionQuery, parseSummaryQuery, parseFunnelQuery, parseChannelsQuery, parseExperimentQuery } from '../../collector/src/reports/service.ts'
import { compareModels } from '../../collector/src/reports/attribution-compare.ts'
import { timeseries, parseTimeseriesQuery } from '../../collector/src/reports/timeseries-service.ts'
import { pacing, parsePacingQuery } from '../../collector/src/reports/pacing-service.ts'
import { loadHealth, loadCatalog } from '../../collector/src/dashboard/health.ts'
import { BENCH_SITE } from './cases.ts'
const store = new SqliteStore('/work/perf/bench-1m.db')
const rs = store.reports
const r = createReports(rs)
const T = '2026-10-30'
const p = (s: string) => new URLSearchParams(`from=2026-08-02&to=2026-10-30&${s}`)
const time = async (l: string, f: () => Promise<unknown>) => { const t = performance.now(); await f(); console.log(l.padEnd(30), (performance.now() - t).toFixed(0), 'ms') }
await time('catalog', () => loadCatalog(rs, 'bench', Date.parse('2026-10-30T12:00:00Z')))
await time('summary', () => r.summary(BENCH_SITE, parseSummaryQuery(p(''), T)))
await time('funnel', () => r.funnel(BENCH_SITE, parseFunnelQuery(p('step=pageview:/**&step=pageview:/pricing&step=conversion:lead&step=conversion:purchase'), T)))
await time('channels', () => r.channels(BENCH_SITE, parseChannelsQuery(p(''), T)))
await time('campaigns', () => r.campaigns(BENCH_SITE, parseChannelsQuery(p(''), T)))
await time('compare', () => compareModels(rs, BENCH_SITE, parseAttributionQuery(p('dimension=channel'), T)))
await time('experiment', () => r.experiment(BENCH_SITE, 'checkout', parseExperimentQuery(p(''), T)))
await time('health', () => loadHealth(rs, 'bench', Date.parse('2026-10-30T12:00:00Z')))
await time('trends', () => timeseries(rs, BENCH_SITE, parseTimeseriesQuery(p(''), T)))
await time('pacing', () => pacing(rs, BENCH_SITE, parsePacingQuery(new URLSearchParams('month=2026-10&asOf=2026-10-29'), T)))
