/**
 * Report query strings → validated queries. Every parameter is checked with zod at the
 * edge; bad input answers 400 with one issue per parameter.
 */
import { z } from 'zod'
import { queryError, type QueryIssue as ErrorIssue } from './query-error.ts'
import { parseStep } from './steps.ts'
import { addDays, daysBetween, isCalendarDate } from './dates.ts'
import { parseSegment } from './segment.ts'
import { CREDIT_ROLLUP_LOOKBACK_MS } from '../store/report-types.ts'
import type {
  AttributionQuery, ChannelsQuery, DateRangeQuery, ExperimentQuery, FunnelQuery, FunnelStep,
} from './types.ts'

const DAY = 86_400_000
const MAX_RANGE_DAYS = 400
/** Reports cover the last 30 days, today included, when `from`/`to` are absent. */
const DEFAULT_DAYS = 30

export const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date')
  // A range ends at the start of the next day; 9999-12-31 has none a Date can hold
  // (found by test/fuzz: it answered 500). No report needs years outside these.
  .refine((d) => d >= '1970-01-01' && d <= '9998-12-31', 'must be between 1970-01-01 and 9998-12-31')
const name = z.string().min(1).max(200)
const model = z.enum(['first', 'last_non_direct', 'linear', 'position', 'time_decay', 'data_driven'])
const dimension = z.enum(['channel', 'source', 'medium', 'campaign'])

/** A duration like `7d`, `12h`, `30m` or `90s`, in ms, within [min, max]. */
function duration(min: number, max: number) {
  const units: Record<string, number> = { d: DAY, h: 3_600_000, m: 60_000, s: 1000 }
  return z.string().max(20).regex(/^\d{1,6}[dhms]$/, 'must be a number and a unit: 7d, 12h, 30m, 90s')
    .transform((s) => Number(s.slice(0, -1)) * units[s.slice(-1)])
    .refine((ms) => ms >= min && ms <= max, `must be between ${min / 1000}s and ${max / DAY}d`)
}

/** The first value of each key, so a repeated scalar parameter cannot smuggle in an array. */
export function single(params: URLSearchParams, keys: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const k of keys) out[k] = params.get(k) ?? undefined
  return out
}

