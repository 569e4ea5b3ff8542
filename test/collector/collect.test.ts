import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'

const ORIGIN = 'https://shop.example'
let t: TestApp
let clock: TestClock

beforeEach(async () => {
  clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
  t = await makeTestApp({ clock })
  await t.createSite('shop', { origins: [ORIGIN] })
})
afterEach(() => t.close())

function ev(over: Record<string, unknown> = {}) {
  return { i: uuidv7(clock.now()), y: 'p', n: 'pageview', t: clock.now(), u: `${ORIGIN}/`, c: 0, ...over }
}

function collect(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(t.app.request('/collect', {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  }))
}

const rows = (sql = 'SELECT * FROM events ORDER BY ts, id') => t.store.db.prepare(sql).all() as Record<string, any>[]

describe('POST /collect', () => {
  it('stores a batch sent as text/plain and answers with counts', async () => {
    const res = await collect({ s: 'shop', t: clock.now(), e: [ev(), ev({ y: 'e', n: 'cta_click', p: { plan: 'pro' } })] })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] })
    const stored = rows()
    expect(stored.map((r) => r.type).sort()).toEqual(['event', 'pageview'])
    expect(JSON.parse(stored.find((r) => r.type === 'event')!.props)).toEqual({ plan: 'pro' })
  })

  it('accepts application/json too and answers CORS for the page origin', async () => {
    const res = await collect({ s: 'shop', t: clock.now(), e: [ev()] }, { 'content-type': 'application/json' })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN)
  })

  it('stores an event id once, however often it is retried', async () => {
    const e = ev()
    for (let i = 0; i < 3; i++) await collect({ s: 'shop', t: clock.now(), e: [e] })
    const res = await collect({ s: 'shop', t: clock.now(), e: [e] })
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] })
    expect(rows()).toHaveLength(1)
  })

  it('stores a conversion once per name and order id, the first copy winning', async () => {
    const a = ev({ y: 'c', n: 'purchase', a: 49.9, m: 'EUR', o: 'A-1001' })
    const b = ev({ y: 'c', n: 'purchase', a: 99, m: 'EUR', o: 'A-1001' })
    const c = ev({ y: 'c', n: 'lead', o: 'A-1001' })
    const res = await collect({ s: 'shop', t: clock.now(), e: [a, b, c] })
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 1, rejected: [] })
    expect(rows("SELECT name, value FROM events WHERE type = 'conversion' ORDER BY name")).toEqual([
      { name: 'lead', value: null }, { name: 'purchase', value: 49.9 },
    ])
  })

  it('stores the valid events of a mixed batch and quarantines each bad one with its reason', async () => {
    const res = await collect({ s: 'shop', t: clock.now(), e: [
      ev(), ev({ y: 'z' }), ev({ extra: 1 }), ev({ a: 1e300 }), ev({ n: 'x'.repeat(101) }), ev({ u: undefined }), ev(),
    ] })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.accepted).toBe(2)
    expect(body.rejected.map((r: any) => [r.index, r.code])).toEqual([
      [1, 'invalid_field'], [2, 'unknown_field'], [3, 'too_big'], [4, 'too_big'], [5, 'missing_field'],
    ])
    expect(body.rejected[1].message).toMatch(/extra/)
    const q = rows('SELECT reason, site, origin FROM quarantine ORDER BY seq')
    expect(q.map((r) => r.reason)).toEqual(['invalid_field', 'unknown_field', 'too_big', 'too_big', 'missing_field'])
    expect(q.every((r) => r.site === 'shop' && r.origin === 'browser')).toBe(true)
    const metrics = await (await t.app.request('/metrics')).text()
    expect(metrics).toContain('funnelbeam_events_rejected_total{origin="browser",reason="too_big"} 2')
    expect(metrics).toContain('funnelbeam_events_accepted_total{origin="browser"} 2')
  })

  it('rejects an exposure without a variant', async () => {
    const res = await collect({ s: 'shop', t: clock.now(), e: [ev({ y: 'x', n: 'checkout_button' }), ev({ y: 'x', n: 'checkout_button', p: { variant: 'green' } })] })
    const body = await res.json()
    expect(body.accepted).toBe(1)
    expect(body.rejected).toEqual([{ index: 0, code: 'missing_field', message: expect.stringMatching(/variant/) }])
  })

  it.each([
    ['malformed JSON', '{"s":"shop",', 400, 'invalid_json'],
    ['a JSON string', '"hello"', 400, 'invalid_batch'],
    ['wrong types', JSON.stringify({ s: 5, t: 'now', e: {} }), 400, 'invalid_batch'],
    ['unknown top-level fields', JSON.stringify({ s: 'shop', t: 1, e: [{}], admin: true }), 400, 'invalid_batch'],
    ['an empty body', '', 400, 'empty_body'],
    ['an empty batch', JSON.stringify({ s: 'shop', t: 1, e: [] }), 400, 'invalid_batch'],
    ['a huge sent time', JSON.stringify({ s: 'shop', t: 1e308, e: [{}] }), 400, 'invalid_batch'],
  ])('answers %s with a JSON 4xx', async (_name, body, status, code) => {
    const res = await collect(body)
    expect(res.status).toBe(status)
    expect((await res.json()).error.code).toBe(code)
  })

  it('answers invalid UTF-8 with 400 invalid_utf8', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"s":"shop","t":1,"e":["'), 0xff, 0xfe, ...new TextEncoder().encode('"]}')])
    const res = await collect(bytes)
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe('invalid_utf8')
  })

  it('answers a body over 64 KiB with 413, also without Content-Length', async () => {
    const big = JSON.stringify({ s: 'shop', t: clock.now(), e: [ev({ p: { x: 'y'.repeat(70_000) } })] })
    const res = await collect(big)
    expect(res.status).toBe(413)
    expect((await res.json()).error.code).toBe('payload_too_large')
    const stream = new ReadableStream({ start(ctl) { for (let i = 0; i < 80; i++) ctl.enqueue(new Uint8Array(1024).fill(32)); ctl.close() } })
    const chunked = await t.app.request('/collect', { method: 'POST', body: stream, headers: { origin: ORIGIN }, duplex: 'half' } as RequestInit)
    expect(chunked.status).toBe(413)
  })

  it('answers more than 100 events with 400 and stores none', async () => {
    const res = await collect({ s: 'shop', t: clock.now(), e: Array.from({ length: 101 }, () => ev()) })
    expect(res.status).toBe(400)
    expect(rows()).toHaveLength(0)
    expect(rows('SELECT reason FROM quarantine')).toEqual([{ reason: 'invalid_batch' }])
  })

  it('answers 403 for an unknown site and for an origin not on the allowlist', async () => {
    const unknown = await collect({ s: 'nope', t: clock.now(), e: [ev()] })
    expect(unknown.status).toBe(403)
    expect((await unknown.json()).error.code).toBe('unknown_site')
    const evil = await collect({ s: 'shop', t: clock.now(), e: [ev()] }, { origin: 'https://evil.example' })
    expect(evil.status).toBe(403)
    expect((await evil.json()).error.code).toBe('origin_not_allowed')
    expect(rows()).toHaveLength(0)
  })

  it('corrects the time by the delay the client measured, whatever its clock says', async () => {
    // The client clock is 1 hour fast; the event waited 10 s in its outbox.
    const skew = 3600_000
    const clientNow = clock.now() + skew
    await collect({ s: 'shop', t: clientNow, e: [ev({ t: clientNow - 10_000 })] })
    expect(rows()[0].ts).toBe(clock.now() - 10_000)
  })

  it('rejects browser events older than 7 days', async () => {
    const clientNow = clock.now()
    const res = await collect({ s: 'shop', t: clientNow, e: [ev({ t: clientNow - 8 * 86_400_000 }), ev({ t: clientNow - 6 * 86_400_000 })] })
    const body = await res.json()
    expect(body.accepted).toBe(1)
    expect(body.rejected).toEqual([{ index: 0, code: 'too_old', message: expect.any(String) }])
  })

  it('keeps only the path and campaign parameters of URLs', async () => {
    await collect({ s: 'shop', t: clock.now(), e: [ev({
      u: `${ORIGIN}/signup?email=jane@example.com&token=s3cret&utm_source=news&utm_medium=email#step2`,
      r: 'https://mail.example/inbox?msg=42',
    })] })
    const [r] = rows()
    expect(r.url).toBe(`${ORIGIN}/signup?utm_source=news&utm_medium=email`)
    expect(r.referrer).toBe('https://mail.example/inbox')
    expect(JSON.stringify(r)).not.toContain('jane@example.com')
    expect(r.channel).toBe('Email')
  })

  it('parses campaign parameters and click ids into the stored touch and channel', async () => {
    await collect({ s: 'shop', t: clock.now(), e: [ev({ c: 3, v: 'v1', u: `${ORIGIN}/?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=shoes&utm_content=ad1&utm_id=42&gclid=G-1` })] })
    const [r] = rows()
    expect([r.source, r.medium, r.campaign, r.term, r.content, r.utm_id, r.click_id_type, r.click_id, r.channel])
      .toEqual(['google', 'cpc', 'brand', 'shoes', 'ad1', '42', 'gclid', 'G-1', 'Paid Search'])
  })
})

