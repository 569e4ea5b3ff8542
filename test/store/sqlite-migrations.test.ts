/**
 * Migrations on a file that already holds data. Migration 24 rebuilds the visitor index with
 * the bot flag in it (strict funnels probe it): on a file that was analyzed, the index must
 * keep its statistics, or the planner takes it for a selective index and walks every event
 * where one seek would do (the health panel's latest arrival took 1.9 s at 10M events).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { SQLITE_MIGRATIONS } from '../../collector/src/store/sqlite-migrations.ts'

let dir: string

beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'fb-migrate-')) })
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A file at migration 23 with `n` events over 200 visitors, analyzed as an operator might. */
function fileAt23(n: number): string {
  const file = join(dir, 'shop.db')
  const db = new Database(file)
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (23)')
  for (const m of SQLITE_MIGRATIONS.slice(0, 23)) {
    if (typeof m === 'string') db.exec(m)
    else m(db)
  }
  const add = db.prepare(`INSERT INTO events (site, id, type, name, ts, received, visitor, session_id, path, channel, consent, bot, origin)
    VALUES ('shop', ?, 'pageview', 'pageview', ?, ?, ?, ?, '/', 'Direct', 3, 0, 'browser')`)
  db.transaction(() => { for (let i = 0; i < n; i++) add.run(`e${i}`, 1_000 * i, 1_000 * i + 7, `v${i % 200}`, `s${i % 400}`) })()
  db.exec('ANALYZE')
  db.close()
  return file
}

describe('migration 24 (the bot flag in the visitor index)', () => {
  it('keeps an analyzed file\'s statistics for the index, so the latest arrival stays one index seek', async () => {
    const file = fileAt23(5_000)
    const store = new SqliteStore(file)
    try {
      const stat = store.db.prepare(`SELECT stat FROM sqlite_stat1 WHERE idx = 'events_site_visitor_ts'`).pluck().get() as string
      // Rows, then rows per site, visitor, time, and bot flag.
      expect(stat.split(' ')).toHaveLength(5)
      const plan = store.db.prepare(`EXPLAIN QUERY PLAN SELECT max(received) FROM events WHERE site = 'shop'`).all() as { detail: string }[]
      expect(plan.map((r) => r.detail).join('\n')).toContain('events_site_received')
      expect(await store.reports.health.lastReceived('shop')).toBe(1_000 * 4_999 + 7)
    } finally {
      await store.close()
    }
  })
})
