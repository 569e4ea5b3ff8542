/**
 * Two collector processes on one PostgreSQL database (two stores on one schema), each
 * with its own alert worker ticking at the same moments: each incident is announced once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertWorker } from '../../collector/src/alerts/worker.ts'
import { createSite } from '../../collector/src/routes/sites.ts'
import { PostgresStore } from '../../collector/src/store/postgres.ts'
import { TestClock } from '../helpers/app.ts'
import { derived, openTestPostgres, probePostgres, TEST_PG_URL } from '../helpers/postgres.ts'
import { webhookReceiver } from '../helpers/webhook.ts'

const noPostgres = await probePostgres()

describe.skipIf(noPostgres !== null)('alerts with two processes on PostgreSQL', () => {
  let a: Awaited<ReturnType<typeof openTestPostgres>>
  let b: PostgresStore
  let hook: Awaited<ReturnType<typeof webhookReceiver>>
  const clock = new TestClock(Date.parse('2026-11-25T12:00:00Z'))

  beforeAll(async () => {
    a = await openTestPostgres()
    b = await PostgresStore.open(TEST_PG_URL, { schema: a.schema, max: 4 })
    hook = await webhookReceiver()
    await createSite(a.store, clock, { id: 'shop', origins: [] })
    await a.store.alerts.putRule({ site: 'shop', id: 'stopped', created: clock.now(), definition: { type: 'tracking_stopped', webhook: hook.url, minutes: 5, minEvents: 1 } })
  })
  afterAll(async () => { await hook.close(); await b.close(); await a.drop() })

  it('evaluates each minute once and announces the incident once', async () => {
    const workers = [new AlertWorker({ store: a.store, clock, log: () => {} }), new AlertWorker({ store: b, clock, log: () => {} })]
    // Busy last week at this hour: one event received then.
    const lastWeek = Date.parse('2026-11-18T12:05:00Z')
    await a.store.insertEvents('shop', [{
      id: '0193a1b2-0000-7000-8000-000000000001', type: 'pageview', name: 'pageview', ts: lastWeek, received: lastWeek, visitor: 'v', userId: null,
      path: '/', url: null, referrer: null, title: null, touch: { source: null, medium: null, campaign: null, term: null, content: null, utmId: null, clickIdType: null, clickId: null, referrerHost: null },
      channel: 'Direct', device: null, browser: null, country: null, lang: null, screen: null, value: null, currency: null, orderId: null, props: null, consent: 1, bot: false, origin: 'server',
    }])
    await derived(a.store)
    for (const at of ['2026-11-25T12:00:00Z', '2026-11-25T12:00:30Z', '2026-11-25T12:01:00Z']) {
      clock.set(at)
      await Promise.all(workers.map((w) => w.tick()))
    }
    expect(hook.bodies.map((x) => `${x.rule}:${x.state}`)).toEqual(['stopped:open'])
    const history = await b.alerts.history('shop', 10)
    expect(history).toHaveLength(1)
    expect(history[0].messages).toMatchObject([{ state: 'open', status: 'sent', attempts: 1 }])
  })
})
