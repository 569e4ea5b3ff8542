/**
 * Report queries the stores answer. Owned by the reports work (issue 4). Kept apart from
 * the ingest interface so the two can change independently.
 *
 * Stores do SQL and grouping only; the maths (funnel matching, credit splitting,
 * statistics) lives in pure modules under `collector/src/reports/` that the service runs
 * over what the stores hand it. Scans call a *synchronous* callback per group while the
 * cursor is open, so nothing is loaded whole and no other query can interleave with an
 * open cursor.
 */
import type { EventType, Props, RuleModel } from '../model.ts'
import type { HealthQueries } from './health-types.ts'
import type { AdsStore } from './ads-types.ts'

/** A half-open time interval in ms since the epoch: `start <= ts < end`. */
export interface TimeRange {
  start: number
  end: number
}

/** Raw totals of the summary report. Bot rows are never counted. */
export interface SummaryCounts {
  visitors: number
  sessions: number
  pageviews: number
  conversions: number
  /** Distinct visitors with at least one conversion in the range. */
  convertingVisitors: number
  /** Sum of conversion values per currency (null: the event named none; the site's currency applies). */
  revenue: { currency: string | null; amount: number }[]
}

/** Where a session came from: its entry's channel, campaign parameters, click id and referrer. */
export interface TouchAttrs {
  channel: string
  source: string | null
  medium: string | null
  campaign: string | null
  clickIdType: string | null
  referrerHost: string | null
}

/** The attributes of a session that reports group by; null where unknown. */
export interface SessionAttrs extends TouchAttrs {
  device: string | null
  browser: string | null
  country: string | null
  /** The path of the session's first pageview. */
  landingPath?: string | null
  /** Whether this is the visitor's first session ever. */
  firstSession?: boolean
}

/** Session columns a segment can test. */
export type SegmentColumn =
  | 'channel' | 'source' | 'medium' | 'campaign' | 'click_id_type' | 'referrer_host'
  | 'device' | 'browser' | 'country' | 'landing_path'

/**
 * Which sessions a segment keeps, as a condition on a session row that each store turns
 * into SQL (`segment-sql.ts`). The reports decide what a filter means (`reports/segment.ts`);
 * the store only translates. A column test never matches NULL unless it asks `isNull`.
 */
export type SegmentCond =
  | { all: SegmentCond[] }
  | { any: SegmentCond[] }
  | { not: SegmentCond }
  | { col: SegmentColumn; eq: string }
  | { col: SegmentColumn; in: string[] }
  | { col: SegmentColumn; isNull: true }
  /** Path glob: `*` within a segment, `**` across. */
  | { col: SegmentColumn; glob: string }
  /** The visitor has no earlier session (true) or has one (false). */
  | { firstSession: boolean }
  /** The visitor's first exposure to the experiment, at or before the session's last event, showed this variant. */
  | { experiment: string; variant: string }

/** Which stored events a funnel step can match; the exact test happens in `reports/steps.ts`. */
export interface StepFilter {
  type: EventType
  /** Event name; for pageview steps null (pageviews match by path). */
  name: string | null
  /** Path glob of a pageview step (`*` within a segment, `**` across). */
  pathGlob: string | null
  /** Whether a step with this filter tests properties (its events need `props` read). */
  needsProps?: boolean
}

export interface FunnelScan {
  /** Only sessions matching this, and events in them, count (null or absent: all). */
  segment?: SegmentCond | null
  /** Events from `range.start` to `range.end + windowMs` (inclusive) are read; entries are judged by the caller. */
  range: TimeRange
  windowMs: number
  steps: StepFilter[]
  /** Strict mode: every event of the unit counts (a store may pass only matching ones with `next` set). */
  allEvents: boolean
  unit: 'visitor' | 'session'
  /** Read event props (only when a step filters on them; per filter see `needsProps`). */
  withProps: boolean
  /** Give each event its session's attributes (for breakdowns); stores may resolve them on first read. */
  withEntry: boolean
  /** Give each event its visitor's first exposure variant of this experiment. */
  experiment: string | null
  /** Only the visitors of this share (report workers splitting one funnel); absent or null: all. */
  share?: VisitorShare | null
  /**
   * Whether an event of this key with these properties can fill any step, the steps'
   * property filters included: in ordered mode a store may leave out the events that
   * cannot (they change no attempt). Absent or null: not asked.
   */
  propsFit?: ((key: FunnelKey, props: Props | null) => boolean) | null
}

