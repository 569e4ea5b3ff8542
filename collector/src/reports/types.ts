/**
 * Validated report queries and the public JSON shapes of the reports (DESIGN.md, "Reports").
 * The JSON routes, CSV exports and the dashboard all use these.
 */
import type { EventType, RuleModel } from '../model.ts'

/** Models that split one conversion over its touches by a fixed rule. */
export type { RuleModel }

/** Dates are YYYY-MM-DD in the site's timezone; `to` is inclusive. */
export interface DateRangeQuery {
  from: string
  to: string
  /** Segment filters (issue 11); absent when the report covers every session. */
  segment?: SegmentFilters
}

/**
 * Segment filters as the query string names them. Each dimension takes one or more
 * values (any of them matches); dimensions combine (all must match). They test a
 * session's entry attributes, so a report over a segment counts the matching sessions
 * and the events in them, as if nothing else had been recorded.
 */
export interface SegmentFilters {
  channel?: string[]
  source?: string[]
  medium?: string[]
  campaign?: string[]
  device?: string[]
  browser?: string[]
  country?: string[]
  /** Landing page paths; `*` matches within a path segment, `**` across them. */
  landing?: string[]
  /** new: the visitor's first session ever; returning: any later one. */
  visitor?: 'new' | 'returning'
  /** The visitor's first exposure to `experiment` showed `variant`, at or before the session's last event. */
  variant?: { experiment: string; variant: string }[]
}

/** `data_driven`: a Markov chain over every visitor's path, credit by removal effect (`markov.ts`). */
export type AttributionModel = RuleModel | 'data_driven'
export type Dimension = 'channel' | 'source' | 'medium' | 'campaign'
export type BreakdownDimension = Dimension | 'device' | 'browser' | 'country' | 'landing' | 'visitor' | 'experiment'

export interface FunnelStep {
  /** The step as written, e.g. `event:cta_click?plan=pro`; echoed in the answer. */
  label: string
  type: EventType
  /** Event name, or null for pageview steps. */
  name: string | null
  /** Path glob, only for pageview steps. */
  pathGlob: string | null
  /** Property equalities: the event's prop, as a string, must equal the value. */
  props: Record<string, string>
}

export interface FunnelQuery extends DateRangeQuery {
  steps: FunnelStep[]
  windowMs: number
  mode: 'ordered' | 'strict'
  unit: 'visitor' | 'session'
  /** A dimension, or `experiment` with `experiment` naming which one. */
  breakdown: BreakdownDimension | null
  experiment: string | null
}

export interface ChannelsQuery extends DateRangeQuery {
  model: AttributionModel
  /** Conversion name, or null for every conversion. */
  conversion: string | null
  lookbackMs: number
}

export type CampaignsQuery = ChannelsQuery

export interface AttributionQuery extends DateRangeQuery {
  model: AttributionModel
  conversion: string | null
  lookbackMs: number
  dimension: Dimension
}

export interface ExperimentQuery extends DateRangeQuery {
  conversion: string | null
  /** Planned traffic weights per variant, or null for equal weights. */
  weights: Record<string, number> | number[] | null
}

/** Money per ISO 4217 currency; amounts in different currencies are never summed. */
export type Money = Record<string, number>
/** A per-currency figure that is null where its denominator is zero. */
export type MoneyRatio = Record<string, number | null>

export interface SummaryReport {
  from: string
  to: string
  timezone: string
  visitors: number
  sessions: number
  pageviews: number
  conversions: number
  convertingVisitors: number
  /** convertingVisitors / visitors; null without visitors. */
  conversionRate: number | null
  revenue: Money
}

export interface FunnelStepRow {
  step: string
  /** Units (visitors, or sessions with `unit=session`) that reached this step. */
  visitors: number
  conversionFromStart: number | null
  conversionFromPrevious: number | null
  /** Units lost since the previous step (0 for the first). */
  dropoff: number
  medianSecondsFromPrevious: number | null
}

export interface FunnelReport {
  from: string
  to: string
  unit: 'visitor' | 'session'
  mode: 'ordered' | 'strict'
  windowSeconds: number
  steps: FunnelStepRow[]
  /** Per value of the breakdown dimension of the entry; empty without `breakdown`. */
  breakdown: Record<string, FunnelStepRow[]>
}

/** Metrics shared by channel and campaign rows (DESIGN.md, "Campaign metrics"). */
export interface CampaignMetrics {
  sessions: number
  /** Credited by the chosen model; may be fractional. */
  conversions: number
  /** conversions / sessions; null without sessions. */
  conversionRate: number | null
  revenue: Money
  cost: Money
  impressions: number
  clicks: number
  ctr: number | null
  cpc: MoneyRatio
  cpa: MoneyRatio
  /** Revenue in the cost's currency / cost. */
  roas: MoneyRatio
  roi: MoneyRatio
}

export interface ChannelRow extends CampaignMetrics {
  channel: string
}

export interface CampaignRow extends CampaignMetrics {
  source: string
  medium: string
  campaign: string
}

export interface ChannelsReport {
  /** The segment the report answers for (absent: every session). */
  segment?: SegmentFilters
  /** Why cost, CPA and ROAS are missing under this segment. */
  spendNote?: string
  from: string
  to: string
  model: AttributionModel
  rows: ChannelRow[]
}

export interface CampaignsReport {
  /** The segment the report answers for (absent: every session). */
  segment?: SegmentFilters
  /** Why cost, CPA and ROAS are missing under this segment. */
  spendNote?: string
  from: string
  to: string
  model: AttributionModel
  rows: CampaignRow[]
}

export interface AttributionRow {
  /** The dimension's value; for `campaign`, `source / medium / campaign`. */
  value: string
  conversions: number
  revenue: Money
  /** Only with `dimension=campaign`: the parts of `value`. */
  source?: string
  medium?: string
  campaign?: string
}

export interface AttributionReport {
  from: string
  to: string
  model: AttributionModel
  dimension: Dimension
  lookbackDays: number
  rows: AttributionRow[]
  /** data_driven only: each value's removal effect (0..1), before normalising into credit. */
  removalEffects?: Record<string, number>
}

export interface VariantRow {
  variant: string
  visitors: number
  conversions: number
  rate: number | null
  /** Against control; null for control itself or where undefined. */
  absoluteLift: number | null
  absoluteLiftCI: [number, number] | null
  relativeLift: number | null
  relativeLiftCI: [number, number] | null
  pValue: number | null
}

export interface ExperimentReport {
  experiment: string
  from: string
  to: string
  conversion: string | null
  control: string | null
  variants: VariantRow[]
  srm: {
    weights: Record<string, number>
    chiSquare: number | null
    pValue: number | null
    /** True when p < 0.001: the split differs from the planned weights, distrust the readout. */
    warning: boolean
  }
}
