import { describe, expect, it } from 'vitest'
import type { ExperimentReport, FunnelStepRow } from '../reports/types.ts'
import {
  blendedRoas, breakdownRows, funnelBreakdownParam, stepSuggestions, consentRows, csvLinks, DEFAULT_STEPS, experimentVerdict, filterParams, funnelBars, healthVerdict, hourBars, presets, readFilters, stepLabel,
} from './view-model.ts'

const catalog = { conversions: ['lead', 'purchase'], experiments: ['checkout_button'], events: ['cta_click'], paths: ['/', '/pricing'] }
const TODAY = '2026-11-24'

describe('readFilters', () => {
  it('defaults to the last 28 days, last non-direct, purchases and the first experiment', () => {
    expect(readFilters(new URLSearchParams(), TODAY, catalog)).toEqual({
      from: '2026-10-28', to: TODAY, model: 'last_non_direct', conversion: 'purchase', steps: DEFAULT_STEPS, experiment: 'checkout_button', breakdown: null,
    })
  })

  it('falls back instead of failing on nonsense, and swaps a reversed range', () => {
    const f = readFilters(new URLSearchParams('from=2026-11-20&to=2026-11-01&model=magic&step=only-one'), TODAY, { conversions: [], experiments: [] })
    expect(f).toMatchObject({ from: '2026-11-01', to: '2026-11-20', model: 'last_non_direct', conversion: null, steps: DEFAULT_STEPS, experiment: null })
    expect(readFilters(new URLSearchParams('from=yesterday'), TODAY, catalog).from).toBe('2026-10-28')
  })

  it('keeps chosen steps (blank inputs dropped) and "all conversions"', () => {
    const f = readFilters(new URLSearchParams('step=pageview:/a&step=&step=conversion:x&conversion=all'), TODAY, catalog)
    expect(f.steps).toEqual(['pageview:/a', 'conversion:x'])
    expect(f.conversion).toBeNull()
  })

  it('round-trips through filterParams', () => {
    const f = readFilters(new URLSearchParams('model=linear&step=pageview:/a&step=conversion:x&experiment=e&breakdown=device'), TODAY, catalog)
    expect(readFilters(filterParams(f), TODAY, catalog)).toEqual(f)
  })
})

describe('links', () => {
  const f = readFilters(new URLSearchParams('model=position'), TODAY, catalog)
  it('date presets keep the other filters and mark the active one', () => {
    const p = presets('demo', f, TODAY)
    expect(p.map((x) => [x.label, x.active])).toEqual([['7 days', false], ['28 days', true], ['90 days', false]])
    expect(p[0].href).toContain('from=2026-11-18')
    expect(p[0].href).toContain('model=position')
  })
  it('CSV links point at the report API with the page filters and never a token', () => {
    const links = csvLinks('demo', f)
    expect(links.map((l) => l.label)).toEqual(['Summary', 'Funnel', 'Channels', 'Campaigns', 'Attribution', 'Experiment'])
    const campaigns = new URL(links[3].href, 'http://x')
    expect(campaigns.pathname).toBe('/api/sites/demo/campaigns')
    expect(Object.fromEntries(campaigns.searchParams)).toEqual({ from: '2026-10-28', to: TODAY, format: 'csv', model: 'position', conversion: 'purchase' })
    expect(new URL(links[1].href, 'http://x').searchParams.getAll('step')).toEqual(DEFAULT_STEPS)
    expect(links[5].href).toContain('/experiments/checkout_button?')
  })
})

describe('funnelBars', () => {
  const row = (step: string, visitors: number, fromStart: number | null): FunnelStepRow => ({
    step, visitors, conversionFromStart: fromStart, conversionFromPrevious: null, dropoff: 0, medianSecondsFromPrevious: null,
  })
  it('scales to the first step and shows what leaked since the previous one', () => {
    const bars = funnelBars([row('pageview:/**', 200, 1), row('pageview:/pricing', 80, 0.4), row('conversion:purchase', 20, 0.1)])
    expect(bars.map((b) => [b.label, b.height, b.lostHeight])).toEqual([
      ['Any page', 1, 0], ['Viewed /pricing', 0.4, 0.6], ['Converted: purchase', 0.1, 0.3],
    ])
  })
  it('draws an empty funnel without dividing by zero', () => {
    expect(funnelBars([row('a:b', 0, null), row('c:d', 0, null)]).map((b) => b.height)).toEqual([0, 0])
  })
  it('labels steps in words', () => {
    expect(stepLabel('event:cta_click?plan=pro')).toBe('Did cta_click?plan=pro')
    expect(stepLabel('exposure:checkout_button')).toBe('Saw experiment checkout_button')
  })
})

it('suggests funnel steps from the pages, events and conversions the site records', () => {
  expect(stepSuggestions(catalog)).toEqual(['pageview:/**', 'pageview:/', 'pageview:/pricing', 'event:cta_click', 'conversion:lead', 'conversion:purchase'])
})

