/**
 * Ad platforms over HTTP: spend files uploaded exactly as Google Ads, Meta and Yandex
 * Direct export them (test/fixtures/spend/), met with sessions sent through POST
 * /api/events, read back through the campaigns and attribution reports; on SQLite and,
 * when a server answers, PostgreSQL. Every visitor lands on 2026-11-02 from an ad and buys:
 *
 * g1, g2  google/cpc/brand + gclid           buy 500 and 300 EUR   spend "Brand" 2,000.00 (EN)
 * g3      google/cpc/gen-shoes-nov utm_id=222 buys 100 EUR         spend "Generic - Shoes" (id 222) 50.00
 * g4      google/cpc/shopping_de + gbraid     buys 550 EUR         spend "Shopping DE" 1,100.00 (DE, UTF-16)
 * g5      google/cpc/marque-fr                buys 617.28 EUR      spend "Marque FR" 1 234,56 (FR)
 * f1      facebook/paid/brand + fbclid        buys 200 EUR         spend Meta "Brand" 100.00 over 3 days
 *         (Meta "Retargeting" 210.00 has no sessions)
 * y1      yandex/cpc/70001 + yclid            buys 8,000 RUB       spend "Бренд" (№ 70001) 4 000,00 RUB (cp1251)
 *
 * For the conversion exports also:
 * n1      gclid click, buys 09:30 without ads consent             → in no export
 * o1      gclid click on 08-01, buys 11-02 17:00 (93 days later)  → in no export
 * m1      fbclid click 18:00, gclid click 18:10, buys 42.50 18:20 → Meta's and Google's export
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, signIn, startTestServer, TestClock, type TestApp } from '../helpers/app.ts'
import type { Store } from '../../collector/src/store/types.ts'

const SHOP = 'https://shop.example'
const RANGE = 'from=2026-11-01&to=2026-11-03'
const fixture = (name: string) => readFileSync(new URL(`../fixtures/spend/${name}`, import.meta.url))

const landing = (visitorId: string, ts: string, query: string) => ({ type: 'pageview', name: 'pageview', ts, visitorId, url: `${SHOP}/?${query}` })
const purchase = (visitorId: string, ts: string, value: number, currency: string, orderId: string, more: object = {}) => ({
  type: 'conversion', name: 'purchase', ts, visitorId, value, currency, orderId, url: `${SHOP}/thanks`, ...more,
})
const F1_ID = '0190f1aa-0000-7000-8000-0000000000f1'
const M1_ID = '0190f1aa-0000-7000-8000-0000000000a1'

export const STORY = [
  landing('g1', '2026-11-02T10:00:00Z', 'utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=GCLID-1'),
  purchase('g1', '2026-11-02T10:05:00Z', 500, 'EUR', 'G-1'),
  landing('g2', '2026-11-02T11:00:00Z', 'utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=GCLID-2'),
  purchase('g2', '2026-11-02T11:10:00Z', 300, 'EUR', 'G-2'),
  landing('g3', '2026-11-02T12:00:00Z', 'utm_source=google&utm_medium=cpc&utm_campaign=gen-shoes-nov&utm_id=222&gclid=GCLID-3'),
  purchase('g3', '2026-11-02T12:01:00Z', 100, 'EUR', 'G-3'),
  landing('g4', '2026-11-02T13:00:00Z', 'utm_source=google&utm_medium=cpc&utm_campaign=shopping_de&gbraid=GBRAID-4'),
  purchase('g4', '2026-11-02T13:01:00Z', 550, 'EUR', 'G-4'),
  landing('g5', '2026-11-02T14:00:00Z', 'utm_source=google&utm_medium=cpc&utm_campaign=marque-fr'),
  purchase('g5', '2026-11-02T14:01:00Z', 617.28, 'EUR', 'G-5'),
  landing('f1', '2026-11-02T15:00:00Z', 'utm_source=facebook&utm_medium=paid&utm_campaign=brand&fbclid=IwAR-f1'),
  purchase('f1', '2026-11-02T15:30:00Z', 200, 'EUR', 'F-1', { id: F1_ID }),
  landing('y1', '2026-11-02T16:00:00Z', 'utm_source=yandex&utm_medium=cpc&utm_campaign=70001&yclid=123456789'),
  purchase('y1', '2026-11-02T16:10:00Z', 8000, 'RUB', 'Y-1'),
  landing('n1', '2026-11-02T09:00:00Z', 'gclid=GCLID-N'),
  purchase('n1', '2026-11-02T09:30:00Z', 10, 'EUR', 'N-1', { consent: { analytics: true, ads: false } }),
  purchase('o1', '2026-11-02T17:00:00Z', 10, 'EUR', 'O-1'),
  landing('m1', '2026-11-02T18:00:00Z', 'fbclid=IwAR-m1'),
  landing('m1', '2026-11-02T18:10:00Z', 'gclid=GCLID-M'),
  purchase('m1', '2026-11-02T18:20:00Z', 42.5, 'EUR', 'M-1', { id: M1_ID }),
]

type OpenStore = () => Promise<{ store: Store; drop(): Promise<void> }>
/** The PostgreSQL helper, loaded only here so a PostgreSQL store that does not load skips those runs, not the SQLite ones. */
async function postgres(): Promise<{ open: OpenStore | null; why: string | null }> {
  try {
    const pg = await import('../helpers/postgres.ts')
    const why = await pg.probePostgres()
    return { open: why === null ? (pg.openTestPostgres as unknown as OpenStore) : null, why }
  } catch (err) {
    return { open: null, why: `the PostgreSQL store does not load: ${(err as Error).message}` }
  }
}
const pg = await postgres()
if (pg.why) console.warn(`ads-http: PostgreSQL runs skipped: ${pg.why}`)
const noPostgres = pg.why

