/** The report questions every report benchmark asks, over the generated bench data (October 2026). */
import type { ReportTasks } from '../../collector/src/report-runner/tasks.ts'
import type { ReportRunner } from '../../collector/src/report-runner/runner.ts'
import { parsePacingQuery } from '../../collector/src/reports/pacing-service.ts'
import { parseTimeseriesQuery } from '../../collector/src/reports/timeseries-service.ts'
import type { Site } from '../../collector/src/model.ts'
import {
  parseAttributionQuery, parseCampaignsQuery, parseChannelsQuery, parseExperimentQuery, parseFunnelQuery, parseSummaryQuery,
} from '../../collector/src/reports/query.ts'

export const BENCH_SITE: Site = { id: 'bench', origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 }
export const BENCH_TODAY = '2026-10-30'
/** The dashboard's 90-day preset ending `BENCH_TODAY`. */
export const DASH_90 = 'from=2026-08-02&to=2026-10-30'
const p = (s: string) => new URLSearchParams(`from=2026-10-01&to=2026-10-30&${s}`)

/** October's budgets in the bench data (`generate.ts`): one by channel, one by campaign. */
export const BENCH_BUDGETS = [
  { month: '2026-10', channel: 'Paid Search', source: null, medium: null, campaign: null, amount: 5000, currency: 'EUR', targetCpa: 20, targetRoas: null },
  { month: '2026-10', channel: null, source: 'google', medium: 'cpc', campaign: 'brand', amount: 2000, currency: 'EUR', targetCpa: null, targetRoas: 3 },
]

/** What the cases ask: the report tasks, in process (`reportTasks`) or through report workers (`askRunner`). */
export type BenchAsk = Pick<ReportTasks, 'summary' | 'funnel' | 'channels' | 'campaigns' | 'attribution' | 'experiment' | 'pacing' | 'timeseries'>

/** The tasks through a runner (the server's report workers: `workerRunner`). */
export function askRunner(runner: ReportRunner): BenchAsk {
  return {
    summary: (...a) => runner.run('summary', ...a),
    funnel: (...a) => runner.run('funnel', ...a),
    channels: (...a) => runner.run('channels', ...a),
    campaigns: (...a) => runner.run('campaigns', ...a),
    attribution: (...a) => runner.run('attribution', ...a),
    experiment: (...a) => runner.run('experiment', ...a),
    pacing: (...a) => runner.run('pacing', ...a),
    timeseries: (...a) => runner.run('timeseries', ...a),
  }
}

/** Each report question. */
export const REPORT_CASES: [label: string, run: (r: BenchAsk, site: Site) => Promise<unknown>][] = [
  ['funnel 3 steps, ordered, visitor', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase'), BENCH_TODAY))],
  ['funnel 3 steps, strict, visitor', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&mode=strict'), BENCH_TODAY))],
  ['funnel 3 steps, ordered, session', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&unit=session'), BENCH_TODAY))],
  ['funnel glob + props, breakdown=channel', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/blog/*&step=event:signup%3Fplan%3Dpro&step=conversion:purchase&breakdown=channel'), BENCH_TODAY))],
  ['funnel breakdown=experiment:checkout', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=conversion:purchase&breakdown=experiment:checkout'), BENCH_TODAY))],
  ['attribution last_non_direct, channel', (r, s) => r.attribution(s, parseAttributionQuery(p('conversion=purchase'), BENCH_TODAY))],
  ['attribution time_decay, campaign', (r, s) => r.attribution(s, parseAttributionQuery(p('conversion=purchase&model=time_decay&dimension=campaign'), BENCH_TODAY))],
  ['campaigns (last_non_direct) + spend', (r, s) => r.campaigns(s, parseCampaignsQuery(p(''), BENCH_TODAY))],
  ['channels (linear) + spend', (r, s) => r.channels(s, parseChannelsQuery(p('model=linear'), BENCH_TODAY))],
  ['summary', (r, s) => r.summary(s, parseSummaryQuery(p(''), BENCH_TODAY))],
  ['experiment checkout', (r, s) => r.experiment(s, 'checkout', parseExperimentQuery(p('conversion=purchase'), BENCH_TODAY))],
  // Segments (issue 11): filters on the session's entry, and the events in those sessions.
  ['summary, segment device=mobile&visitor=new', (r, s) => r.summary(s, parseSummaryQuery(p('device=mobile&visitor=new'), BENCH_TODAY))],
  ['channels (linear), segment source=google', (r, s) => r.channels(s, parseChannelsQuery(p('model=linear&source=google'), BENCH_TODAY))],
  ['funnel 3 steps, segment channel=Paid Search', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&channel=Paid%20Search'), BENCH_TODAY))],
  ['funnel 3 steps, strict, segment device=mobile', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&mode=strict&device=mobile'), BENCH_TODAY))],
  ['funnel 2 steps, segment variant=checkout:b', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=conversion:purchase&variant=checkout:b'), BENCH_TODAY))],
  ['funnel 3 steps, breakdown=landing', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&breakdown=landing'), BENCH_TODAY))],
  ['funnel 3 steps, breakdown=visitor (new/returning)', (r, s) => r.funnel(s, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&breakdown=visitor'), BENCH_TODAY))],
  ['attribution data_driven, channel', (r, s) => r.attribution(s, parseAttributionQuery(p('conversion=purchase&model=data_driven'), BENCH_TODAY))],
  ['attribution data_driven, segment device=mobile', (r, s) => r.attribution(s, parseAttributionQuery(p('conversion=purchase&model=data_driven&device=mobile'), BENCH_TODAY))],
  ['campaigns, segment device=mobile', (r, s) => r.campaigns(s, parseCampaignsQuery(p('device=mobile'), BENCH_TODAY))],
  ['experiment checkout, segment device=mobile', (r, s) => r.experiment(s, 'checkout', parseExperimentQuery(p('conversion=purchase&device=mobile'), BENCH_TODAY))],
  // Budgets and pacing (issue 11): month to date and the last 14 days credited.
  ['pacing, two budgets', (r, s) => r.pacing(s, parsePacingQuery(new URLSearchParams('month=2026-10&asOf=2026-10-29'), BENCH_TODAY))],
  // Trends (issue 11): the range and the previous period of equal length beside it.
  ['trends, 30 days daily', (r, s) => r.timeseries(s, parseTimeseriesQuery(p(''), BENCH_TODAY))],
  ['trends, 2 days hourly, segment device=mobile', (r, s) => r.timeseries(s, parseTimeseriesQuery(new URLSearchParams('from=2026-10-28&to=2026-10-29&device=mobile'), BENCH_TODAY))],
  ['trends, 30 days, segment source=google&visitor=new', (r, s) => r.timeseries(s, parseTimeseriesQuery(p('source=google&visitor=new'), BENCH_TODAY))],
  ['pacing, segment source=google', (r, s) => r.pacing(s, parsePacingQuery(new URLSearchParams('month=2026-10&asOf=2026-10-29&source=google'), BENCH_TODAY))],
]