describe('consent enforced by the collector', () => {
  const url = `${ORIGIN}/?utm_source=facebook&utm_medium=paid_social&fbclid=FB-1`
  it('drops visitor and user ids when analytics is denied, and uses the daily hash', async () => {
    await collect({ s: 'shop', t: clock.now(), e: [ev({ c: 0, v: 'sdk-visitor', d: 'user-9', u: url })] })
    const [r] = rows()
    expect(r.visitor).toMatch(/^h:[0-9a-f]{32}$/)
    expect(r.user_id).toBeNull()
    expect(JSON.stringify(r)).not.toContain('sdk-visitor')
  })
  it('drops click ids everywhere when ads is denied, keeping the campaign', async () => {
    await collect({ s: 'shop', t: clock.now(), e: [ev({ c: 1, v: 'sdk-visitor', u: url, r: `${ORIGIN}/landing?fbclid=FB-0` })] })
    const [r] = rows()
    expect(r.visitor).toBe('sdk-visitor')
    expect(JSON.stringify(r)).not.toContain('FB-')
    expect([r.source, r.channel, r.click_id, r.click_id_type]).toEqual(['facebook', 'Paid Social', null, null])
  })
  it('keeps ids with both granted', async () => {
    await collect({ s: 'shop', t: clock.now(), e: [ev({ c: 3, v: 'sdk-visitor', d: 'user-9', u: url })] })
    const [r] = rows()
    expect([r.visitor, r.user_id, r.click_id]).toEqual(['sdk-visitor', 'user-9', 'FB-1'])
  })
})

