/**
 * The SQLite funnel scan hands the maths only the events some step can match and looks a
 * strict chain's successors and a breakdown's first exposure up on demand. These cases pin
 * what those lookups must see: bots never break a strict chain, other sessions' events
 * break it per visitor but not per session, and of two exposures the earlier decides.
 * Rows go straight into the tables (as the report bench writes them), with ANALYZE run so
 * the planner works from statistics as on a live database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { createReports, parseFunnelQuery } from '../../collector/src/reports/service.ts'
import type { Site } from '../../collector/src/model.ts'
import { SQLITE_EVENT_CHUNKS_MARK_ALL, SQLITE_FUNNEL_MARK_ALL, SQLITE_SESSION_CHUNKS_MARK_ALL } from '../../collector/src/store/sqlite-funnel-schema.ts'

const DAY0 = Date.UTC(2026, 9, 1)
const MIN = 60_000
const site: Site = { id: 'shop', origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 }

type Row = { visitor: string; session: string; min: number; type?: string; name?: string; path?: string; props?: object; bot?: boolean }

let store: SqliteStore

function insert(rows: Row[]): void {
  const stmt = store.db.prepare(`INSERT INTO events (site, id, type, name, ts, received, visitor, session_id, path, channel, props, consent, bot, origin)
    VALUES ('shop', ?, ?, ?, ?, ?, ?, ?, ?, 'Direct', ?, 3, ?, 'browser')`)
  rows.forEach((r, i) => {
    const ts = DAY0 + r.min * MIN
    stmt.run(`e${i}`, r.type ?? 'pageview', r.name ?? 'pageview', ts, ts, r.visitor, r.session, r.path ?? null,
      r.props ? JSON.stringify(r.props) : null, r.bot ? 1 : 0)
  })
}

async function funnel(q: string) {
  const report = await createReports(store.reports).funnel(site, parseFunnelQuery(new URLSearchParams(`from=2026-10-01&to=2026-10-02&${q}`), '2026-10-02'))
  return { steps: report.steps.map((s) => s.visitors), breakdown: Object.fromEntries(Object.entries(report.breakdown).map(([k, v]) => [k, v.map((s) => s.visitors)])) }
}

beforeAll(() => {
  store = new SqliteStore(':memory:')
  insert([
    // a: a bot event between the steps is not part of the visitor's sequence.
    { visitor: 'a', session: 'a1', min: 0, path: '/pricing' },
    { visitor: 'a', session: 'a1', min: 1, path: '/about', bot: true },
    { visitor: 'a', session: 'a1', min: 2, type: 'event', name: 'signup' },
    // b: a pageview no step matches breaks a strict chain.
    { visitor: 'b', session: 'b1', min: 0, path: '/pricing' },
    { visitor: 'b', session: 'b1', min: 1, path: '/about' },
    { visitor: 'b', session: 'b1', min: 2, type: 'event', name: 'signup' },
    // c: another session's event between breaks the visitor's chain, not the session's.
    { visitor: 'c', session: 'c1', min: 0, path: '/pricing' },
    { visitor: 'c', session: 'c2', min: 1, path: '/about' },
    { visitor: 'c', session: 'c1', min: 2, type: 'event', name: 'signup' },
    // Exposures: a's first is 'green' (a later 'control' does not change it), b has none.
    { visitor: 'a', session: 'a1', min: 3, type: 'exposure', name: 'button', props: { variant: 'green' } },
    { visitor: 'a', session: 'a1', min: 4, type: 'exposure', name: 'button', props: { variant: 'control' } },
    { visitor: 'c', session: 'c1', min: 5, type: 'exposure', name: 'button', props: { variant: 'control' } },
  ])
  // Rows written around the store are not noted for the funnel columns: note them, as the bench generator does.
  store.db.exec(SQLITE_FUNNEL_MARK_ALL)
  store.db.exec(SQLITE_SESSION_CHUNKS_MARK_ALL)
  store.db.exec(SQLITE_EVENT_CHUNKS_MARK_ALL)
  store.db.exec('ANALYZE')
})

afterAll(async () => {
  await store.close()
})

describe('SQLite funnel scan', () => {
  const steps = 'step=pageview:/pricing&step=event:signup'

  it('lets only events of the unit break a strict chain, never bots', async () => {
    expect((await funnel(`${steps}&mode=strict`)).steps).toEqual([3, 1])
    expect((await funnel(`${steps}&mode=strict&unit=session`)).steps).toEqual([3, 2])
    expect((await funnel(steps)).steps).toEqual([3, 3])
  })

  it('breaks down by the variant of the first exposure', async () => {
    expect((await funnel(`${steps}&mode=strict&breakdown=experiment:button`)).breakdown).toEqual({
      control: [1, 0], green: [1, 1], '(none)': [1, 0],
    })
  })
})
