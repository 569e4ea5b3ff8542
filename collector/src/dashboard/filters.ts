/**
 * The dashboard's filters: read from its query string with safe fallbacks, written back
 * into links and forms, and turned into the report API's CSV links.
 */
import { addDays, daysBetween } from '../reports/dates.ts'
import type { AttributionModel } from '../reports/types.ts'

export const MODELS: { id: AttributionModel; label: string }[] = [
  { id: 'last_non_direct', label: 'Last non-direct' },
  { id: 'first', label: 'First touch' },
  { id: 'linear', label: 'Linear' },
  { id: 'position', label: 'Position-based' },
  { id: 'time_decay', label: 'Time decay' },
  { id: 'data_driven', label: 'Data-driven' },
]

/** Landing → pricing → lead → purchase: the demo shop's funnel and a common shape elsewhere. */
export const DEFAULT_STEPS = ['pageview:/**', 'pageview:/pricing', 'conversion:lead', 'conversion:purchase']
export const MAX_STEPS = 6

export interface Filters {
  from: string
  to: string
  model: AttributionModel
  /** Conversion name the campaign metrics count; null for every conversion. */
  conversion: string | null
  steps: string[]
  experiment: string | null
  /**
   * The experiment's planned split as the API takes it (`control:60,b:40` or `60,40`), so
   * the sample-ratio check tests the plan, not an equal split; null for equal weights.
   */
  weights: string | null
  /** Funnel breakdown: a dimension of the entry, `variant` (of the chosen experiment) or null. */
  breakdown: Breakdown | null
  /**
   * Segment filters as given (`device=mobile`, …), in order. Every report checks them;
   * a bad one fails each section with its message instead of the page.
   */
  segment: [string, string][]
}

/** The segment parameters every report takes, and how the dashboard names them. */
export const SEGMENT_LABELS: Record<string, string> = {
  channel: 'Channel', source: 'Source', medium: 'Medium', campaign: 'Campaign', device: 'Device', browser: 'Browser',
  country: 'Country', landing: 'Landing page', visitor: 'Visitors', variant: 'Variant',
}
const MAX_SEGMENT_PARAMS = 40

export const BREAKDOWNS = [
  { id: 'channel', label: 'Channel' }, { id: 'source', label: 'Source' }, { id: 'campaign', label: 'Campaign' },
  { id: 'device', label: 'Device' }, { id: 'browser', label: 'Browser' }, { id: 'country', label: 'Country' },
  { id: 'landing', label: 'Landing page' }, { id: 'visitor', label: 'New vs returning' },
  { id: 'variant', label: 'Experiment variant' },
] as const
export type Breakdown = (typeof BREAKDOWNS)[number]['id']

/** The funnel API's `breakdown` parameter for a dashboard breakdown, or null. */
export function funnelBreakdownParam(f: Filters): string | null {
  if (!f.breakdown) return null
  if (f.breakdown === 'variant') return f.experiment ? `experiment:${f.experiment}` : null
  return f.breakdown
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const isDate = (s: string | null): s is string => !!s && DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))

/**
 * Reads the dashboard's filters from its query string, falling back to sensible defaults
 * (last 28 days, last non-direct, purchases when the site has them) instead of failing.
 *
 * @example
 * readFilters(new URLSearchParams('model=linear'), '2026-11-24', { conversions: ['purchase'], experiments: [] })
 * // { from: '2026-10-28', to: '2026-11-24', model: 'linear', conversion: 'purchase', steps: DEFAULT_STEPS, experiment: null, weights: null, breakdown: null }
 */
