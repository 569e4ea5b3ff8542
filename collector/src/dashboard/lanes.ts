/**
 * The dashboard's sections split into lanes that report workers load side by side. A cold
 * page over millions of events is a dozen reports that each keep one CPU busy; on one
 * worker they run one after another (at 10M events, 90 days: the funnel 1.3-2.6 s, the
 * rest 1.5-2 s), on two the page takes about as long as its slowest lane.
 *
 * The lanes are fixed, so a section always lands on the same worker and its short figure
 * cache there keeps serving it; sections that share one page's store scans (`shared-scans.ts`:
 * channels, campaigns and the model comparison scan the same visitors under a segment)
 * share a lane.
 */
import type { DashboardData } from './page.tsx'

/** One report of the page, as loaded by `loadDashboard`. */
export type Section = 'summary' | 'previousSummary' | 'funnel' | 'channels' | 'campaigns' | 'compare' | 'experiment' | 'health' | 'trends' | 'pacing'

/** Heaviest first: the funnel alone, then attribution (its scans shared), then the rest. */
const LANES: readonly (readonly Section[])[] = [
  ['funnel'],
  ['compare', 'channels', 'campaigns', 'experiment'],
  ['summary', 'previousSummary', 'health', 'trends', 'pacing'],
]

/** Every section, for a page loaded by one worker. */
export const ALL_SECTIONS: readonly Section[] = LANES.flat()

/**
 * The sections each of `workers` workers loads: one lane each, the lanes beyond the last
 * worker added to it (one worker loads everything). On a segmented page over two workers
 * the last lane is split: the summary and health beside the funnel, the trends and pacing
 * beside attribution. A segment's credit and sessions come from the columns, not the
 * rollups (10M events, 90 days, device=mobile, one process: the funnel with all the rest
 * 0.67-0.86 s beside attribution's 0.39-0.57 s; split, 0.52-0.69 s and 0.59-0.77 s).
 *
 * @example
 * dashboardLanes(2) // [['funnel'], ['compare', 'channels', 'campaigns', 'experiment', 'summary', …]]
 * dashboardLanes(2, true) // [['funnel', 'summary', 'previousSummary', 'health'], ['compare', …, 'trends', 'pacing']]
 */
export function dashboardLanes(workers: number, segmented = false): Section[][] {
  const n = Math.max(1, Math.min(workers, LANES.length))
  const lanes = LANES.slice(0, n).map((l) => [...l])
  for (const extra of LANES.slice(n)) {
    if (!segmented || n === 1) lanes[n - 1].push(...extra)
    else for (const s of extra) lanes[SEGMENTED_BESIDE_ATTRIBUTION.includes(s) ? 1 : 0].push(s)
  }
  return lanes
}

/** On a segmented page over two workers, the sections of the last lane that go beside attribution rather than the funnel. */
const SEGMENTED_BESIDE_ATTRIBUTION: readonly Section[] = ['trends', 'pacing']

/** The page's fields each section fills. */
const FIELDS: Record<Section, readonly (keyof DashboardData)[]> = {
  summary: ['summary'],
  previousSummary: ['previousSummary'],
  funnel: ['funnel'],
  channels: ['channels'],
  campaigns: ['campaigns'],
  compare: ['attribution', 'attributionError'],
  experiment: ['experiment'],
  health: ['health'],
  trends: ['trends'],
  pacing: ['pacing'],
}

/**
 * One page from the parts the lanes loaded (`parts[i]` loaded `lanes[i]`): each section's
 * fields from its lane's part, the rest (site, filters, catalog) from the first; the
 * cache note shows the oldest cached figure of any part.
 *
 * @example
 * const lanes = dashboardLanes(2)
 * const page = mergeDashboard(lanes, await Promise.all(lanes.map((sections) => load(sections))))
 */
export function mergeDashboard(lanes: readonly (readonly Section[])[], parts: readonly DashboardData[]): DashboardData {
  const page: Record<string, unknown> = { ...parts[0] }
  lanes.forEach((sections, i) => {
    for (const s of sections) for (const f of FIELDS[s]) page[f] = parts[i][f]
  })
  const cached = parts.map((p) => p.cachedAt).filter((at): at is number => at !== null)
  page.cachedAt = cached.length ? Math.min(...cached) : null
  return page as unknown as DashboardData
}
