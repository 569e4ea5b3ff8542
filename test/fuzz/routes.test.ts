/**
 * Property-based fuzzing of every door that takes input: /collect, /pixel.gif,
 * /api/events, the spend import and the report routes, in-process (app.request) on a
 * real SQLite store. Over 10,000 generated requests; each must answer below 500, the
 * process must survive, and every valid event of a mixed batch must be stored (counted
 * in the answer and then in the summary report, read through HTTP).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import {
  anyJson, anyNumber, anyString, breakServer, breakWire, brokenJsonText, invalidUtf8, nasty, validServerEvent, validWireEvent,
  withKey, type Kind,
} from './arbitraries.ts'

const ORIGIN = 'https://shop.example'
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36'
// Fixed seeds keep a failure reproducible; FUZZ_SEED varies them for a longer hunt.
const SEED = Number(process.env.FUZZ_SEED ?? 20261201)

let t: TestApp
let secret: string
let requests = 0
const expected: Record<Kind, number> = { pageview: 0, event: 0, conversion: 0 }
const problems: string[] = []

beforeAll(async () => {
  t = await makeTestApp()
  await t.createSite('shop', { origins: [ORIGIN] })
  // Mixed batches go to their own site, so its summary counts only what must be stored.
  secret = (await t.createSite('exact', { origins: [ORIGIN] })).secret
})
afterAll(() => t.close())

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  requests++
  const res = await t.app.request(path, init)
  if (res.status >= 500) problems.push(`${init.method ?? 'GET'} ${path.slice(0, 120)} → ${res.status}: ${(await res.text()).slice(0, 200)}`)
  return res
}

const collect = (body: BodyInit) => send('/collect', { method: 'POST', body, headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': UA } })
const admin = { authorization: 'Bearer test-admin-token' }

/** Runs a property over `runs` generated cases; a 5xx anywhere is collected in `problems`. */
async function fuzz<T>(arb: fc.Arbitrary<T>, runs: number, check: (value: T) => Promise<void>): Promise<void> {
  problems.length = 0
  await fc.assert(fc.asyncProperty(arb, check), { numRuns: runs, seed: SEED, endOnFailure: true })
  expect(problems).toEqual([])
}