export function readFilters(params: URLSearchParams, today: string, catalog: { conversions: string[]; experiments: string[] }): Filters {
  let to = isDate(params.get('to')) ? params.get('to')! : today
  let from = isDate(params.get('from')) ? params.get('from')! : addDays(to, -27)
  if (daysBetween(from, to) < 0) [from, to] = [to, from]
  if (daysBetween(from, to) > 365) from = addDays(to, -365)
  const model = MODELS.find((m) => m.id === params.get('model'))?.id ?? 'last_non_direct'
  const conv = params.get('conversion')
  const conversion = conv === 'all' ? null
    : conv && conv.length <= 200 ? conv
    : catalog.conversions.includes('purchase') ? 'purchase' : null
  const steps = params.getAll('step').map((s) => s.trim()).filter((s) => s.length > 0 && s.length <= 300).slice(0, MAX_STEPS)
  const exp = params.get('experiment')
  const experiment = exp && exp.length <= 200 ? exp : catalog.experiments[0] ?? null
  const breakdown = BREAKDOWNS.find((b) => b.id === params.get('breakdown'))?.id ?? null
  // Checked by the experiment query itself: a bad value fails only the experiment card.
  const w = params.get('weights')?.replace(/\s+/g, '')
  const weights = w && w.length <= 200 ? w : null
  const segment = [...params.entries()]
    .filter(([k, v]) => k in SEGMENT_LABELS && v.trim() !== '' && v.length <= 401)
    .map(([k, v]): [string, string] => [k, v.trim()])
    .filter(([k, v], i, all) => all.findIndex(([k2, v2]) => k2 === k && v2 === v) === i)
    .slice(0, MAX_SEGMENT_PARAMS)
  return { from, to, model, conversion, steps: steps.length >= 2 ? steps : DEFAULT_STEPS, experiment, weights, breakdown, segment }
}

/** The filters as query parameters (only what differs from nothing), with overrides. */
export function filterParams(f: Filters, override: Partial<Filters> = {}): URLSearchParams {
  const g = { ...f, ...override }
  const p = new URLSearchParams({ from: g.from, to: g.to, model: g.model, conversion: g.conversion ?? 'all' })
  for (const s of g.steps) p.append('step', s)
  if (g.experiment) p.set('experiment', g.experiment)
  if (g.weights) p.set('weights', g.weights)
  if (g.breakdown) p.set('breakdown', g.breakdown)
  for (const [k, v] of g.segment) p.append(k, v)
  return p
}

/** Date presets ending today, as dashboard links. */
export function presets(site: string, f: Filters, today: string): { label: string; href: string; active: boolean }[] {
  return [7, 28, 90].map((days) => {
    const from = addDays(today, -(days - 1))
    return { label: `${days} days`, href: `/dashboard/${encodeURIComponent(site)}?${filterParams(f, { from, to: today })}`, active: f.from === from && f.to === today }
  })
}

/** CSV exports of the reports API, with the same range and model as the page. */
export function csvLinks(site: string, f: Filters): { label: string; href: string }[] {
  const base = `/api/sites/${encodeURIComponent(site)}`
  const range = { from: f.from, to: f.to, format: 'csv' }
  const conv: Record<string, string> = f.conversion ? { conversion: f.conversion } : {}
  const q = (extra: Record<string, string>) => {
    const p = new URLSearchParams({ ...range, ...extra })
    for (const [k, v] of f.segment) p.append(k, v)
    return p.toString()
  }
  const funnel = new URLSearchParams(q({}))
  for (const s of f.steps) funnel.append('step', s)
  const breakdown = funnelBreakdownParam(f)
  if (breakdown) funnel.set('breakdown', breakdown)
  const links = [
    { label: 'Summary', href: `${base}/summary?${q({})}` },
    { label: 'Funnel', href: `${base}/funnel?${funnel}` },
    { label: 'Channels', href: `${base}/channels?${q({ model: f.model, ...conv })}` },
    { label: 'Campaigns', href: `${base}/campaigns?${q({ model: f.model, ...conv })}` },
    { label: 'Attribution', href: `${base}/attribution?${q({ model: f.model, dimension: 'channel', ...conv })}` },
    { label: 'Trends', href: `${base}/timeseries?${q(conv)}` },
  ]
  if (f.experiment) links.push({ label: 'Experiment', href: `${base}/experiments/${encodeURIComponent(f.experiment)}?${q({ ...conv, ...(f.weights ? { weights: f.weights } : {}) })}` })
  return links
}
