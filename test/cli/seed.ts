import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeTestApp } from '../helpers/app.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'
import { event } from '../store/contract.ts'

/** Events of the seeded site `shop` (Europe/Berlin): 3 days from 2026-11-02, 2 visitors a day (3 events each), and one more not yet derived on the last day. */
export const SEEDED = { days: ['2026-11-02', '2026-11-03', '2026-11-04'], eventsPerDay: 6, late: 1 }

/**
 * A data dir whose SQLite file holds site `shop` with pageviews, conversions (with value),
 * campaign touches, a quarantined event, spend, a budget, and one acknowledged batch not yet derived.
 */
export async function seededDataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'funnelbeam-cli-'))
  const store = new SqliteStore(join(dir, 'funnelbeam.db'))
  const t = await makeTestApp({ store, clock: { now: () => Date.parse('2026-11-05T12:00:00Z') } })
  const { secret } = await t.createSite('shop', { origins: ['https://shop.example'], currency: 'EUR', timezone: 'Europe/Berlin' })
  for (const day of SEEDED.days) {
    for (const v of ['a', 'b']) {
      const at = (m: number) => `${day}T10:${String(m).padStart(2, '0')}:00Z`
      const ts = Date.parse(at(0))
      const r = await t.sendServerEvents(secret, [
        { id: uuidv7(ts), type: 'pageview', name: 'pageview', ts: at(0), visitorId: `${v}-${day}`, url: 'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=brand' },
        { id: uuidv7(ts + 1), type: 'pageview', name: 'pageview', ts: at(5), visitorId: `${v}-${day}`, url: 'https://shop.example/pricing', props: { plan: 'pro, "annual"' } },
        { id: uuidv7(ts + 2), type: 'conversion', name: 'purchase', ts: at(10), visitorId: `${v}-${day}`, value: 49.9, currency: 'EUR', orderId: `${v}-${day}` },
      ])
      if (r.body.accepted !== 3) throw new Error(JSON.stringify(r.body))
    }
  }
  await t.sendServerEvents(secret, [{ type: 'conversion', name: 'x', bogus: 1 }])
  await t.app.request('/api/sites/shop/spend', {
    method: 'PUT', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/csv' },
    body: 'date,source,medium,campaign,cost,impressions,clicks\n2026-11-02,google,cpc,brand,10,100,5\n',
  })
  const budget = await t.app.request('/api/sites/shop/budgets', {
    method: 'PUT', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify([{ month: '2026-11', channel: 'Paid Search', amount: 3000, targetCpa: 40 }]),
  })
  if (budget.status !== 200) throw new Error(await budget.text())
  await t.settle()
  await t.close()
  // One more event straight into the store, with no deriver running: acknowledged, in the
  // inbox, not derived (commands that read must let derivation catch up).
  const later = new SqliteStore(join(dir, 'funnelbeam.db'))
  const ts = Date.parse('2026-11-04T16:00:00Z')
  await later.insertEvents('shop', [event({ ts, received: ts, visitor: 'late', url: 'https://shop.example/late', path: '/late' })])
  await later.close()
  return dir
}
