import { describe, expect, it } from 'vitest'
import { Metrics } from './metrics.ts'

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*)?\})? (-?[0-9.e+-]+|\+Inf|NaN)$/

/** Checks the text exposition format line by line and returns the samples by metric line. */
function parse(text: string): Map<string, number> {
  expect(text.endsWith('\n')).toBe(true)
  const samples = new Map<string, number>()
  const typed = new Map<string, string>()
  const done = new Set<string>() // families whose group has ended
  let current: string | null = null
  const family = (name: string) => {
    for (const [f, type] of typed) {
      if (name === f) return f
      if (type === 'histogram' && [`${f}_bucket`, `${f}_sum`, `${f}_count`].includes(name)) return f
    }
    return name
  }
  const enter = (f: string) => {
    if (f === current) return
    if (done.has(f)) throw new Error(`lines of ${f} are not one group`)
    if (current) done.add(current)
    current = f
  }
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = line.match(/^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/)
    if (meta) {
      if (meta[1] === 'TYPE') {
        if (typed.has(meta[2])) throw new Error(`second TYPE for ${meta[2]}`)
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3])
        typed.set(meta[2], meta[3])
      }
      enter(meta[2])
      continue
    }
    const m = line.match(SAMPLE)
    if (!m) throw new Error(`not a sample line: ${line}`)
    enter(family(m[1]))
    const key = line.slice(0, line.lastIndexOf(' '))
    if (samples.has(key)) throw new Error(`duplicate sample ${key}`)
    samples.set(key, Number(m[4]))
  }
  return samples
}

describe('Metrics.render', () => {
  it('is valid Prometheus text even with nothing counted', () => {
    const text = new Metrics().render()
    parse(text)
    expect(text).toContain('# TYPE funnelbeam_events_accepted_total counter')
    expect(text).toContain('# TYPE funnelbeam_http_request_duration_seconds histogram')
  })

  it('renders counters with labels, summed per label set', () => {
    const m = new Metrics()
    m.inc('funnelbeam_events_accepted_total', { origin: 'browser' }, 5)
    m.inc('funnelbeam_events_accepted_total', { origin: 'browser' }, 2)
    m.inc('funnelbeam_events_accepted_total', { origin: 'server' })
    m.inc('funnelbeam_events_rejected_total', { origin: 'browser', reason: 'too_old' })
    m.inc('funnelbeam_events_rejected_total', { origin: 'pixel', reason: 'invalid' }, 3)
    const s = parse(m.render())
    expect(s.get('funnelbeam_events_accepted_total{origin="browser"}')).toBe(7)
    expect(s.get('funnelbeam_events_accepted_total{origin="server"}')).toBe(1)
    expect(s.get('funnelbeam_events_rejected_total{origin="browser",reason="too_old"}')).toBe(1)
    expect(s.get('funnelbeam_events_rejected_total{origin="pixel",reason="invalid"}')).toBe(3)
  })

  it('keeps each counter family in one group with its HELP and TYPE lines', () => {
    const m = new Metrics()
    m.inc('funnelbeam_events_rejected_total', { origin: 'browser', reason: 'too_old' })
    m.inc('funnelbeam_events_accepted_total', { origin: 'browser' })
    const lines = m.render().split('\n')
    const type = lines.indexOf('# TYPE funnelbeam_events_accepted_total counter')
    expect(lines[type + 1]).toBe('funnelbeam_events_accepted_total{origin="browser"} 1')
  })

  it('gives a counter that has no help text its own TYPE line', () => {
    const m = new Metrics()
    m.inc('funnelbeam_custom_total')
    const text = m.render()
    expect(parse(text).get('funnelbeam_custom_total')).toBe(1)
    expect(text).toContain('# TYPE funnelbeam_custom_total counter\nfunnelbeam_custom_total 1\n')
  })

  it('renders the latency histogram with cumulative buckets, +Inf, sum and count', () => {
    const m = new Metrics()
    for (const s of [0.003, 0.02, 0.02, 0.3, 7]) m.observe('/collect', s)
    m.observe('/healthz', 0.001)
    const s = parse(m.render())
    const b = (route: string, le: string) => s.get(`funnelbeam_http_request_duration_seconds_bucket{route="${route}",le="${le}"}`)
    // Worked out by hand: 0.003 ≤ 0.005; two 0.02 ≤ 0.025; 0.3 ≤ 0.5; 7 only in +Inf.
    expect(b('/collect', '0.005')).toBe(1)
    expect(b('/collect', '0.01')).toBe(1)
    expect(b('/collect', '0.025')).toBe(3)
    expect(b('/collect', '0.05')).toBe(3)
    expect(b('/collect', '0.1')).toBe(3)
    expect(b('/collect', '0.25')).toBe(3)
    expect(b('/collect', '0.5')).toBe(4)
    expect(b('/collect', '1')).toBe(4)
    expect(b('/collect', '2.5')).toBe(4)
    expect(b('/collect', '5')).toBe(4)
    expect(b('/collect', '+Inf')).toBe(5)
    expect(s.get('funnelbeam_http_request_duration_seconds_count{route="/collect"}')).toBe(5)
    expect(s.get('funnelbeam_http_request_duration_seconds_sum{route="/collect"}')).toBeCloseTo(7.343, 9)
    expect(b('/healthz', '0.005')).toBe(1)
    expect(s.get('funnelbeam_http_request_duration_seconds_count{route="/healthz"}')).toBe(1)
  })

  it('a value exactly on a bucket bound falls in that bucket (le is ≤)', () => {
    const m = new Metrics()
    m.observe('/collect', 0.1)
    const s = parse(m.render())
    expect(s.get('funnelbeam_http_request_duration_seconds_bucket{route="/collect",le="0.05"}')).toBe(0)
    expect(s.get('funnelbeam_http_request_duration_seconds_bucket{route="/collect",le="0.1"}')).toBe(1)
  })

  it('keeps label values that would break the format from doing so', () => {
    const m = new Metrics()
    m.inc('funnelbeam_events_rejected_total', { origin: 'browser', reason: 'bad "quote"\\ and\nnewline' })
    expect(() => parse(m.render())).not.toThrow()
  })
})