/**
 * A share of a site's visitors, for report workers that split one funnel between them:
 * visitor number v is in share `(v >>> bits) % of`. Blocks of 2^bits numbers (numbered as
 * first seen) spread every era of a site's visitors over the shares, and each visitor is in
 * exactly one share whatever each worker reads.
 */
export interface VisitorShare {
  part: number
  of: number
  /** 0 to 31 (the share is worked out in 32-bit integers). */
  bits: number
}

/** One event of a unit's time-ordered sequence, as funnels see it. */
export interface FunnelEvent {
  /** Arrival order breaks ties between equal timestamps. */
  seq: number
  ts: number
  type: EventType
  name: string
  path: string | null
  props: Props | null
  /**
   * Strict mode: the `seq` of the unit's next stored event of any type (null: none), when
   * the store hands over only the events a step can match. Absent: the sequence is complete.
   */
  next?: number | null
  entry?: SessionAttrs & { variant: string | null }
}

/** The key a funnel column row carries: what a step without property filters tests. */
export interface FunnelKey {
  type: EventType
  /** The event name; '' for pageviews (steps match those by path). */
  name: string
  /** The path of a pageview; '' for other events. */
  path: string
}

/**
 * The events that may fill funnel steps as columns, grouped by unit and ordered by time
 * then arrival within each: unit `u` holds events `unitStart[u]` up to `unitStart[u + 1]`.
 */
export interface FunnelColumns {
  /** The keys the events refer to by index (`key[i]`). A glob's keys may include some it does not match. */
  keys: FunnelKey[]
  ts: Float64Array
  key: Uint32Array
  unitStart: Uint32Array
  /** Event `i`'s session attributes and its visitor's first exposure variant (read on demand, for breakdowns). */
  entry(i: number): SessionAttrs & { variant: string | null }
  /** A number for event `i`'s entry, equal for two events exactly when `entry` gives them the same object (a breakdown's key, without the object). */
  entryId(i: number): number
  /** Event `i`'s properties, read on demand (for steps with property filters; null: none). */
  props(i: number): Props | null
  /**
   * Strict mode: whether event `j` is the very next stored event of event `i`'s unit, of
   * any type (in a segment: in its sessions), read on demand.
   */
  follows(i: number, j: number): boolean
}

export interface AttributionScan {
  /** Only sessions matching this, and events in them, count (null or absent: all). */
  segment?: SegmentCond | null
  /** Conversions inside this range are credited. */
  range: TimeRange
  lookbackMs: number
  /** Conversion event name, or null for every conversion. */
  conversion: string | null
  /** Only these visitors' sessions and conversions (report workers splitting data-driven attribution); null or absent: all. Conversions without a visitor are in part 0. */
  share?: VisitorShare | null
}

/** A session that can take credit: it carries a campaign, a click id or a referral. */
export interface TouchSession extends TouchAttrs {
  started: number
}

/**
 * The journeys scan's visitors as columns (`ReportStore.journeyColumns`): visitor v's
 * sessions are `sessionStart[v]` to `sessionStart[v + 1]` and its conversions `convStart[v]`
 * to `convStart[v + 1]`, each in time order; a conversion without a visitor is a visitor of
 * its own. Sessions carry their entry attributes as a label (`touch`), conversions their
 * currency as one (`currency`; value NaN: none).
 */
export interface JourneyColumns {
  visitors: number
  sessionStart: Uint32Array
  started: Float64Array
  label: Uint32Array
  convStart: Uint32Array
  convTs: Float64Array
  convValue: Float64Array
  convCurrency: Uint32Array
  touch(label: number): TouchAttrs
  currency(label: number): string | null
}

export interface ConversionRow {
  ts: number
  value: number | null
  currency: string | null
}

/** The reports' default lookback (30 days), which the credit rollups are kept for. */
export const CREDIT_ROLLUP_LOOKBACK_MS = 30 * 86_400_000

export interface CreditTotalsScan {
  range: TimeRange
  models: readonly RuleModel[]
  /** Conversion event name, or null for every conversion. */
  conversion: string | null
}

/**
 * One model's credit to one touch (null: conversions without a touch in the lookback) and
 * one revenue currency, summed over a range in whole units (see `CreditLedger`).
 * `currency`: undefined when the conversions had no value; null when they named no currency.
 */
export interface CreditTotal {
  model: RuleModel
  touch: TouchAttrs | null
  currency: string | null | undefined
  /** Conversions, in billionths. */
  units: number
  /** Revenue, in millionths of `currency`. */
  micros: number
}