const stores: [string, OpenStore | null][] = [
  ['SQLite', null],
  ['PostgreSQL', pg.open],
]

for (const [name, openStore] of stores) {
  describe.skipIf(name === 'PostgreSQL' && noPostgres !== null)(`ad platform spend over HTTP (${name})`, () => {
    let t: TestApp<Store>
    let drop: (() => Promise<void>) | null = null
    const auth = () => ({ authorization: `Bearer ${t.adminToken}` })
    const put = async (path: string, body: Uint8Array | string, type = 'text/csv') => {
      const res = await t.app.request(path, { method: 'PUT', body: body as BodyInit, headers: { ...auth(), 'content-type': type } })
      return { status: res.status, body: await res.json() as any }
    }
    const get = async (path: string, method = 'GET') => {
      const res = await t.app.request(path, { method, headers: auth() })
      return { status: res.status, body: await res.json() as any }
    }

    beforeAll(async () => {
      const opened = openStore ? await openStore() : null
      drop = opened?.drop ?? null
      const clock = new TestClock(Date.parse('2026-08-02T12:00:00Z'))
      t = await makeTestApp<Store>({ clock, ...(opened ? { store: opened.store } : {}) })
      const { secret } = await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'UTC' })
      expect((await t.sendServerEvents(secret, [landing('o1', '2026-08-01T10:00:00Z', 'gclid=GCLID-OLD')])).body).toMatchObject({ accepted: 1 })
      clock.set('2026-11-25T12:00:00Z')
      expect((await t.sendServerEvents(secret, STORY)).body).toMatchObject({ accepted: STORY.length })
    })
    afterAll(async () => {
      await t.close()
      await drop?.()
    })

    it('takes each file as downloaded, names the format, skips totals and lists unmatched campaigns', async () => {
      expect(await put('/api/sites/shop/spend', fixture('google-ads-en.csv'))).toEqual({
        status: 200,
        body: { format: 'google-ads', upserted: 3, skipped: [{ line: 7, reason: 'totals row' }, { line: 8, reason: 'totals row' }], unmatchedCampaigns: [] },
      })
      expect((await put('/api/sites/shop/spend', fixture('google-ads-de-excel.csv'), 'text/csv; charset=utf-16'))).toMatchObject({
        status: 200, body: { format: 'google-ads', upserted: 2, skipped: [{ line: 6 }], unmatchedCampaigns: [] },
      })
      expect((await put('/api/sites/shop/spend', fixture('google-ads-fr.csv')))).toMatchObject({ status: 200, body: { format: 'google-ads', upserted: 2, unmatchedCampaigns: [] } })
      expect(await put('/api/sites/shop/spend', fixture('meta.csv'))).toEqual({
        status: 200,
        body: {
          format: 'meta', upserted: 6, skipped: [{ line: 2, reason: 'summary row (no campaign name)' }],
          unmatchedCampaigns: [{ source: 'facebook', medium: 'paid', campaign: 'Retargeting', campaignId: '6002' }],
        },
      })
      expect(await put('/api/sites/shop/spend', fixture('yandex-cp1251.csv'), 'application/octet-stream')).toEqual({
        status: 200, body: { format: 'yandex', upserted: 2, skipped: [{ line: 6, reason: 'totals row (Итого)' }], unmatchedCampaigns: [] },
      })
    })

    it('reports cost, CPA and ROAS per campaign, spend matched by loose name or campaign id', async () => {
      // uploading the same file again changes nothing
      expect((await put('/api/sites/shop/spend', fixture('google-ads-en.csv'))).status).toBe(200)
      const { body } = await get(`/api/sites/shop/campaigns?${RANGE}`)
      const row = (s: string, m: string, c: string) => body.rows.find((r: any) => r.source === s && r.medium === m && r.campaign === c)
      expect(row('google', 'cpc', 'brand')).toMatchObject({
        sessions: 2, conversions: 2, revenue: { EUR: 800 }, cost: { EUR: 2000 }, impressions: 20345, clicks: 1000, cpa: { EUR: 1000 }, roas: { EUR: 0.4 },
      })
      expect(row('google', 'cpc', 'gen-shoes-nov')).toMatchObject({ sessions: 1, conversions: 1, cost: { EUR: 50 }, cpa: { EUR: 50 }, roas: { EUR: 2 } })
      expect(row('google', 'cpc', 'shopping_de')).toMatchObject({ conversions: 1, cost: { EUR: 1100 }, clicks: 550, cpa: { EUR: 1100 }, roas: { EUR: 0.5 } })
      expect(row('google', 'cpc', 'marque-fr')).toMatchObject({ conversions: 1, cost: { EUR: 1234.56 }, cpa: { EUR: 1234.56 }, roas: { EUR: 0.5 } })
      const meta = row('facebook', 'paid', 'brand')
      expect(meta).toMatchObject({ sessions: 1, conversions: 1, impressions: 10000, clicks: 300 })
      expect(meta.cost.EUR).toBeCloseTo(100, 9)
      expect(meta.roas.EUR).toBeCloseTo(2, 9)
      expect(row('facebook', 'paid', 'Retargeting')).toMatchObject({ sessions: 0, conversions: 0, cost: { EUR: 210 }, roas: { EUR: 0 } })
      expect(row('yandex', 'cpc', '70001')).toMatchObject({ conversions: 1, revenue: { RUB: 8000 }, cost: { RUB: 4000 }, cpa: { RUB: 4000 }, roas: { RUB: 2 } })
      // matched spend has no row of its own under the platform's spelling
      expect(row('google', 'cpc', 'Brand')).toBeUndefined()
      expect(row('yandex', 'cpc', 'Бренд')).toBeUndefined()
    })

    it('keeps Google\'s and Meta\'s "brand" apart in attribution by campaign', async () => {
      const { body } = await get(`/api/sites/shop/attribution?${RANGE}&dimension=campaign`)
      expect(body.rows).toEqual(expect.arrayContaining([
        { value: 'google / cpc / brand', source: 'google', medium: 'cpc', campaign: 'brand', conversions: 2, revenue: { EUR: 800 } },
        { value: 'facebook / paid / brand', source: 'facebook', medium: 'paid', campaign: 'brand', conversions: 1, revenue: { EUR: 200 } },
      ]))
    })

    it('lists and deletes spend by range and filters', async () => {
      const listed = await get('/api/sites/shop/spend?source=facebook&campaign=Brand')
      expect(listed.body.rows.map((r: any) => [r.date, r.cost, r.impressions, r.clicks, r.campaignId])).toEqual([
        ['2026-11-01', 33.33, 3333, 100, '6001'], ['2026-11-02', 33.33, 3333, 100, '6001'], ['2026-11-03', 33.34, 3334, 100, '6001'],
      ])
      expect((await get('/api/sites/shop/spend?from=2026-11-02&to=2026-11-02&source=google')).body.rows).toHaveLength(2)
      expect(await get('/api/sites/shop/spend?source=facebook&campaign=Retargeting&from=2026-11-02', 'DELETE')).toEqual({ status: 200, body: { deleted: 2 } })
      expect((await get('/api/sites/shop/spend?source=facebook&campaign=Retargeting')).body.rows).toHaveLength(1)
      expect((await get('/api/sites/shop/spend', 'DELETE')).status).toBe(400)
      expect((await get('/api/sites/shop/spend?from=11/02/2026')).status).toBe(400)
    })

    it('refuses a bad file with the line and column, writing nothing', async () => {
      const before = (await get('/api/sites/shop/spend')).body.rows
      const broken = new TextDecoder().decode(fixture('google-ads-en.csv')).replace('765.50', '76x').replace('Brand,111', 'Brand NEW,111')
      const res = await put('/api/sites/shop/spend', broken)
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_spend', message: 'line 5, column "Cost": "76x" is not a number like 1,234.56' } } })
      expect(res.body.error.issues[0]).toMatchObject({ line: 5, path: 'Cost' })
      expect((await get('/api/sites/shop/spend')).body.rows).toEqual(before)
      expect((await put('/api/sites/shop/spend?format=meta', fixture('google-ads-en.csv'))).body.error.message).toMatch(/^Meta export: no header/)
      expect((await put('/api/sites/shop/spend?format=tiktok', fixture('google-ads-en.csv'))).status).toBe(400)
    })

    it('reads the upload from a real socket, and refuses one over 4 MiB with 413', async () => {
      const server = await startTestServer(t.app)
      try {
        const put = (body: Uint8Array) => fetch(`${server.url}/api/sites/shop/spend`, { method: 'PUT', body: body as BodyInit, headers: auth() })
        const ok = await put(fixture('google-ads-de-excel.csv'))
        expect(await ok.json()).toMatchObject({ format: 'google-ads', upserted: 2 })
        const big = await put(new Uint8Array(4 * 1024 * 1024 + 1).fill(0x41))
        expect(big.status).toBe(413)
      } finally {
        await server.close()
      }
    })

    it('takes source and medium from the upload when the tags differ from the platform defaults', async () => {
      const res = await put('/api/sites/shop/spend?source=fb&medium=paid_social', fixture('meta.csv'))
      expect(res.body).toMatchObject({ format: 'meta', upserted: 6 })
      expect((await get('/api/sites/shop/spend?source=fb&medium=paid_social')).body.rows).toHaveLength(6)
    })

    const download = async (path: string) => {
      const res = await t.app.request(path, { headers: auth() })
      return { status: res.status, type: res.headers.get('content-type'), count: res.headers.get('x-conversions'), body: await res.text() }
    }

    it('exports Google Ads click conversions in the upload file format', async () => {
      const r = await download(`/api/sites/shop/exports/google-ads?conversion=purchase&${RANGE}`)
      expect(r).toMatchObject({ status: 200, type: 'text/csv; charset=utf-8', count: '5' })
      expect(r.body).toBe('Parameters:TimeZone=UTC\r\n' +
        'Google Click ID,GBRAID,WBRAID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n' +
        'GCLID-1,,,purchase,2026-11-02 10:05:00,500,EUR\r\n' +
        'GCLID-2,,,purchase,2026-11-02 11:10:00,300,EUR\r\n' +
        'GCLID-3,,,purchase,2026-11-02 12:01:00,100,EUR\r\n' +
        ',GBRAID-4,,purchase,2026-11-02 13:01:00,550,EUR\r\n' +
        'GCLID-M,,,purchase,2026-11-02 18:20:00,42.5,EUR\r\n')
      // another conversion name: nothing, but still a valid file
      expect((await download(`/api/sites/shop/exports/google-ads?conversion=signup&${RANGE}`)).body)
        .toBe('Parameters:TimeZone=UTC\r\nGoogle Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n')
    })

    it('exports the same conversions as a Data Manager events:ingest body', async () => {
      const r = await download(`/api/sites/shop/exports/google-data-manager?conversion=purchase&${RANGE}&account=1234567890&conversionAction=555`)
      expect(r).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', count: '5' })
      const body = JSON.parse(r.body)
      expect(body.destinations).toEqual([{ operatingAccount: { accountType: 'GOOGLE_ADS', accountId: '1234567890' }, productDestinationId: '555' }])
      expect(body.events.map((e: any) => e.transactionId)).toEqual(['G-1', 'G-2', 'G-3', 'G-4', 'M-1'])
      expect(body.events[3]).toEqual({
        adIdentifiers: { gbraid: 'GBRAID-4' }, conversionValue: 550, currency: 'EUR', eventTimestamp: '2026-11-02T13:01:00.000Z',
        transactionId: 'G-4', eventSource: 'WEB', consent: { adUserData: 'CONSENT_GRANTED' },
      })
    })

    it('exports Meta Conversions API events with the pixel event id and fbc from the click', async () => {
      const r = await download(`/api/sites/shop/exports/meta?conversion=purchase&${RANGE}`)
      expect(r).toMatchObject({ status: 200, count: '2' })
      expect(JSON.parse(r.body)).toEqual({
        data: [
          {
            event_name: 'Purchase', event_time: Date.parse('2026-11-02T15:30:00Z') / 1000, event_id: F1_ID, action_source: 'website',
            event_source_url: `${SHOP}/thanks`, user_data: { fbc: `fb.1.${Date.parse('2026-11-02T15:00:00Z')}.IwAR-f1` },
            custom_data: { value: 200, currency: 'EUR', order_id: 'F-1' },
          },
          {
            event_name: 'Purchase', event_time: Date.parse('2026-11-02T18:20:00Z') / 1000, event_id: M1_ID, action_source: 'website',
            event_source_url: `${SHOP}/thanks`, user_data: { fbc: `fb.1.${Date.parse('2026-11-02T18:00:00Z')}.IwAR-m1` },
            custom_data: { value: 42.5, currency: 'EUR', order_id: 'M-1' },
          },
        ],
      })
    })

    it('exports Yandex Metrica offline conversions with Unix seconds', async () => {
      const r = await download(`/api/sites/shop/exports/yandex-metrica?conversion=purchase&${RANGE}`)
      expect(r.body).toBe(`Yclid,Target,DateTime,Price,Currency\r\n123456789,purchase,${Date.parse('2026-11-02T16:10:00Z') / 1000},8000,RUB\r\n`)
    })

    it('adds the hashed email and phone of a server-side conversion (enhanced conversions), only with ads consent', async () => {
      const { createHash } = await import('node:crypto')
      const sha = (x: string) => createHash('sha256').update(x).digest('hex')
      const site = await t.createSite(`ec${name.length}`, { timezone: 'UTC' })
      const user = { email: ' Jane.Doe@Example.COM ', phone: '+49 (170) 123-4567' }
      const sent = await t.sendServerEvents(site.secret, [
        landing('e1', '2026-11-20T09:50:00Z', 'fbclid=IwAR-e1'),
        landing('e1', '2026-11-20T10:00:00Z', 'gclid=GE1'),
        purchase('e1', '2026-11-20T10:05:00Z', 99, 'EUR', 'E-1', { id: '0190f1aa-0000-7000-8000-0000000000e1', user }),
        landing('e2', '2026-11-20T11:00:00Z', 'gclid=GE2'),
        purchase('e2', '2026-11-20T11:05:00Z', 5, 'EUR', 'E-2', { user, consent: { analytics: true, ads: false } }),
        purchase('e3', '2026-11-20T12:00:00Z', 5, 'EUR', 'E-3', { user: { phone: '0170 1234567' } }),
      ])
      expect(sent.body).toMatchObject({ accepted: 5, rejected: [{ index: 5, message: expect.stringMatching(/^user\.phone: a phone number in E\.164/) }] })
      const path = `/api/sites/${site.id}/exports`
      const meta = JSON.parse((await download(`${path}/meta?conversion=purchase&from=2026-11-20&to=2026-11-20`)).body)
      expect(meta.data[0].user_data).toEqual({ em: [sha('jane.doe@example.com')], ph: [sha('491701234567')], fbc: `fb.1.${Date.parse('2026-11-20T09:50:00Z')}.IwAR-e1` })
      const google = JSON.parse((await download(`${path}/google-data-manager?conversion=purchase&from=2026-11-20&to=2026-11-20`)).body)
      expect(google.encoding).toBe('HEX')
      expect(google.events.map((e: any) => e.userData)).toEqual([{ userIdentifiers: [{ emailAddress: sha('jane.doe@example.com') }, { phoneNumber: sha('+491701234567') }] }])
      if (name === 'SQLite') {
        // e2 had no ads consent: only e1's hashes are kept, and never the email itself
        const rows = (t.store as any).db.prepare('SELECT * FROM user_hashes WHERE site = ?').all(site.id)
        expect(rows).toEqual([{ site: site.id, event_id: '0190f1aa-0000-7000-8000-0000000000e1', email_sha256: sha('jane.doe@example.com'), phone_sha256: sha('+491701234567'), phone_digits_sha256: sha('491701234567') }])
      }
    })

    it('refuses an unknown platform and bad parameters', async () => {
      expect((await download('/api/sites/shop/exports/tiktok')).status).toBe(404)
      expect((await download('/api/sites/shop/exports/google-data-manager?account=123-456-7890')).status).toBe(400)
      expect((await download('/api/sites/shop/exports/meta?from=2026-13-01')).status).toBe(400)
      expect((await t.app.request('/api/sites/shop/exports/meta')).status).toBe(401)
    })

    it('offers the upload form and the exports with their counts on the dashboard', async () => {
      const cookie = await signIn((p, i) => t.app.request(p, i), t.adminToken)
      expect((await t.app.request('http://localhost/dashboard/shop/ads')).status).toBe(401)
      const page = await t.app.request(`http://localhost/dashboard/shop/ads?${RANGE}`, { headers: { cookie } })
      expect(page.headers.get('content-security-policy')).toContain("form-action 'self'")
      const html = await page.text()
      expect(html).toContain('enctype="multipart/form-data"')
      // purchase: 5 for Google, 2 for Meta, 1 for Yandex
      const links = [...html.matchAll(/exports\/([a-z-]+)\?conversion=purchase[^"]*">([\d,]+) ↓/g)].map((m) => [m[1], m[2]])
      expect(links).toEqual([['google-ads', '5'], ['google-data-manager', '5'], ['meta', '2'], ['yandex-metrica', '1']])

      const form = new FormData()
      form.set('file', new Blob([fixture('yandex-cp1251.csv')]), 'report.csv')
      form.set('format', '')
      form.set('source', 'Yandex')
      form.set('medium', '')
      const up = await t.app.request('http://localhost/dashboard/shop/spend', { method: 'POST', body: form, headers: { cookie } })
      expect(up.status).toBe(200)
      expect(await up.text()).toContain('Imported 2 spend rows from a <strong>yandex</strong> file.')
      const bad = new FormData()
      bad.set('file', new Blob(['hello']), 'x.csv')
      const refused = await t.app.request('http://localhost/dashboard/shop/spend', { method: 'POST', body: bad, headers: { cookie, origin: 'https://evil.example' } })
      expect(refused.status).toBe(403)
      const failed = await t.app.request('http://localhost/dashboard/shop/spend', { method: 'POST', body: bad, headers: { cookie } })
      expect(failed.status).toBe(400)
      expect(await failed.text()).toContain('Nothing was imported: Unknown spend file')
    })
  })
}
