/**
 * Alerts over HTTP on SQLite and PostgreSQL, with an injected clock and a webhook receiver
 * on 127.0.0.1. Site "shop" (UTC). Last Wednesday 12:10 twelve events arrived; today
 * (Wednesday 2026-11-25) the last one arrived at 11:00, so at 12:00 tracking has been
 * quiet for an hour in an hour that was busy a week ago.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TestClock, type TestApp, signIn } from '../helpers/app.ts'
import { eachStore } from '../helpers/stores.ts'
import { webhookReceiver } from '../helpers/webhook.ts'
import { AlertWorker } from '../../collector/src/alerts/worker.ts'
import type { Store } from '../../collector/src/store/types.ts'

const SHOP = 'https://shop.example'
const pv = (visitorId: string, ts: string) => ({ type: 'pageview', name: 'pageview', ts, visitorId, url: `${SHOP}/` })

eachStore('alerts', (open) => {
  let t: TestApp<Store>
  let clock: TestClock
  let secret: string
  let hook: Awaited<ReturnType<typeof webhookReceiver>>
  let worker: AlertWorker
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await t.app.request(path, {
      method, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() }
  }
  const tick = async (at: string) => {
    clock.set(at)
    await t.settle()
    await worker.tick()
  }
  const texts = () => hook.bodies.map((b) => `${b.rule}:${b.state}`)

  beforeAll(async () => {
    clock = new TestClock(Date.parse('2026-11-18T12:10:00Z'))
    t = await open(clock)
    hook = await webhookReceiver()
    worker = new AlertWorker({ store: t.store, clock, log: () => {} })
    secret = (await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'UTC' })).secret
    await t.sendServerEvents(secret, Array.from({ length: 12 }, (_, i) => pv(`w${i}`, '2026-11-18T12:10:00Z')))
    clock.set('2026-11-25T11:00:00Z')
    await t.sendServerEvents(secret, [pv('v1', '2026-11-25T11:00:00Z')])
  })
  afterAll(async () => { await hook.close(); await t.close() })

  it('validates rules and lists them', async () => {
    const bad = await call('PUT', '/api/sites/shop/alerts/x', { type: 'tracking_stopped', webhook: 'ftp://x', minutes: 1 })
    expect(bad.status).toBe(400)
    expect(bad.body.error.issues.map((i: any) => i.path).sort()).toEqual(['minutes', 'webhook'])
    expect((await call('PUT', '/api/sites/shop/alerts/x', { type: 'nope', webhook: hook.url })).body.error.issues[0].path).toBe('type')
    const made = await call('PUT', '/api/sites/shop/alerts/stopped', { type: 'tracking_stopped', webhook: hook.url, minutes: 30, minEvents: 10 })
    expect(made).toEqual({ status: 201, body: { id: 'stopped', type: 'tracking_stopped', webhook: hook.url, minutes: 30, minEvents: 10 } })
    expect((await call('PUT', '/api/sites/shop/alerts/stopped', { type: 'tracking_stopped', webhook: hook.url, minutes: 30, minEvents: 10 })).status).toBe(200)
    expect((await call('GET', '/api/sites/shop/alerts')).body.alerts.map((a: any) => a.id)).toEqual(['stopped'])
    expect((await t.app.request('/api/sites/shop/alerts')).status).toBe(401)
  })

  it('sends one message when tracking stops and one when it is back', async () => {
    await tick('2026-11-25T12:00:00Z')
    expect(texts()).toEqual(['stopped:open'])
    expect(hook.bodies[0].text).toMatch(/^🔴 shop · stopped: tracking stopped: no events for 60 min \(the same hour last week had 12\)$/)
    await tick('2026-11-25T12:00:40Z') // same minute: not evaluated again
    await tick('2026-11-25T12:01:00Z') // still quiet: the incident stays open, nothing more is said
    expect(texts()).toEqual(['stopped:open'])
    clock.set('2026-11-25T12:02:00Z')
    await t.sendServerEvents(secret, [pv('v2', '2026-11-25T12:02:00Z')])
    await tick('2026-11-25T12:03:00Z')
    expect(texts()).toEqual(['stopped:open', 'stopped:resolved'])
    const history = (await call('GET', '/api/sites/shop/alerts/history')).body.incidents
    const cookie = await signIn((path, init) => t.app.request(path, init), t.adminToken)
    const page = await t.app.request('http://localhost/dashboard/shop/alerts', { headers: { cookie } })
    const html = await page.text()
    expect(html).toContain('tracking stopped: no events for 60 min')
    expect(html).toContain('2026-11-25 12:03')
    expect(html).not.toContain(hook.url) // the webhook URL is a secret
    expect((await t.app.request('http://localhost/dashboard/shop/alerts')).status).toBe(401)
    expect(history).toMatchObject([{
      rule: 'stopped', type: 'tracking_stopped', opened: Date.parse('2026-11-25T12:00:00Z'), resolved: Date.parse('2026-11-25T12:03:00Z'),
      messages: [{ state: 'open', status: 'sent', attempts: 1 }, { state: 'resolved', status: 'sent', attempts: 1 }],
    }])
  })

  it('retries a failing webhook with backoff, then delivers once', async () => {
    // Six of the last hour's 13 events rejected (an unknown type is quarantined); 12:02 and six at 12:10 accepted.
    clock.set('2026-11-25T12:10:00Z')
    const sent = await t.sendServerEvents(secret, [
      ...Array.from({ length: 6 }, (_, i) => pv(`r${i}`, '2026-11-25T12:10:00Z')),
      ...Array.from({ length: 6 }, () => ({ type: 'bogus', name: 'x', ts: '2026-11-25T12:10:00Z' })),
    ])
    expect(sent.body.rejected).toHaveLength(6)
    expect((await call('PUT', '/api/sites/shop/alerts/rejects', { type: 'rejected_share', webhook: hook.url, percent: 20, minEvents: 10 })).status).toBe(201)
    hook.fail(2, 503)
    const before = hook.bodies.length
    await tick('2026-11-25T12:11:00Z')
    expect(hook.bodies.length - before).toBe(1) // 503
    await tick('2026-11-25T12:11:20Z') // retry not due before 30 s
    expect(hook.bodies.length - before).toBe(1)
    await tick('2026-11-25T12:11:31Z')
    expect(hook.bodies.length - before).toBe(2) // 503 again: next in 60 s
    await tick('2026-11-25T12:12:00Z')
    expect(hook.bodies.length - before).toBe(2)
    await tick('2026-11-25T12:12:32Z')
    const got = hook.bodies.slice(before)
    expect(got.map((b) => `${b.rule}:${b.state}`)).toEqual(['rejects:open', 'rejects:open', 'rejects:open'])
    expect(got[2].text).toBe('🔴 shop · rejects: 46% of events rejected in the last hour (6 of 13)')
    const [latest] = (await call('GET', '/api/sites/shop/alerts/history')).body.incidents
    expect(latest.messages).toEqual([{ state: 'open', status: 'sent', attempts: 3, lastError: null, sentAt: Date.parse('2026-11-25T12:12:32Z') }])
  })

  it('judges pacing against the band from the budgets', async () => {
    await t.store.reports.upsertBudgets('shop', [{ month: '2026-11', channel: 'Paid Search', source: null, medium: null, campaign: null, amount: 300, currency: 'EUR', targetCpa: 10, targetRoas: null }])
    expect((await call('PUT', '/api/sites/shop/alerts/pace', { type: 'pacing_outside', webhook: hook.url })).body).toMatchObject({ low: 0.8, high: 1.2 })
    await tick('2026-11-25T12:20:00Z')
    expect(hook.bodies.filter((b) => b.rule === 'pace').at(-1).text).toBe('🔴 shop · pace: pacing outside 80%–120%: Paid Search at 0%')
    expect((await call('DELETE', '/api/sites/shop/alerts/pace')).body).toEqual({ deleted: 'pace' })
    expect((await call('DELETE', '/api/sites/shop/alerts/pace')).status).toBe(404)
    expect((await call('GET', '/api/sites/shop/alerts')).body.alerts.map((a: any) => a.id)).toEqual(['rejects', 'stopped'])
  })

  it('says when conversions are down against the same weekday of the last 4 weeks, and when they recover', async () => {
    const buy = (ts: string, i: number) => ({ type: 'conversion', name: 'purchase', ts, visitorId: `b${ts}${i}`, orderId: `${ts}-${i}` })
    const weeks = ['2026-11-18', '2026-11-11', '2026-11-04', '2026-10-28']
    // 12 by 10:00 on each of the last 4 Wednesdays; later that day (after 12:30) more that must not count.
    await t.sendServerEvents(secret, weeks.flatMap((d) => [...Array.from({ length: 12 }, (_, i) => buy(`${d}T10:00:00Z`, i)), buy(`${d}T13:00:00Z`, 99)]))
    await t.sendServerEvents(secret, [buy('2026-11-24T11:00:00Z', 0)]) // yesterday: not today
    await call('PUT', '/api/sites/shop/alerts/down', { type: 'conversions_down', webhook: hook.url, percent: 50, minConversions: 10, conversion: 'purchase' })
    await tick('2026-11-25T12:30:00Z')
    expect(hook.bodies.filter((b) => b.rule === 'down').at(-1).text).toBe('🔴 shop · down: purchase conversions down 100%: 0 today so far against 12 on average by this time on the last 4 same weekdays')
    await t.sendServerEvents(secret, Array.from({ length: 7 }, (_, i) => buy('2026-11-25T12:30:00Z', i)))
    await tick('2026-11-25T12:31:00Z')
    expect(hook.bodies.filter((b) => b.rule === 'down').map((b) => b.state)).toEqual(['open', 'resolved'])
    expect(hook.bodies.at(-1).text).toBe('✅ shop · down: purchase conversions recovered: 7 today so far against 12 on average')
  })
})
