/**
 * The funnel columns number visitors and sessions from 1 per site and kind (migration 25):
 * a report's per-visitor arrays are as long as the site has visitors, whatever other sites
 * and the sessions add. Before, the numbers were row ids shared by every site and both kinds.
 */
import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { migrate, SqliteStore } from '../../collector/src/store/sqlite.ts'
import { SQLITE_MIGRATIONS } from '../../collector/src/store/sqlite-migrations.ts'
import { SESSION_UNIT, VISITOR_UNIT } from '../../collector/src/store/sqlite-funnel-chunks.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import { createReports } from '../../collector/src/reports/service.ts'
import { parseFunnelQuery } from '../../collector/src/reports/query.ts'
import type { ReportStore } from '../../collector/src/store/report-types.ts'
import type { Site } from '../../collector/src/model.ts'
import { event } from './contract.ts'

const D0 = Date.parse('2026-11-10T00:00:00Z')
const MIN = 60_000
const siteOf = (id: string): Site => ({ id, origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 })

let store: SqliteStore | null = null
afterEach(async () => {
  await store?.close()
  store = null
})

/** Each kind's numbers of a site, in order. */
const numbers = (db: Database.Database, site: string, kind: number) =>
  db.prepare('SELECT n FROM funnel_units WHERE site = ? AND kind = ? ORDER BY n').pluck().all(site, kind) as number[]

describe('funnel column numbers', () => {
  it('are renumbered from 1 per site and kind on upgrade, in the order they were given, and every chunk is built again', () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (24)')
    for (const sql of SQLITE_MIGRATIONS.slice(0, 24)) db.exec(sql)
    // Numbers as the row ids gave them: two sites and both kinds interleaved.
    const add = db.prepare('INSERT INTO funnel_units (site, kind, unit) VALUES (?, ?, ?)')
    for (const [site, kind, unit] of [['a', 0, 'v1'], ['b', 0, 'w1'], ['a', 1, 's1'], ['a', 0, 'v2'], ['b', 1, 't1'], ['a', 1, 's2'], ['a', 0, 'v3']] as const) add.run(site, kind, unit)
    db.prepare(`INSERT INTO events (site, id, type, name, ts, received, visitor, session_id, path, channel, consent, origin)
      VALUES ('a', 'e1', 'pageview', 'pageview', ?, ?, 'v1', 's1', '/pricing', 'Direct', 3, 'browser')`).run(D0, D0)
    db.prepare("DELETE FROM funnel_dirty").run()
    db.prepare("DELETE FROM session_dirty").run()
    db.prepare("DELETE FROM event_dirty").run()
    migrate(db)
    expect(db.prepare('SELECT unit FROM funnel_units WHERE site = ? AND kind = ? ORDER BY n').pluck().all('a', VISITOR_UNIT)).toEqual(['v1', 'v2', 'v3'])
    expect(numbers(db, 'a', VISITOR_UNIT)).toEqual([1, 2, 3])
    expect(numbers(db, 'a', SESSION_UNIT)).toEqual([1, 2])
    expect(numbers(db, 'b', VISITOR_UNIT)).toEqual([1])
    expect(db.prepare('SELECT site, kind, next FROM funnel_unit_next ORDER BY site, kind').all())
      .toEqual([{ site: 'a', kind: 0, next: 4 }, { site: 'a', kind: 1, next: 3 }, { site: 'b', kind: 0, next: 2 }, { site: 'b', kind: 1, next: 2 }])
    // The chunks held the old numbers: each (key, day) and day is noted to be built again.
    expect(db.prepare('SELECT site, type, path FROM funnel_dirty').all()).toEqual([{ site: 'a', type: 'pageview', path: '/pricing' }])
    expect(db.prepare('SELECT COUNT(*) FROM event_dirty').pluck().get()).toBe(1)
    db.close()
  })

  it('of a small site stay small beside a big one, funnels read from them equal the scan, and an erased visitor\'s number is not given again', async () => {
    const s = (store = new SqliteStore(':memory:'))
    for (const id of ['big', 'small']) await s.createSite(siteOf(id))
    const visit = (visitor: string, ts: number, extra: Parameters<typeof event>[0] = {}) =>
      event({ visitor, ts, received: ts, path: '/pricing', url: 'https://shop.example/pricing', ...extra })
    await s.insertEvents('big', Array.from({ length: 300 }, (_, k) => visit(`b${k}`, D0 + k * 1000)))
    await s.insertEvents('small', [visit('x', D0), visit('x', D0 + MIN, { type: 'event', name: 'signup', path: null }), visit('y', D0 + 2 * MIN)])
    const derive = async () => {
      const d = new Deriver(s)
      while ((await d.step()) > 0 || d.refreshed > 0);
      while ((await s.refreshFunnel(100_000, 0)) > 0);
    }
    await derive()
    expect(numbers(s.db, 'small', VISITOR_UNIT)).toEqual([1, 2])
    expect(numbers(s.db, 'small', SESSION_UNIT)).toEqual([1, 2])
    expect(numbers(s.db, 'big', VISITOR_UNIT)).toHaveLength(300)
    expect(Math.max(...numbers(s.db, 'big', SESSION_UNIT))).toBe(300)
    const funnel = async (site: string, rs: ReportStore) => (await createReports(rs).funnel(siteOf(site),
      parseFunnelQuery(new URLSearchParams('from=2026-11-10&to=2026-11-10&step=pageview:/pricing&step=event:signup&mode=strict'), '2026-11-10'))).steps
    const scan = Object.assign(Object.create(s.reports) as ReportStore, { funnelColumns: undefined })
    expect(await funnel('small', s.reports)).toEqual(await funnel('small', scan))
    expect((await funnel('small', s.reports)).map((r) => r.visitors)).toEqual([2, 1])
    // y had the highest number; a visitor after its erasure gets the next one.
    await s.trust.eraseSubject('small', { kind: 'visitor', id: 'y' })
    await s.insertEvents('small', [visit('z', D0 + 3 * MIN)])
    await derive()
    expect(s.db.prepare("SELECT n FROM funnel_units WHERE site = 'small' AND kind = ? AND unit = 'z'").pluck().get(VISITOR_UNIT)).toBe(3)
    expect(await funnel('small', s.reports)).toEqual(await funnel('small', scan))
  })
})
