import { describe, expect, it } from 'vitest'
import { csvLinks, DEFAULT_STEPS, filterParams, funnelBreakdownParam, presets, readFilters } from './filters.ts'

const catalog = { conversions: ['lead', 'purchase'], experiments: ['checkout_button'] }
const TODAY = '2026-11-24'

describe('readFilters', () => {
  it('defaults to the last 28 days, last non-direct, purchases and the first experiment', () => {
    expect(readFilters(new URLSearchParams(), TODAY, catalog)).toEqual({
      from: '2026-10-28', to: TODAY, model: 'last_non_direct', conversion: 'purchase', steps: DEFAULT_STEPS, experiment: 'checkout_button', weights: null, breakdown: null, segment: [],
    })
  })

  it('keeps segment filters once each, drops blank form fields, and carries them into links', () => {
    const f = readFilters(new URLSearchParams('device=mobile&channel=&visitor=new&device=mobile&device=tablet&password=x'), TODAY, catalog)
    expect(f.segment).toEqual([['device', 'mobile'], ['visitor', 'new'], ['device', 'tablet']])
    expect(filterParams(f).getAll('device')).toEqual(['mobile', 'tablet'])
    for (const l of csvLinks('shop', f)) expect(new URL(l.href, 'http://x').searchParams.get('visitor'), l.label).toBe('new')
    expect(presets('shop', f, TODAY).every((p) => p.href.includes('device=tablet'))).toBe(true)
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
    const f = readFilters(new URLSearchParams('model=linear&step=pageview:/a&step=conversion:x&experiment=e&weights=control:60,b:40&breakdown=device'), TODAY, catalog)
    expect(f.weights).toBe('control:60,b:40')
    expect(readFilters(filterParams(f), TODAY, catalog)).toEqual(f)
  })

  it('keeps the planned weights as typed, without spaces, and drops absurdly long ones', () => {
    expect(readFilters(new URLSearchParams('weights= control:60, b:40 '), TODAY, catalog).weights).toBe('control:60,b:40')
    expect(readFilters(new URLSearchParams(`weights=${'1,'.repeat(150)}1`), TODAY, catalog).weights).toBeNull()
    expect(readFilters(new URLSearchParams('weights='), TODAY, catalog).weights).toBeNull()
  })

  it('passes the weights to the experiment CSV link', () => {
    const f = readFilters(new URLSearchParams('experiment=checkout_button&weights=control:60,b:40'), TODAY, catalog)
    const link = csvLinks('demo', f).find((l) => l.label === 'Experiment')!
    expect(new URL(link.href, 'http://x').searchParams.get('weights')).toBe('control:60,b:40')
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
    expect(links.map((l) => l.label)).toEqual(['Summary', 'Funnel', 'Channels', 'Campaigns', 'Attribution', 'Trends', 'Experiment'])
    const campaigns = new URL(links[3].href, 'http://x')
    expect(campaigns.pathname).toBe('/api/sites/demo/campaigns')
    expect(Object.fromEntries(campaigns.searchParams)).toEqual({ from: '2026-10-28', to: TODAY, format: 'csv', model: 'position', conversion: 'purchase' })
    expect(new URL(links[1].href, 'http://x').searchParams.getAll('step')).toEqual(DEFAULT_STEPS)
    expect(links[5].href).toBe(`/api/sites/demo/timeseries?from=2026-10-28&to=${TODAY}&format=csv&conversion=purchase`)
    expect(links[6].href).toContain('/experiments/checkout_button?')
  })
})

describe('funnel breakdown filter', () => {
  it('maps the variant breakdown to the chosen experiment and ignores unknown ones', () => {
    expect(funnelBreakdownParam(readFilters(new URLSearchParams('breakdown=variant'), TODAY, catalog))).toBe('experiment:checkout_button')
    expect(funnelBreakdownParam(readFilters(new URLSearchParams('breakdown=channel'), TODAY, catalog))).toBe('channel')
    expect(readFilters(new URLSearchParams('breakdown=password'), TODAY, catalog).breakdown).toBeNull()
  })
})
