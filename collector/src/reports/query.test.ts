import { describe, expect, it } from 'vitest'
import { QueryError } from './query-error.ts'
import { errorHandler } from '../http/errors.ts'
import { parseAttributionQuery, parseChannelsQuery, parseExperimentQuery, parseFunnelQuery, parseSummaryQuery } from './query.ts'

const p = (s: string) => new URLSearchParams(s)
const TODAY = '2026-11-24'

async function errorOf(f: () => unknown): Promise<{ status: number; body: any }> {
  try {
    f()
  } catch (e) {
    if (!(e instanceof QueryError)) throw e
    // What the HTTP edge answers for it (see http/errors.ts).
    const res = errorHandler(() => {})(e, { json: (b: unknown, s: number) => Response.json(b, { status: s }) } as never)
    return { status: res.status, body: await res.json() }
  }
  throw new Error('expected an error')
}

describe('date ranges', () => {
  it('defaults to the last 30 days up to today', () => {
    expect(parseSummaryQuery(p(''), TODAY)).toEqual({ from: '2026-10-26', to: '2026-11-24' })
    expect(parseSummaryQuery(p('to=2026-11-10'), TODAY)).toEqual({ from: '2026-10-12', to: '2026-11-10' })
  })
  it('rejects reversed, malformed and overlong ranges with 400', async () => {
    expect((await errorOf(() => parseSummaryQuery(p('from=2026-11-30&to=2026-11-01'), TODAY))).status).toBe(400)
    const bad = await errorOf(() => parseSummaryQuery(p('from=2026-02-30'), TODAY))
    expect(bad.body.error.issues[0]).toMatchObject({ path: 'from', message: 'not a calendar date' })
    expect((await errorOf(() => parseSummaryQuery(p('from=2024-01-01&to=2026-01-01'), TODAY))).status).toBe(400)
  })
})

describe('parseFunnelQuery', () => {
  it('reads steps, window, mode, unit and breakdown', () => {
    const q = parseFunnelQuery(p('step=pageview:/pricing&step=conversion:purchase&window=36h&mode=strict&unit=session&breakdown=experiment:checkout'), TODAY)
    expect(q).toMatchObject({ windowMs: 36 * 3_600_000, mode: 'strict', unit: 'session', breakdown: 'experiment', experiment: 'checkout' })
    expect(q.steps.map((s) => s.label)).toEqual(['pageview:/pricing', 'conversion:purchase'])
    expect(parseFunnelQuery(p('step=event:a&step=event:b'), TODAY)).toMatchObject({ windowMs: 7 * 86_400_000, mode: 'ordered', unit: 'visitor', breakdown: null })
  })
  it('needs 2 to 10 valid steps and a sane window', async () => {
    expect((await errorOf(() => parseFunnelQuery(p('step=event:a'), TODAY))).body.error.issues[0].path).toBe('step')
    const eleven = Array.from({ length: 11 }, (_, i) => `step=event:e${i}`).join('&')
    expect((await errorOf(() => parseFunnelQuery(p(eleven), TODAY))).status).toBe(400)
    expect((await errorOf(() => parseFunnelQuery(p('step=event:a&step=nope'), TODAY))).body.error.issues[0].path).toBe('step.1')
    expect((await errorOf(() => parseFunnelQuery(p('step=event:a&step=event:b&window=91d'), TODAY))).status).toBe(400)
    expect((await errorOf(() => parseFunnelQuery(p('step=event:a&step=event:b&window=7'), TODAY))).status).toBe(400)
    expect((await errorOf(() => parseFunnelQuery(p('step=event:a&step=event:b&breakdown=os'), TODAY))).status).toBe(400)
  })
})

describe('attribution, channels and experiments', () => {
  it('defaults to last non-direct, 30 days lookback, channel', () => {
    expect(parseAttributionQuery(p(''), TODAY)).toMatchObject({ model: 'last_non_direct', lookbackMs: 30 * 86_400_000, dimension: 'channel', conversion: null })
    expect(parseChannelsQuery(p('model=time_decay&conversion=lead&lookback=90d'), TODAY)).toMatchObject({ model: 'time_decay', conversion: 'lead', lookbackMs: 90 * 86_400_000 })
  })
  it('reads weights as a list or as name:weight pairs', async () => {
    expect(parseExperimentQuery(p('weights=50,50'), TODAY).weights).toEqual([50, 50])
    expect(parseExperimentQuery(p('weights=control:80,b:20'), TODAY).weights).toEqual({ control: 80, b: 20 })
    expect((await errorOf(() => parseExperimentQuery(p('weights=50,-1'), TODAY))).status).toBe(400)
    expect((await errorOf(() => parseExperimentQuery(p('weights=a:1,b'), TODAY))).status).toBe(400)
  })
})

describe('date bounds', () => {
  it('refuses dates a day range cannot be built from, with a 400 naming the limits', async () => {
    for (const qs of ['to=9999-12-31', 'from=1969-12-31&to=1970-01-02']) {
      const e = await errorOf(() => parseSummaryQuery(p(qs), TODAY))
      expect(e.status).toBe(400)
      expect(JSON.stringify(e.body)).toMatch(/between 1970-01-01 and 9998-12-31/)
    }
  })
})
