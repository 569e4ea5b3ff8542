/**
 * Property-based fuzzing of the ad platform doors: spend files of every platform shape
 * with hostile cells and any bytes, spend listing and deletion filters, conversion
 * exports and destination settings. Each request must answer below 500.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { anyJson, anyNumber, anyString, invalidUtf8, nasty } from './arbitraries.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 20261201)
let t: TestApp
const admin = { authorization: 'Bearer test-admin-token' }

beforeAll(async () => {
  t = await makeTestApp()
  await t.createSite('shop')
})
afterAll(() => t.close())

async function below500(path: string, init: RequestInit = {}): Promise<void> {
  const res = await t.app.request(path, { ...init, headers: { ...admin, ...(init.headers as Record<string, string>) } })
  if (res.status >= 500) expect.fail(`${init.method ?? 'GET'} ${path.slice(0, 120)} → ${res.status}: ${(await res.text()).slice(0, 200)}`)
}

const run = <T>(arb: fc.Arbitrary<T>, numRuns: number, check: (v: T) => Promise<void>) =>
  fc.assert(fc.asyncProperty(arb, check), { numRuns, seed: SEED, endOnFailure: true })

describe('fuzzing the ad platform routes', { timeout: 60_000 }, () => {
  it('PUT /spend: platform-shaped files with hostile cells, in any separator and encoding', async () => {
    const headers = fc.constantFrom(
      ['Day', 'Campaign', 'Campaign ID', 'Currency code', 'Cost', 'Impr.', 'Clicks'],
      ['Tag', 'Kampagne', 'Kosten', 'Klicks'],
      ['Reporting starts', 'Reporting ends', 'Campaign name', 'Amount spent (EUR)', 'Impressions', 'Link clicks'],
      ['Дата', 'Кампания', '№ Кампании', 'Показы', 'Клики', 'Расход (руб.)'],
    )
    const cell = fc.oneof(anyString.map((s) => s.slice(0, 80)), anyNumber.map(String), nasty,
      fc.constantFrom('2026-11-01', '01.11.2026', '2026-11-01', '2020-01-01', '9999-12-31', '--', 'Total: Account', 'Итого', '1,234.56', '1.234,56', '"', ''))
    const file = fc.tuple(headers, fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 5 }), fc.constantFrom(',', ';', '\t'),
      fc.constantFrom('utf-8', 'utf-16le', 'raw'), fc.array(anyString.map((s) => s.slice(0, 40)), { maxLength: 2 }))
      .map(([head, rows, sep, enc, pre]) => {
        const text = [...pre, head.join(sep), ...rows.map((r) => r.join(sep))].join('\r\n')
        if (enc === 'utf-16le') return new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')])
        return new TextEncoder().encode(text)
      })
    const bytes = fc.oneof(file, invalidUtf8, fc.uint8Array({ maxLength: 200 }))
    const query = fc.constantFrom('', '?format=meta', '?format=yandex', '?format=google-ads', '?source=%00&medium=x', '?format=__proto__')
    await run(fc.tuple(bytes, query), 800, ([b, q]) => below500(`/api/sites/shop/spend${q}`, { method: 'PUT', body: b as BodyInit }))
  })

  it('GET/DELETE /spend, GET /exports: any query answers below 500', async () => {
    const key = fc.oneof(fc.constantFrom('from', 'to', 'source', 'medium', 'campaign', 'conversion', 'account', 'conversionAction', '__proto__'), anyString.map((s) => s.slice(0, 30)))
    const value = fc.oneof(anyString.map((s) => s.slice(0, 500)), nasty, fc.constantFrom('2026-11-20', '0000-00-00', '1234567890', 'purchase'))
    const path = fc.constantFrom('spend', 'exports/google-ads', 'exports/google-data-manager', 'exports/meta', 'exports/yandex-metrica', 'exports/%00')
    await run(fc.tuple(path, fc.array(fc.tuple(key, value), { maxLength: 5 }), fc.constantFrom('GET', 'DELETE')), 600, async ([p, pairs, method]) => {
      const qs = new URLSearchParams(pairs).toString()
      await below500(`/api/sites/shop/${p}?${qs}`, { method: p === 'spend' ? method : 'GET' })
    })
  })

  it('PUT /destinations: any JSON answers below 500 and never echoes a token back', async () => {
    const body = fc.oneof(anyJson, fc.record({ pixelId: fc.oneof(anyString, fc.constant('123')), accessToken: anyString, conversion: fc.oneof(anyString, fc.constant(null)) }))
    await run(fc.tuple(fc.constantFrom('meta', 'google-data-manager', 'yandex-metrica', 'google-ads'), body), 400, async ([platform, b]) => {
      await below500(`/api/sites/shop/destinations/${platform}`, { method: 'PUT', body: JSON.stringify(b), headers: { 'content-type': 'application/json' } })
    })
    const res = await t.app.request('/api/sites/shop/destinations', { headers: admin })
    expect(res.status).toBe(200)
    expect(JSON.stringify(await res.json())).not.toMatch(/accessToken|oauthToken/)
  })
})
