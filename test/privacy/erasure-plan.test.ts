/**
 * Export and erasure run inside the write transaction that ingest and derivation wait on,
 * so on a big SQLite file they must find a subject's events through indexes: a query that
 * reads every event of the site holds everyone up for seconds. The plans are checked on a
 * store with statistics, as `ANALYZE` leaves them on a live file.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { subjectEventsSql } from '../../collector/src/store/sqlite-trust.ts'

let dir: string
let store: SqliteStore
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'funnelbeam-erasure-plan-'))
  store = new SqliteStore(join(dir, 'f.db'))
  // A site of many visitors, a few of them signed in.
  const ins = store.db.prepare(`INSERT INTO events (site, id, type, name, ts, received, visitor, user_id, channel, consent, origin)
    VALUES ('shop', ?, 'pageview', 'pageview', ?, ?, ?, ?, 'Direct', 3, 'browser')`)
  store.db.transaction(() => {
    for (let i = 0; i < 20_000; i++) ins.run(`e${i}`, i, i, `v${i % 4000}`, i % 400 === 0 ? `u${i % 7}` : null)
  })()
  store.db.exec('ANALYZE')
})
afterAll(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const plan = (sql: string, args: unknown[]) =>
  (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail)

it("finds a user's events, and a visitor's, through indexes for export and erasure", () => {
  for (const what of ['SELECT rowid, *', 'DELETE']) {
    for (const subject of [{ kind: 'user' as const, id: 'u3' }, { kind: 'visitor' as const, id: 'v7' }]) {
      const q = subjectEventsSql(what, 'shop', subject, new Set(['v7', 'v8']))
      const lines = plan(q.source, q.args)
      expect(lines.filter((l) => /^SCAN events\b/.test(l)), `${what} ${subject.kind}: ${lines.join(' | ')}`).toEqual([])
    }
  }
  // And they find the right rows: the user's events and the visitors' events, once each.
  const q = subjectEventsSql('SELECT rowid, *', 'shop', { kind: 'user', id: 'u3' }, new Set(['v7']))
  const rows = store.db.prepare(q.source).all(...q.args) as { visitor: string; user_id: string | null }[]
  const expected = store.db.prepare("SELECT count(*) FROM events WHERE site = 'shop' AND (visitor = 'v7' OR user_id = 'u3')").pluck().get() as number
  expect(rows).toHaveLength(expected)
  expect(rows.some((r) => r.user_id === 'u3')).toBe(true)
})