/** Sessions started in a range, counted per distinct set of attributes. */
export interface SessionGroup extends TouchAttrs {
  sessions: number
}

/** Stored spend: one row per date, source, medium and campaign. */
export interface SpendRow {
  /** YYYY-MM-DD in the site's timezone. */
  date: string
  source: string
  medium: string
  campaign: string
  cost: number
  impressions: number
  clicks: number
  currency: string
  /** The ad platform's id of the campaign, when the file had one: sessions whose utm_id or campaign equals it match. */
  campaignId?: string | null
}

export interface SpendTotal {
  source: string
  medium: string
  campaign: string
  /** One of the campaign's ids in the range (they rarely differ), or null. */
  campaignId: string | null
  currency: string
  cost: number
  impressions: number
  clicks: number
}

/** Which spend rows to list or delete; absent fields match everything. Dates are inclusive. */
export interface SpendFilter {
  from?: string
  to?: string
  source?: string
  medium?: string
  campaign?: string
}

/** A campaign id seen on tracked traffic (utm_id), with the attributes of the session it arrived with. */
export interface CampaignIdTouch extends TouchAttrs {
  utmId: string
}

export interface ConversionClickScan {
  range: TimeRange
  /** Conversion event name, or null for every conversion. */
  conversion: string | null
  /** Click id parameters of one platform, e.g. gclid, gbraid, wbraid. */
  clickIdTypes: string[]
  lookbackMs: number
  /** Consent bits both the conversion and the click must carry (ads consent). */
  consentMask: number
}

/** A conversion and the last click of one platform before it within the lookback. */
export interface ConversionClick {
  /** The conversion event's id (the browser event's id, so platforms can deduplicate). */
  id: string
  name: string
  ts: number
  value: number | null
  currency: string | null
  orderId: string | null
  url: string | null
  clickIdType: string
  clickId: string
  clickTs: number
  /** The landing page of the click. */
  clickUrl: string | null
  /** Enhanced conversions: the user's hashed email and phone, when the conversion named them with ads consent. */
  emailSha256?: string | null
  phoneSha256?: string | null
  phoneDigitsSha256?: string | null
}

/** What a budget covers: a channel, or a source with an optional medium and campaign (null: any). */
export interface BudgetScope {
  channel: string | null
  source: string | null
  medium: string | null
  campaign: string | null
}

/** A monthly budget; one per site, month and scope. */
export interface Budget extends BudgetScope {
  /** YYYY-MM. */
  month: string
  amount: number
  currency: string
  targetCpa: number | null
  targetRoas: number | null
}

/** Length of the time slots activity is counted in: every timezone offset is a whole number of them. */
export const SLOT_MS = 15 * 60_000

/**
 * Sessions started and conversions per 15-minute UTC slot (`slot`: its start, ms), for
 * trends. Money comes in whole millionths (micros), summed exactly as integers, so the
 * trend's sums do not depend on how rows are grouped or ordered in either store.
 */
export interface Activity {
  sessions: { slot: number; n: number }[]
  /** Per slot and currency (null: the event named none): conversion events and the sum of their values in micros. */
  conversions: { slot: number; currency: string | null; n: number; micros: number }[]
}

/** Imported spend summed per date and currency, in micros. */
export interface DailySpend {
  date: string
  currency: string
  micros: number
}

export interface ExperimentScan {
  /** Only sessions matching this, and events in them, count (null or absent: all). */
  segment?: SegmentCond | null
  experiment: string
  range: TimeRange
  /** Conversion event name, or null for every conversion. */
  conversion: string | null
}

/** Per variant: visitors whose first exposure fell in the range, and those of them who converted after it. */
export interface VariantCounts {
  variant: string
  visitors: number
  converters: number
}