describe('cookieless visitors and salts', () => {
  beforeEach(async () => {
    await t.close()
    t = await makeTestApp({ clock, config: { trustProxy: true } })
    await t.createSite('shop', { origins: [ORIGIN] })
  })
  const send = (ua: string) => collect({ s: 'shop', t: clock.now(), e: [ev()] }, { 'user-agent': ua, 'x-forwarded-for': '203.0.113.7' })
  it('counts one visitor per day per IP and browser, a new one the next UTC day, and destroys old salts', async () => {
    await send('UA-1')
    await send('UA-1')
    await send('UA-2')
    clock.set('2026-11-21T00:00:01Z')
    await send('UA-1')
    const visitors = rows('SELECT visitor FROM events ORDER BY rowid').map((r) => r.visitor)
    expect(visitors[0]).toBe(visitors[1])
    expect(visitors[2]).not.toBe(visitors[0])
    expect(visitors[3]).not.toBe(visitors[0])
    expect(new Set(visitors).size).toBe(3)
    expect(rows('SELECT day FROM salts ORDER BY day').map((r) => r.day)).toEqual(['2026-11-20', '2026-11-21'])
    clock.set('2026-11-22T12:00:01Z')
    await send('UA-1')
    // The salt of the 20th (made at 12:00 on the 20th) is older than 48 hours now.
    expect(rows('SELECT day FROM salts ORDER BY day').map((r) => r.day)).toEqual(['2026-11-21', '2026-11-22'])
  })
  it('never stores the IP', async () => {
    await collect({ s: 'shop', t: clock.now(), e: [ev()] }, { 'x-forwarded-for': '198.51.100.23' })
    const dump = JSON.stringify(rows()) + JSON.stringify(rows('SELECT * FROM sessions')) + JSON.stringify(rows('SELECT * FROM quarantine'))
    expect(rows()).toHaveLength(1)
    expect(dump).not.toContain('198.51.100.23')
    // The same visitor from another IP is another cookieless visitor: the IP was used, not stored.
    await collect({ s: 'shop', t: clock.now(), e: [ev()] }, { 'x-forwarded-for': '198.51.100.24' })
    expect(new Set(rows().map((r) => r.visitor)).size).toBe(2)
  })
})

