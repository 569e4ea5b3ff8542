/**
 * The reports service: the JSON routes, CSV exports and the dashboard all call this, so
 * every surface shows the same numbers. It turns validated queries into store scans and
 * runs the pure maths (funnel matching, credit splitting, statistics) over the results.
 */
import type { Site, Store } from '../store/types.ts'
import type {
  AttributionQuery, AttributionReport, CampaignsQuery, CampaignsReport, ChannelsQuery, ChannelsReport,
  DateRangeQuery, ExperimentQuery, ExperimentReport, FunnelQuery, FunnelReport, SummaryReport,
} from './types.ts'
import { dateIn } from './dates.ts'

export * from './types.ts'
export {
  parseSummaryQuery, parseFunnelQuery, parseChannelsQuery, parseCampaignsQuery,
  parseAttributionQuery, parseExperimentQuery,
} from './query.ts'

/** Today's date in the site's timezone: the default end of a report's range. */
export function todayIn(site: Pick<Site, 'timezone'>, now: number = Date.now()): string {
  return dateIn(site.timezone, now)
}

export interface Reports {
  summary(site: Site, q: DateRangeQuery): Promise<SummaryReport>
  funnel(site: Site, q: FunnelQuery): Promise<FunnelReport>
  channels(site: Site, q: ChannelsQuery): Promise<ChannelsReport>
  campaigns(site: Site, q: CampaignsQuery): Promise<CampaignsReport>
  attribution(site: Site, q: AttributionQuery): Promise<AttributionReport>
  experiment(site: Site, name: string, q: ExperimentQuery): Promise<ExperimentReport>
}

/**
 * Builds the reports service over a store.
 *
 * @example
 * const reports = createReports(store)
 * const site = await store.getSite('shop')
 * const q = parseFunnelQuery(new URLSearchParams('step=pageview:/pricing&step=conversion:purchase'), todayIn(site))
 * const { steps } = await reports.funnel(site, q)
 */
export function createReports(store: Store): Reports {
  void store
  const todo = (): never => { throw new Error('not implemented yet') }
  return {
    summary: async () => todo(),
    funnel: async () => todo(),
    channels: async () => todo(),
    campaigns: async () => todo(),
    attribution: async () => todo(),
    experiment: async () => todo(),
  }
}