function fail(error: z.ZodError): never {
  const issues: ErrorIssue[] = error.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }))
  throw queryError(`Invalid query: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues)
}

export function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input)
  if (!r.success) fail(r.error)
  return r.data
}

// The query parameters of each report as they are validated, exported so the OpenAPI
// description is generated from the very schemas that check requests.
export const rangeParams = z.object({ from: date.optional(), to: date.optional() })
export const funnelStepParams = z.object({
  step: z.array(z.string().min(3).max(300)).min(2, 'a funnel has at least 2 steps').max(10, 'a funnel has at most 10 steps'),
})
export const funnelOptionParams = z.object({
  window: duration(60_000, 90 * DAY).default(7 * DAY),
  mode: z.enum(['ordered', 'strict']).default('ordered'),
  unit: z.enum(['visitor', 'session']).default('visitor'),
  breakdown: z.union([
    z.enum(['channel', 'source', 'medium', 'campaign', 'device', 'browser', 'country', 'landing', 'visitor']),
    z.string().regex(/^experiment:.{1,200}$/, 'must be a dimension or experiment:<name>'),
  ]).optional(),
})
export const attributionOptionParams = z.object({
  model: model.default('last_non_direct'),
  conversion: name.optional(),
  lookback: duration(DAY, 90 * DAY).default(CREDIT_ROLLUP_LOOKBACK_MS),
})
export const dimensionParams = z.object({ dimension: dimension.default('channel') })
export const experimentParams = z.object({ conversion: name.optional(), weights: z.string().max(2000).optional() })

/** Resolves `from`/`to` with defaults relative to `today` and checks their order and span. */
export function dateRange(params: URLSearchParams, today: string): DateRangeQuery {
  const raw = parse(rangeParams, single(params, ['from', 'to']))
  const to = raw.to ?? today
  const from = raw.from ?? addDays(to, -(DEFAULT_DAYS - 1))
  const span = daysBetween(from, to)
  if (span < 0) throw queryError('`from` must not be after `to`', [{ path: 'from', message: 'after to' }])
  if (span >= MAX_RANGE_DAYS) throw queryError(`A report covers at most ${MAX_RANGE_DAYS} days`, [{ path: 'to', message: 'range too long' }])
  const segment = parseSegment(params)
  return segment ? { from, to, segment } : { from, to }
}

/**
 * `?from=2026-11-01&to=2026-11-30` (both optional: the last 30 days up to `today`).
 *
 * @example
 * parseSummaryQuery(new URLSearchParams('from=2026-11-01&to=2026-11-30'), '2026-11-24')
 * // { from: '2026-11-01', to: '2026-11-30' }
 */
export function parseSummaryQuery(params: URLSearchParams, today: string): DateRangeQuery {
  return dateRange(params, today)
}

/**
 * Funnel parameters: 2–10 `step`s, `window` (default 7d, up to 90d), `mode`, `unit`,
 * `breakdown` (a dimension, or `experiment:<name>` for the entry's variant).
 *
 * @example
 * parseFunnelQuery(new URLSearchParams('step=pageview:/pricing&step=conversion:purchase&window=2d'), '2026-11-24')
 */
export function parseFunnelQuery(params: URLSearchParams, today: string): FunnelQuery {
  const range = dateRange(params, today)
  const labels = parse(funnelStepParams, { step: params.getAll('step') }).step
  const steps: FunnelStep[] = []
  const issues: ErrorIssue[] = []
  labels.forEach((label, i) => {
    const s = parseStep(label)
    if (typeof s === 'string') issues.push({ path: `step.${i}`, message: s })
    else steps.push(s)
  })
  if (issues.length) throw queryError(issues.map((i) => i.message).join('; '), issues)
  const opts = parse(funnelOptionParams, single(params, ['window', 'mode', 'unit', 'breakdown']))
  const isExperiment = opts.breakdown?.startsWith('experiment:') ?? false
  return {
    ...range, steps, windowMs: opts.window, mode: opts.mode, unit: opts.unit,
    breakdown: isExperiment ? 'experiment' : (opts.breakdown as FunnelQuery['breakdown']) ?? null,
    experiment: isExperiment ? opts.breakdown!.slice('experiment:'.length) : null,
  }
}

/**
 * Channels and campaigns: the date range, `model` (default last_non_direct), `conversion`
 * (a conversion name; default every conversion) and `lookback` (default 30d, max 90d).
 *
 * @example
 * parseChannelsQuery(new URLSearchParams('model=linear'), '2026-11-24').model // 'linear'
 */
export function parseChannelsQuery(params: URLSearchParams, today: string): ChannelsQuery {
  const range = dateRange(params, today)
  const o = parse(attributionOptionParams, single(params, ['model', 'conversion', 'lookback']))
  return { ...range, model: o.model, conversion: o.conversion ?? null, lookbackMs: o.lookback }
}

/** Same parameters as channels. */
export const parseCampaignsQuery = parseChannelsQuery

/**
 * Attribution: the channels parameters plus `dimension` (default channel).
 *
 * @example
 * parseAttributionQuery(new URLSearchParams('conversion=purchase&model=position&dimension=campaign'), '2026-11-24')
 */
export function parseAttributionQuery(params: URLSearchParams, today: string): AttributionQuery {
  const base = parseChannelsQuery(params, today)
  const o = parse(dimensionParams, single(params, ['dimension']))
  return { ...base, dimension: o.dimension }
}

/**
 * Experiment readout: the date range, `conversion` and `weights`, either `50,50` (in the
 * variants' alphabetical order) or `control:50,b:50`.
 *
 * @example
 * parseExperimentQuery(new URLSearchParams('conversion=purchase&weights=control:50,b:50'), '2026-11-24').weights
 * // { control: 50, b: 50 }
 */
export function parseExperimentQuery(params: URLSearchParams, today: string): ExperimentQuery {
  const range = dateRange(params, today)
  const o = parse(experimentParams, single(params, ['conversion', 'weights']))
  return { ...range, conversion: o.conversion ?? null, weights: o.weights ? parseWeights(o.weights) : null }
}

function parseWeights(s: string): Record<string, number> | number[] {
  const parts = s.split(',')
  const positive = z.coerce.number().positive().finite()
  const bad = () => queryError('weights must be numbers like 50,50 or pairs like control:50,b:50', [{ path: 'weights', message: 'invalid' }])
  if (parts.every((p) => p.includes(':'))) {
    const out: Record<string, number> = {}
    for (const p of parts) {
      const i = p.lastIndexOf(':')
      const w = positive.safeParse(p.slice(i + 1))
      if (!w.success || i === 0) throw bad()
      out[p.slice(0, i)] = w.data
    }
    return out
  }
  const nums = parts.map((p) => positive.safeParse(p))
  if (nums.some((n) => !n.success) || nums.length < 2) throw bad()
  return nums.map((n) => n.data as number)
}
