/**
 * SQL- and script-looking values in every field of an event are data: stored as sent,
 * compared as sent (dedup, funnels, campaigns, experiments) and never executed. Read
 * back through the HTTP reports wherever a report shows the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'

const ORIGIN = 'https://shop.example'
const SQL = "x'); DROP TABLE events; --"
const SQL2 = '" OR 1=1 --'
const SCRIPT = '<script>window.__pwned=1</script>'
const IMG = '"><img src=x onerror=alert(1)>'
const NAME = `${SQL} ${SCRIPT}`.slice(0, 100)
const PROPS = { [SQL]: IMG, constructor: SCRIPT, toString: SQL2, plan: SQL }

let t: TestApp
let secret: string
const today = new Date().toISOString().slice(0, 10)
const RANGE = `from=${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}&to=${today}`

async function get(path: string): Promise<any> {
  const res = await t.app.request(`/api/sites/shop/${path}${path.includes('?') ? '&' : '?'}${RANGE}`, { headers: { authorization: `Bearer ${t.adminToken}` } })
  expect(res.status).toBe(200)
  return res.json()
}

beforeAll(async () => {
  t = await makeTestApp()
  secret = (await t.createSite('shop', { origins: [ORIGIN] })).secret
  const now = Date.now()
  const landing = `${ORIGIN}/${encodeURIComponent(SQL)}?utm_source=${encodeURIComponent(SQL2)}&utm_medium=${encodeURIComponent(IMG)}&utm_campaign=${encodeURIComponent(SQL)}&utm_term=${encodeURIComponent(SCRIPT)}`
  const ev = (over: Record<string, unknown>) => ({
    i: uuidv7(now), t: now, y: 'e', n: NAME, u: landing, r: `https://blog.example/?q=${encodeURIComponent(SQL)}`, h: SCRIPT, l: SQL2.slice(0, 35),
    c: 3, v: SQL, d: IMG, p: PROPS, ...over,
  })
  const res = await t.app.request('/collect', {
    method: 'POST', headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0' },
    body: JSON.stringify({ s: 'shop', t: now, e: [
      ev({ y: 'p', n: 'pageview' }), ev({}),
      ev({ y: 'c', n: SQL, a: 10, m: 'EUR', o: SQL2 }), ev({ y: 'c', n: SQL, a: 99, m: 'EUR', o: SQL2 }),
      ev({ y: 'x', n: SCRIPT, p: { variant: SQL } }),
    ] }),
  })
  expect(await res.json()).toEqual({ accepted: 4, duplicates: 1, rejected: [] })
  const server = await t.sendServerEvents(secret, [{ type: 'conversion', name: SQL, orderId: SQL2, visitorId: SQL, value: 5, currency: 'EUR', props: PROPS }])
  expect(server.body).toMatchObject({ accepted: 0, duplicates: 1 })
})
afterAll(() => t.close())

describe('hostile values are stored and compared as data', () => {
  it('every table is still there and counts the events', async () => {
    const s = await get('summary')
    expect(s).toMatchObject({ visitors: 1, pageviews: 1, conversions: 1, revenue: { EUR: 10 } })
  })

  it('campaign fields come back exactly as sent', async () => {
    const { rows } = await get('campaigns?model=first')
    expect(rows).toContainEqual(expect.objectContaining({ source: SQL2.toLowerCase(), medium: IMG.toLowerCase(), campaign: SQL, sessions: 1, conversions: 1 }))
  })

  it('event names and property filters match as literal strings in the funnel', async () => {
    const step = (type: string, name: string, props = '') => `step=${encodeURIComponent(`${type}:${name}${props}`)}`
    const { steps } = await get(`funnel?${step('event', NAME)}&${step('conversion', SQL)}`)
    expect(steps.map((x: any) => x.visitors)).toEqual([1, 1])
    const filtered = await get(`funnel?${step('event', NAME, `?plan=${SQL}`)}&${step('conversion', SQL)}`)
    expect(filtered.steps[0].visitors).toBe(1)
    // A near miss must not match: no wildcard or quoting trick widens the comparison.
    const miss = await get(`funnel?${step('event', NAME, "?plan=x' OR '1'='1")}&${step('conversion', SQL)}`)
    expect(miss.steps[0].visitors).toBe(0)
  })

  it('experiment names and variants are data too', async () => {
    const r = await get(`experiments/${encodeURIComponent(SCRIPT)}`)
    expect(r.variants.map((v: any) => [v.variant, v.visitors])).toEqual([[SQL, 1]])
  })

  it('the raw row keeps every field byte for byte, prototype keys included', () => {
    // No report shows title, language or user id, so these are read from the events table.
    const row = t.store.db.prepare("SELECT * FROM events WHERE type = 'event'").get() as Record<string, any>
    expect([row.name, row.title, row.lang, row.visitor, row.user_id]).toEqual([NAME, SCRIPT, SQL2, SQL, IMG])
    const props = JSON.parse(row.props)
    expect(props).toEqual(PROPS)
  })

  it('refuses a __proto__ property by name (it could only be dropped or pollute), keeping the rest of the batch', async () => {
    const now = Date.now()
    const withProto = JSON.parse(`{"i":"${uuidv7(now)}","t":${now},"y":"e","n":"proto","u":"${ORIGIN}/","c":0,"p":{"__proto__":{"polluted":1},"plan":"pro"}}`)
    const res = await t.app.request('/collect', {
      method: 'POST', headers: { 'content-type': 'text/plain', origin: ORIGIN },
      body: JSON.stringify({ s: 'shop', t: now, e: [withProto, { i: uuidv7(now), t: now, y: 'e', n: 'fine', u: `${ORIGIN}/`, c: 0 }] }),
    })
    const body = await res.json()
    expect(body).toMatchObject({ accepted: 1, rejected: [{ index: 0, message: expect.stringContaining('p.__proto__') }] })
    const pixel = await t.app.request(`/pixel.gif?s=shop&n=pageview&p.__proto__=x`, { headers: { referer: `${ORIGIN}/` } })
    expect(pixel.headers.get('x-funnelbeam-error')).toMatch(/__proto__/)
    expect(({} as any).polluted).toBeUndefined()
  })
})