/** A batch of valid and broken events in random order, with the count of valid ones by kind. */
function mixed(valid: fc.Arbitrary<{ event: Record<string, unknown>; kind: Kind }>, breaker: fc.Arbitrary<[string, unknown]>) {
  const broken = fc.tuple(valid, breaker).map(([v, [k, x]]) => withKey(v.event, k, x))
  return fc.tuple(fc.array(valid, { maxLength: 40 }), fc.array(broken, { maxLength: 40 }), fc.infiniteStream(fc.double()))
    .filter(([ok, bad]) => ok.length + bad.length > 0)
    .map(([ok, bad, rnd]) => {
      const it = rnd[Symbol.iterator]()
      const events = [...ok.map((o) => o.event), ...bad].map((e) => [it.next().value as number, e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e)
      const kinds = ok.map((o) => o.kind)
      return { events, kinds, broken: bad.length }
    })
}

/**
 * Percent-encodes any string byte by byte, lone surrogates included (as the bytes of
 * U+FFFD), where encodeURIComponent would throw.
 */
function pct(s: string): string {
  return [...new TextEncoder().encode(s)].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')
}

function count(kinds: Kind[]): void {
  for (const k of kinds) expected[k]++
}

// Each property takes a few seconds alone; on a shared 2-core machine allow more.
describe('fuzzing the ingest doors', { timeout: 60_000 }, () => {
  it('/collect: malformed, deep, huge, wrong-typed and non-UTF-8 bodies never answer 5xx', async () => {
    const body = fc.oneof(
      brokenJsonText,
      invalidUtf8,
      fc.uint8Array({ maxLength: 300 }),
      anyJson.map((v) => JSON.stringify(v) ?? 'null'),
      fc.record({ s: fc.oneof(fc.constant('shop'), anyString), t: anyNumber, e: fc.oneof(fc.array(anyJson, { maxLength: 5 }), anyJson) }).map((b) => JSON.stringify(b)),
    )
    await fuzz(body, 3000, async (b) => {
      const res = await collect(b as BodyInit)
      expect(res.status).toBeLessThan(500)
    })
  })

  it('/collect: every valid event of a mixed batch is stored, the broken ones rejected', async () => {
    await fuzz(mixed(validWireEvent(Date.now()), breakWire), 600, async ({ events, kinds, broken }) => {
      const body = JSON.stringify({ s: 'exact', t: Date.now(), e: events })
      const res = await collect(body)
      // A batch over the 64 KiB limit is refused whole (the SDK never sends one); nothing counts.
      if (Buffer.byteLength(body) > 64 * 1024) { expect(res.status).toBe(413); return }
      expect(res.status).toBe(200)
      const r = await res.json() as { accepted: number; duplicates: number; rejected: unknown[] }
      expect(r).toMatchObject({ accepted: kinds.length, duplicates: 0 })
      expect(r.rejected).toHaveLength(broken)
      count(kinds)
    })
  })

  it('/pixel.gif: any query string answers the GIF', async () => {
    const param = fc.tuple(fc.oneof(fc.constantFrom('s', 'y', 'n', 't', 'a', 'm', 'o', 'c', 'w', 'u', 'p.plan', 'p.__proto__', 'p.constructor'), anyString), fc.oneof(fc.constant('shop'), anyString, anyNumber.map(String)))
    const raw = fc.oneof(
      fc.array(param, { maxLength: 8 }).map((ps) => ps.map(([k, v]) => `${pct(k)}=${pct(v.slice(0, 4000))}`).join('&')),
      fc.constantFrom('s=shop&n=%FF%FE', 's=shop&%C0%AF=1', 's=%E0%A4%A', 's=shop&p.__proto__[x]=1', '&&&==&', 's=shop&t=1e999&a=NaN', 's=shop&s=exact&s=x', 's=shop&n=%ED%A0%80', 's=shop&h=%F8%88%80%80%80'),
    )
    await fuzz(raw, 2000, async (qs) => {
      const res = await send(`/pixel.gif?${qs}`, { headers: { referer: `${ORIGIN}/landing`, 'user-agent': UA } })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('image/gif')
    })
  })

  it('/api/events: hostile bodies never answer 5xx', async () => {
    const body = fc.oneof(brokenJsonText, invalidUtf8, anyJson.map((v) => JSON.stringify({ events: Array.isArray(v) ? v : [v] })))
    await fuzz(body, 1500, async (b) => {
      const res = await send('/api/events', { method: 'POST', body: b as BodyInit, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } })
      expect(res.status).toBeLessThan(500)
    })
  })

  it('/api/events: every valid event of a mixed batch is stored', async () => {
    await fuzz(mixed(validServerEvent(Date.now()), breakServer), 500, async ({ events, kinds, broken }) => {
      const body = JSON.stringify({ events })
      const res = await send('/api/events', { method: 'POST', body, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } })
      if (Buffer.byteLength(body) > 64 * 1024) { expect(res.status).toBe(413); return }
      expect(res.status).toBe(200)
      const r = await res.json() as { accepted: number; rejected: unknown[] }
      expect(r.accepted).toBe(kinds.length)
      expect(r.rejected).toHaveLength(broken)
      count(kinds)
    })
  })

  it('the summary report counts exactly the valid events of the mixed batches', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
    const res = await send(`/api/sites/exact/summary?from=${day(-1)}&to=${day(1)}`, { headers: admin })
    const body = await res.json() as { pageviews: number; conversions: number }
    expect(expected.pageview).toBeGreaterThan(100)
    expect({ pageviews: body.pageviews, conversions: body.conversions }).toEqual({ pageviews: expected.pageview, conversions: expected.conversion })
  })
})