describe('funnel breakdown', () => {
  const step = (visitors: number): FunnelStepRow => ({ step: 's', visitors, conversionFromStart: null, conversionFromPrevious: null, dropoff: 0, medianSecondsFromPrevious: null })
  it('maps the variant breakdown to the chosen experiment and ignores unknown ones', () => {
    expect(funnelBreakdownParam(readFilters(new URLSearchParams('breakdown=variant'), TODAY, catalog))).toBe('experiment:checkout_button')
    expect(funnelBreakdownParam(readFilters(new URLSearchParams('breakdown=channel'), TODAY, catalog))).toBe('channel')
    expect(readFilters(new URLSearchParams('breakdown=password'), TODAY, catalog).breakdown).toBeNull()
  })
  it('lists values biggest first with their end-to-end conversion', () => {
    expect(breakdownRows({ Email: [step(10), step(5)], 'Paid Search': [step(40), step(4)], Direct: [step(0), step(0)] })).toEqual([
      { value: 'Paid Search', counts: [40, 4], rate: 0.1 },
      { value: 'Email', counts: [10, 5], rate: 0.5 },
      { value: 'Direct', counts: [0, 0], rate: null },
    ])
  })
})

describe('tracking health', () => {
  const HOUR = 3_600_000
  const now = Date.parse('2026-11-24T12:30:00Z')
  const hours = (n: number) => Array.from({ length: 24 }, (_, i) => ({ hour: now - (23 - i) * HOUR, events: n }))

  it('is fine when events arrive and almost none are rejected', () => {
    expect(healthVerdict({ hourly: hours(10), lastReceived: now - 60_000, rejected: [{ day: 1 }] }, now).level).toBe('ok')
  })
  it('warns when more than 5% of events are rejected', () => {
    const v = healthVerdict({ hourly: hours(1), lastReceived: now, rejected: [{ day: 5 }] }, now)
    expect(v).toMatchObject({ level: 'warn' })
    expect(v.message).toContain('5 events were rejected')
  })
  it('alarms when nothing arrived for hours, or ever', () => {
    expect(healthVerdict({ hourly: hours(0), lastReceived: now - 8 * HOUR, rejected: [] }, now)).toMatchObject({ level: 'bad', message: expect.stringContaining('8 hours') })
    expect(healthVerdict({ hourly: hours(0), lastReceived: null, rejected: [] }, now).level).toBe('bad')
  })
  it('hour bars are scaled to the busiest hour and labelled in UTC', () => {
    const bars = hourBars([{ hour: Date.parse('2026-11-24T09:00:00Z'), events: 5 }, { hour: Date.parse('2026-11-24T10:00:00Z'), events: 10 }])
    expect(bars.map((b) => [b.label, b.height])).toEqual([['09:00', 0.5], ['10:00', 1]])
  })
  it('consent rows name each state and give its share', () => {
    expect(consentRows([{ consent: 0, visitors: 25 }, { consent: 3, visitors: 75 }])).toEqual([
      { key: 3, label: 'Analytics and ads', visitors: 75, share: 0.75 },
      { key: 0, label: 'No consent (anonymous)', visitors: 25, share: 0.25 },
    ])
  })
})

describe('experimentVerdict', () => {
  const base: ExperimentReport = {
    experiment: 'checkout_button', from: '2026-11-01', to: TODAY, conversion: 'purchase', control: 'control',
    variants: [
      { variant: 'control', visitors: 1000, conversions: 100, rate: 0.1, absoluteLift: null, absoluteLiftCI: null, relativeLift: null, relativeLiftCI: null, pValue: null },
      { variant: 'green', visitors: 1000, conversions: 130, rate: 0.13, absoluteLift: 0.03, absoluteLiftCI: [0.002, 0.058], relativeLift: 0.3, relativeLiftCI: [0.02, 0.58], pValue: 0.03 },
    ],
    srm: { weights: { control: 0.5, green: 0.5 }, chiSquare: 0, pValue: 1, warning: false },
  }
  it('names a significant winner with its lift and p-value', () => {
    expect(experimentVerdict(base)).toEqual({ level: 'win', message: 'green beats control: +30.0% conversion rate (p = 0.030, significant at 95%).' })
  })
  it('says to keep going when the difference is not significant', () => {
    const r = { ...base, variants: [base.variants[0], { ...base.variants[1], pValue: 0.4 }] }
    expect(experimentVerdict(r).level).toBe('flat')
  })
  it('puts a sample ratio mismatch above everything', () => {
    expect(experimentVerdict({ ...base, srm: { ...base.srm, warning: true } }).level).toBe('srm')
  })
  it('says so when nobody was exposed', () => {
    expect(experimentVerdict({ ...base, variants: [] }).level).toBe('empty')
  })
})

it('blended ROAS never mixes currencies', () => {
  expect(blendedRoas({ EUR: 300, USD: 50 }, { EUR: 100, USD: 0 })).toEqual({ EUR: 3, USD: null })
})
