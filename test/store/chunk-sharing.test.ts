/**
 * The report workers of one pool share the chunks they read (`store/chunk-cache.ts`,
 * `report-runner/chunk-peers.ts`): a chunk read from SQLite by one is handed to the others as
 * shared memory. A user must get the same reports, and a worker must not read again what
 * another read: two read-only connections on the demo shop's file, on one real channel.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { seedDemoShop } from '../helpers/demo-shop.ts'
import { SqliteReports } from '../../collector/src/store/sqlite-reports.ts'
import { chunkCache } from '../../collector/src/store/chunk-cache.ts'
import { chunkPeers } from '../../collector/src/report-runner/chunk-peers.ts'
import { createReports } from '../../collector/src/reports/service.ts'
import { parseAttributionQuery, parseFunnelQuery } from '../../collector/src/reports/query.ts'
import type { Site } from '../../collector/src/model.ts'

const NOW = Date.parse('2026-11-25T12:00:00Z')
const TODAY = '2026-11-25'
const RANGE = 'from=2026-11-12&to=2026-11-25'
const FUNNEL = `${RANGE}&step=pageview:/pricing&step=event:plan_select&step=conversion:lead&step=conversion:purchase`

let t: TestApp
let site: Site
const dbs: Database.Database[] = []

beforeAll(async () => {
  t = await makeTestApp({ clock: new TestClock(NOW) })
  site = await seedDemoShop(t, NOW)
  while ((await t.store.refreshFunnel(1000, 0)) > 0);
})
afterAll(async () => { for (const db of dbs) db.close(); await t?.close() })

/** A report worker's connection: read-only, its chunk cache on `channel`. */
function reader(channel: string) {
  const db = new Database(join(t.dir, 'funnelbeam.db'), { readonly: true, fileMustExist: true })
  dbs.push(db)
  chunkCache(db).sharedWith(chunkPeers(channel))
  return { reports: createReports(new SqliteReports(db)), read: () => chunkCache(db).stats().readBytes }
}

const funnel = (extra: string) => parseFunnelQuery(new URLSearchParams(`${FUNNEL}&${extra}`), TODAY)

it('answers from chunks another worker read, reading none of them again, and gives the reports one connection alone gives', async () => {
  const local = createReports(t.store.reports)
  const channel = `test-${randomUUID()}`
  const [a, b] = [reader(channel), reader(channel)]
  const asked = ['breakdown=landing', 'mode=strict&device=mobile', 'breakdown=experiment:checkout_button', 'variant=checkout_button:b']
  for (const extra of asked) expect(await a.reports.funnel(site, funnel(extra)), extra).toEqual(await local.funnel(site, funnel(extra)))
  const readByA = a.read()
  expect(readByA).toBeGreaterThan(0)
  for (const extra of asked) expect(await b.reports.funnel(site, funnel(extra)), extra).toEqual(await local.funnel(site, funnel(extra)))
  expect(b.read()).toBe(0)
  // Data-driven attribution reads the session and conversion chunks the funnels read.
  const dd = parseAttributionQuery(new URLSearchParams(`${RANGE}&conversion=purchase&model=data_driven`), TODAY)
  expect(await b.reports.attribution(site, dd)).toEqual(await local.attribution(site, dd))
  expect(b.read()).toBe(0)
  // A third connection on another channel reads them itself.
  const c = reader(`test-${randomUUID()}`)
  expect(await c.reports.funnel(site, funnel(asked[0]))).toEqual(await local.funnel(site, funnel(asked[0])))
  expect(c.read()).toBeGreaterThan(0)
  expect(a.read()).toBe(readByA)
})