describe('fuzzing the spend import and the reports', { timeout: 60_000 }, () => {
  it('PUT /spend: hostile CSV and JSON never answer 5xx; prototype keys and invalid UTF-8 are refused', async () => {
    const cell = fc.oneof(anyString.map((s) => s.slice(0, 300)), anyNumber.map(String), fc.constantFrom('2026-11-20', '2026-02-30', '', '"', '""', 'google', '1e999', '-0'))
    const csvRow = fc.array(cell, { minLength: 0, maxLength: 9 }).map((cs) => cs.join(','))
    const csv = fc.tuple(fc.array(csvRow, { maxLength: 6 }), fc.constantFrom('\n', '\r\n', '\r'))
      .map(([rows, eol]) => ['date,source,medium,campaign,cost,impressions,clicks', ...rows].join(eol))
    const json = fc.array(fc.oneof(anyJson, fc.record({ date: fc.oneof(fc.constant('2026-11-20'), anyString), source: anyString, medium: anyString, campaign: anyString, cost: anyNumber, impressions: anyNumber, clicks: anyNumber, currency: fc.oneof(fc.constant('EUR'), anyString) })), { maxLength: 4 })
      .map((a) => JSON.stringify(a))
    const body = fc.tuple(fc.oneof(csv, json, brokenJsonText, fc.string({ maxLength: 300 })), fc.constantFrom('text/csv', 'application/json', 'text/plain', ''))
    await fuzz(body, 1500, async ([b, type]) => {
      const res = await send('/api/sites/shop/spend', { method: 'PUT', body: b, headers: { ...admin, ...(type ? { 'content-type': type } : {}) } })
      expect(res.status).toBeLessThan(500)
    })
    for (const b of [new Uint8Array([0x64, 0xff, 0xfe]), '[{"__proto__":{"cost":1}}]', '[{"constructor":{"prototype":{"cost":1}}}]']) {
      expect((await send('/api/sites/shop/spend', { method: 'PUT', body: b, headers: admin })).status).toBe(400)
    }
  })

  it('report routes: any query string answers below 500', async () => {
    const routes = ['summary', 'funnel', 'channels', 'campaigns', 'attribution', 'timeseries', 'pacing', 'experiments/checkout', `experiments/${encodeURIComponent('<script>')}`]
    // Segment filters (issue 11) too: their values reach SQL (globs, regular expressions, IN lists).
    const key = fc.oneof(fc.constantFrom('from', 'to', 'model', 'conversion', 'lookback', 'dimension', 'step', 'window', 'mode', 'unit', 'breakdown', 'weights', 'format', '__proto__', 'constructor',
      'channel', 'source', 'medium', 'campaign', 'device', 'browser', 'country', 'landing', 'visitor', 'variant'), anyString.map((s) => s.slice(0, 50)))
    const value = fc.oneof(
      anyString.map((s) => s.slice(0, 3000)), anyNumber.map(String), nasty,
      fc.constantFrom('2026-11-20', '0000-00-00', '9999-12-31', 'csv', 'json', 'linear', 'time_decay', 'event:a?b=c', 'pageview:/**', 'conversion:', 'experiment:x', '90d', '1e999d', 'control:60,b:40', ':', ',,',
        '/blog/**', '/a*b/[x]?\\d{2}', '/%_\'', 'new', 'returning', 'checkout:b', '(not set)', '(direct)', '(unknown)', 'landing', 'visitor'),
    )
    const query = fc.tuple(fc.constantFrom(...routes), fc.array(fc.tuple(key, value), { maxLength: 8 }))
    await fuzz(query, 1200, async ([route, params]) => {
      const qs = params.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')
      const res = await send(`/api/sites/shop/${route}?${qs}`, { headers: admin })
      expect(res.status).toBeLessThan(500)
    })
    for (const qs of ['from=%FF', 'step=%E0%A4%A', '%C0%AF=1', 'from=2026-11-20&from=2026-11-21', 'step=event:%ED%A0%80&step=x']) {
      expect((await send(`/api/sites/shop/summary?${qs}`, { headers: admin })).status).toBeLessThan(500)
    }
  })

  it(`sent more than 10,000 generated requests, and the process still answers`, async () => {
    expect(requests).toBeGreaterThanOrEqual(10_000)
    expect((await t.app.request('/healthz')).status).toBe(200)
    expect(Object.getPrototypeOf({}).polluted).toBeUndefined()
  })
})