describe('sessions', () => {
  const at = (minutes: number, u = `${ORIGIN}/`) => ev({ c: 1, v: 'v1', t: clock.now(), i: uuidv7(clock.now()), u, _m: minutes })
  async function visit(minutes: number, u?: string) {
    clock.set(Date.parse('2026-11-20T12:00:00Z') + minutes * 60_000)
    const e = at(minutes, u)
    delete (e as any)._m
    await collect({ s: 'shop', t: clock.now(), e: [e] })
  }
  it('ends after 30 minutes without events', async () => {
    await visit(0); await visit(29); await visit(59); await visit(89.5)
    const ids = rows('SELECT session_id FROM events ORDER BY ts').map((r) => r.session_id)
    expect(ids[0]).toBe(ids[1])
    expect(ids[1]).toBe(ids[2])
    expect(ids[3]).not.toBe(ids[2])
    expect(rows('SELECT pageviews FROM sessions ORDER BY started').map((r) => r.pageviews)).toEqual([3, 1])
  })
  it('starts a new session when a new campaign arrives, keeping the entry channel', async () => {
    await visit(0, `${ORIGIN}/?utm_source=google&utm_medium=cpc`)
    await visit(1, `${ORIGIN}/pricing`)
    await visit(2, `${ORIGIN}/?utm_source=newsletter&utm_medium=email`)
    const s = rows('SELECT channel, source, pageviews FROM sessions ORDER BY started')
    expect(s).toEqual([
      { channel: 'Paid Search', source: 'google', pageviews: 2 },
      { channel: 'Email', source: 'newsletter', pageviews: 1 },
    ])
  })
})

describe('bots', () => {
  it('flags known bot user agents and the SDK webdriver flag, and stores them', async () => {
    await collect({ s: 'shop', t: clock.now(), e: [ev()] }, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' })
    await collect({ s: 'shop', t: clock.now(), b: 1, e: [ev()] })
    await collect({ s: 'shop', t: clock.now(), e: [ev()] })
    expect(rows('SELECT bot FROM events ORDER BY rowid').map((r) => r.bot)).toEqual([1, 1, 0])
  })
  it('accepts headless browsers as people when the config allows bots', async () => {
    await t.close()
    t = await makeTestApp({ clock, config: { allowBots: true } })
    await t.createSite('shop', { origins: [ORIGIN] })
    await collect({ s: 'shop', t: clock.now(), b: 1, e: [ev()] }, { 'user-agent': 'Mozilla/5.0 HeadlessChrome/130.0' })
    expect(rows()[0].bot).toBe(0)
  })
})

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a client is over its limit', async () => {
    await t.close()
    t = await makeTestApp({ clock, config: { rateLimit: { max: 3, windowMs: 60_000 } } })
    await t.createSite('shop', { origins: [ORIGIN] })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await collect({ s: 'shop', t: clock.now(), e: [ev()] }, { 'x-forwarded-for': '203.0.113.1' })).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const res = await collect({ s: 'shop', t: clock.now(), e: [ev()] })
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await res.json()).error.code).toBe('rate_limited')
    clock.advance(60_000)
    expect((await collect({ s: 'shop', t: clock.now(), e: [ev()] })).status).toBe(200)
  })
})

describe('group commit', () => {
  it('stores every event of many concurrent requests, sharing transactions', async () => {
    const batches = Array.from({ length: 40 }, () => ({ s: 'shop', t: clock.now(), e: [ev(), ev()] }))
    const results = await Promise.all(batches.map((b) => collect(b).then((r: Response) => r.json())))
    expect(results.every((r: any) => r.accepted === 2)).toBe(true)
    expect(rows()).toHaveLength(80)
    expect(t.store.commits).toBeLessThan(40)
  })
})