export interface ReportStore {
  /** The tracking-health queries (events per hour, last arrival, consent shares, names). */
  readonly health: HealthQueries
  /** Rejected events per reason code since `since`. */
  quarantineCounts(site: string, since: number): Promise<Record<string, number>>
  /** Ad platform destinations and the conversions outbox. */
  readonly ads: AdsStore
  summary(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SummaryCounts>
  /** Distinct referrer hosts of the site's sessions, for segments by source or medium (few: one index seek each). */
  referrerHosts(site: string): Promise<string[]>
  /**
   * Streams the events that may fill funnel steps, grouped by unit (visitor or session)
   * and ordered by time then arrival; `onUnit` runs synchronously per unit.
   */
  scanFunnel(site: string, q: FunnelScan, onUnit: (events: FunnelEvent[]) => void): Promise<void>
  /**
   * Optional: the same events as `scanFunnel` as columns, handed to `use` while they are
   * read (lookups on demand see the same moment); answers false, without calling `use`,
   * when it cannot answer that way (SQLite: most of the range still waiting to be built).
   */
  funnelColumns?(site: string, q: FunnelScan, use: (cols: FunnelColumns) => void): Promise<boolean>
  /**
   * Streams, per visitor with a conversion in the range, that visitor's touch sessions
   * (started within the lookback before the range's end) and conversions, both time-ordered.
   */
  scanAttribution(site: string, q: AttributionScan, onVisitor: (touches: TouchSession[], conversions: ConversionRow[]) => void): Promise<void>
  /**
   * Streams, per visitor with a session started in the range or a conversion in it, all
   * that visitor's sessions (Direct too; from the range start minus the lookback for
   * visitors who convert in the range, from the range start for the others) and their
   * conversions in the range, both time-ordered. Data-driven attribution needs the paths
   * that did not convert as much as those that did.
   */
  scanJourneys(site: string, q: AttributionScan, onVisitor: (sessions: TouchSession[], conversions: ConversionRow[]) => void): Promise<void>
  /**
   * The journeys scan as columns, handed to `use` (which must not keep them); answers false
   * (`use` not called) where the store keeps no columns or they cannot answer yet: then
   * `scanJourneys` answers. Saves an object per session for data-driven attribution.
   */
  journeyColumns?(site: string, q: AttributionScan, use: (j: JourneyColumns) => void): Promise<boolean>
  /**
   * The attribution scan (`scanAttribution`: converting visitors, their non-Direct sessions
   * from the lookback start) as columns, handed to `use` as `journeyColumns` does; false
   * where the store cannot answer so (then `scanAttribution` answers).
   */
  attributionColumns?(site: string, q: AttributionScan, use: (j: JourneyColumns) => void): Promise<boolean>
  sessionGroups(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SessionGroup[]>
  /**
   * Optional: credit already summed per touch by derivation (`rollup_credit`), for an
   * unsegmented range of whole 15-minute slots and the default lookback
   * (`CREDIT_ROLLUP_LOOKBACK_MS`). Null when it cannot answer (a slot of the range is
   * waiting to be credited again, or the range is not slot-aligned): scan instead.
   */
  creditTotals?(site: string, q: CreditTotalsScan): Promise<CreditTotal[] | null>
  /** Spend between two dates (YYYY-MM-DD, both inclusive), summed per source, medium, campaign and currency. */
  spendTotals(site: string, fromDate: string, toDate: string): Promise<SpendTotal[]>
  /** Inserts or replaces rows by (date, source, medium, campaign), in one transaction; answers the rows written. */
  upsertSpend(site: string, rows: SpendRow[]): Promise<number>
  /** Stored spend rows matching a filter, by date, source, medium, campaign; at most `limit`. */
  listSpend(site: string, filter: SpendFilter, limit: number): Promise<SpendRow[]>
  /** Deletes the spend rows matching a filter; answers how many. */
  deleteSpend(site: string, filter: SpendFilter): Promise<number>
  /** Distinct utm_id values on non-bot events in a range, with their session attributes. */
  campaignIds(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<CampaignIdTouch[]>
  /**
   * Conversions in a range whose visitor clicked an ad of one platform within the
   * lookback before them, with that last click; time-ordered.
   */
  conversionClicks(site: string, q: ConversionClickScan): Promise<ConversionClick[]>
  experiment(site: string, q: ExperimentScan): Promise<VariantCounts[]>
  /** Sessions and conversions (named `conversion`, or all) per slot in the range, by slot. */
  activity(site: string, range: TimeRange, conversion: string | null, segment?: SegmentCond | null): Promise<Activity>
  /** Spend between two dates (YYYY-MM-DD, both inclusive) per date and currency, by date. */
  spendByDate(site: string, fromDate: string, toDate: string): Promise<DailySpend[]>
  /** Budgets of one month (or all), ordered by month and scope. */
  budgets(site: string, month: string | null): Promise<Budget[]>
  /** Inserts or replaces budgets by (month, scope), in one transaction; answers the rows written. */
  upsertBudgets(site: string, budgets: Budget[]): Promise<number>
  /** Deletes one month's budgets, or the one with `scope`; answers how many went. */
  deleteBudgets(site: string, month: string, scope: BudgetScope | null): Promise<number>
}
