import { describe, expect, it } from 'vitest'
import type { ExperimentReport, FunnelStepRow } from '../reports/types.ts'
import { blendedRoas, breakdownRows, consentRows, experimentVerdict, funnelBars, healthVerdict, hourBars, stepLabel, stepSuggestions } from './view-model.ts'

const catalog = { conversions: ['lead', 'purchase'], experiments: ['checkout_button'], events: ['cta_click'], paths: ['/', '/pricing'] }
const TODAY = '2026-11-24'

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
