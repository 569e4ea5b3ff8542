/**
 * Goals without code over HTTP, on SQLite and PostgreSQL (site in EUR, UTC):
 *
 * v1 11-10 10:00 /pricing?gclid (Paid Search), 10:05 /thanks/a, 10:06 /thanks/b (one session)
 * v2 11-11 10:00 /?utm newsletter/email, plan_select {plan: pro}; 11-12 10:00 plan_select
 *    {plan: pro} (a new session, Direct), plan_select {plan: basic}
 * v3 11-12 12:00 /thanks/x (Direct)
 *
 * Goal signup = /thanks/* worth 10: v1's session once (not twice) and v3 → 2 conversions.
 * Goal pro = plan_select with plan=pro: one per session of v2 → 2 conversions.
 * Both are defined after the events arrived (a backfill); later events become goal
 * conversions as they are derived, and a rebuild makes the same conversions anew.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TestClock, type TestApp } from '../helpers/app.ts'
import { eachStore } from '../helpers/stores.ts'
import type { Store } from '../../collector/src/store/types.ts'
import { rebuildDerived } from '../../collector/src/derive/rebuild.ts'

const SHOP = 'https://shop.example'
const RANGE = 'from=2026-11-01&to=2026-11-24'
const pv = (visitorId: string, ts: string, path: string) => ({ type: 'pageview', name: 'pageview', ts, visitorId, url: `${SHOP}${path}` })
const plan = (visitorId: string, ts: string, p: string) => ({ type: 'event', name: 'plan_select', ts, visitorId, props: { plan: p } })

eachStore('goals', (open) => {
  let t: TestApp<Store>
  let secret: string
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await t.app.request(path, {
      method, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() }
  }
  const attributed = async (conversion: string) => {
    const { body } = await call('GET', `/api/sites/shop/attribution?${RANGE}&conversion=${conversion}`)
    return Object.fromEntries(body.rows.map((r: any) => [r.value, [r.conversions, r.revenue.EUR ?? 0]]))
  }

  beforeAll(async () => {
    t = await open(new TestClock(Date.parse('2026-11-25T12:00:00Z')))
    secret = (await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'UTC' })).secret
    const r = await t.sendServerEvents(secret, [
      pv('v1', '2026-11-10T10:00:00Z', '/pricing?gclid=g'), pv('v1', '2026-11-10T10:05:00Z', '/thanks/a'), pv('v1', '2026-11-10T10:06:00Z', '/thanks/b'),
      pv('v2', '2026-11-11T10:00:00Z', '/?utm_source=newsletter&utm_medium=email&utm_campaign=nov'), plan('v2', '2026-11-11T10:01:00Z', 'pro'),
      plan('v2', '2026-11-12T10:00:00Z', 'pro'), plan('v2', '2026-11-12T10:01:00Z', 'basic'),
      pv('v3', '2026-11-12T12:00:00Z', '/thanks/x'),
    ])
    expect(r.body.rejected).toEqual([])
    await t.settle()
  })
  afterAll(async () => { await t.close() })

  it('turns past events into conversions when a goal is defined, once per session', async () => {
    const signup = await call('PUT', '/api/sites/shop/goals/signup', { path: '/thanks/*', value: 10 })
    expect(signup).toEqual({ status: 200, body: { goal: { name: 'signup', path: '/thanks/*', event: null, props: {}, value: 10, currency: 'EUR' }, conversions: 2 } })
    const pro = await call('PUT', '/api/sites/shop/goals/pro', { event: 'plan_select', props: { plan: 'pro' } })
    expect(pro.body.conversions).toBe(2)
    expect((await call('GET', '/api/sites/shop/goals')).body.goals.map((g: any) => g.name)).toEqual(['pro', 'signup'])
  })

  it('shows goal conversions wherever conversions count: summary, attribution, funnels', async () => {
    expect((await call('GET', `/api/sites/shop/summary?${RANGE}`)).body).toMatchObject({ conversions: 4, revenue: { EUR: 20 } })
    expect(await attributed('signup')).toEqual({ 'Paid Search': [1, 10], Direct: [1, 10] })
    expect(await attributed('pro')).toEqual({ Email: [2, 0] }) // last non-direct: the newsletter visit within 30 days
    const funnel = await call('GET', `/api/sites/shop/funnel?${RANGE}&step=pageview:/pricing&step=conversion:signup`)
    expect(funnel.body.steps.map((s: any) => s.visitors)).toEqual([1, 1])
  })

  it('counts events arriving after the goal, the earliest event of a session winning', async () => {
    const hours = async (day: string) => (await call('GET', `/api/sites/shop/timeseries?from=${day}&to=${day}&conversion=signup`)).body.points
      .filter((p: any) => p.conversions > 0).map((p: any) => [p.start, p.conversions])
    await t.sendServerEvents(secret, [pv('v4', '2026-11-20T12:00:00Z', '/thanks/late')])
    expect(await hours('2026-11-20')).toEqual([['2026-11-20T12:00', 1]])
    // Two matching pages in one session, in one request and in two: one conversion each
    // session, at the earliest page derived.
    await t.sendServerEvents(secret, [pv('v5', '2026-11-21T12:00:00Z', '/thanks/b'), pv('v5', '2026-11-21T11:59:00Z', '/thanks/a')])
    await t.sendServerEvents(secret, [pv('v5', '2026-11-21T12:05:00Z', '/thanks/c')])
    expect(await hours('2026-11-21')).toEqual([['2026-11-21T11:00', 1]])
    expect((await attributed('signup')).Direct).toEqual([3, 30])
  })

  it('keeps one conversion when a late event joins two sessions that each had one', async () => {
    const day = async () => (await call('GET', '/api/sites/shop/summary?from=2026-11-22&to=2026-11-22')).body
    await t.sendServerEvents(secret, [pv('v7', '2026-11-22T10:00:00Z', '/thanks/a')])
    await t.sendServerEvents(secret, [pv('v7', '2026-11-22T11:00:00Z', '/thanks/b')]) // an hour later: a session of its own
    expect(await day()).toMatchObject({ sessions: 2, conversions: 2 })
    await t.sendServerEvents(secret, [pv('v7', '2026-11-22T10:30:00Z', '/pricing')]) // arrives late and bridges the gap
    expect(await day()).toMatchObject({ sessions: 1, conversions: 1 })
    await t.sendServerEvents(secret, [pv('v7', '2026-11-22T11:10:00Z', '/thanks/c')])
    expect(await day()).toMatchObject({ sessions: 1, conversions: 1 })
  })

  it('makes the same goal conversions anew on a rebuild', async () => {
    const before = await attributed('signup')
    await t.settle()
    await rebuildDerived(t.store)
    expect(await attributed('signup')).toEqual(before)
    expect(await attributed('pro')).toEqual({ Email: [2, 0] })
    expect((await call('GET', `/api/sites/shop/summary?${RANGE}`)).body).toMatchObject({ conversions: 7, revenue: { EUR: 50 } })
  })

  it('leaves goal conversions out of the tracking-health event counts', async () => {
    await t.sendServerEvents(secret, [pv('v6', '2026-11-25T11:30:00Z', '/thanks/z')])
    await t.settle()
    const hours = await t.store.reports.health.eventsPerHour('shop', Date.parse('2026-11-25T12:00:00Z'))
    expect(hours.find((h) => h.hour === Date.parse('2026-11-25T11:00:00Z'))?.events).toBe(1)
    expect((await call('GET', '/api/sites/shop/summary?from=2026-11-25&to=2026-11-25')).body).toMatchObject({ pageviews: 1, conversions: 1 })
  })

  it('re-derives a changed goal and removes a deleted one\'s conversions', async () => {
    expect((await call('PUT', '/api/sites/shop/goals/signup', { path: '/nowhere' })).body.conversions).toBe(0)
    expect(await attributed('signup')).toEqual({})
    expect((await call('DELETE', '/api/sites/shop/goals/pro')).body).toEqual({ deleted: 'pro' })
    expect(await attributed('pro')).toEqual({})
    expect((await call('DELETE', '/api/sites/shop/goals/pro')).status).toBe(404)
  })

  it('rejects a bad goal naming the field', async () => {
    const both = await call('PUT', '/api/sites/shop/goals/x', { path: '/a', event: 'b' })
    expect(both.status).toBe(400)
    expect(both.body.error.issues[0].path).toBe('path')
    const name = await call('PUT', '/api/sites/shop/goals/a%20b', { path: '/a' })
    expect(name.body.error.issues[0].path).toBe('name')
    expect((await call('PUT', '/api/sites/shop/goals/x', { path: 'thanks' })).body.error.message).toMatch(/must start with \//)
    expect((await t.app.request('/api/sites/shop/goals')).status).toBe(401)
  })
})
