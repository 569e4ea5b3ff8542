/**
 * Adds the events a transaction inserted to the SQLite rollups, in three set-based
 * statements at its end. Deletes and updates of events (goals, erasure, retention,
 * rebuild) and every write of sessions are followed by triggers; inserts are not, because
 * derivation inserts every event and a per-row trigger halved its throughput (measured:
 * any AFTER INSERT trigger on events costs ~15 µs a row, before its statements run).
 *
 * Inserts of a transaction get consecutive rowids above every stored one, so the range
 * from the first to the last one noted is exactly the rows to add.
 */
import type Database from 'better-sqlite3'
import { SLOT_MS } from './report-types.ts'
import { creditKey } from './sqlite-credit-schema.ts'
import { SQLITE_EVENT_DAYS_NOTE_INSERTED, SQLITE_FUNNEL_NOTE_INSERTED, SQLITE_FUNNEL_NOTE_NEXT } from './sqlite-funnel-schema.ts'

const slot = `(ts / ${SLOT_MS} * ${SLOT_MS})`
const NEW_ROWS = 'events WHERE rowid BETWEEN @first AND @last AND bot = 0'
/** The new rows' visitor rows: kind 0 any event, 1 conversions, 2 + the consent bits per consent state. */
const VISITOR_ROWS = `SELECT site, 0 AS kind, visitor, ${slot} AS slot, COUNT(*) AS n FROM ${NEW_ROWS} AND visitor IS NOT NULL GROUP BY 1, 3, 4
  UNION ALL SELECT site, 1, visitor, ${slot}, COUNT(*) FROM ${NEW_ROWS} AND visitor IS NOT NULL AND type = 'conversion' GROUP BY 1, 3, 4
  UNION ALL SELECT site, 2 + consent, visitor, ${slot}, COUNT(*) FROM ${NEW_ROWS} AND visitor IS NOT NULL GROUP BY 1, 2, 3, 4`

export class SqliteRollupWriter {
  private first = 0
  private last = 0
  private readonly stmts: Database.Statement[]

  constructor(db: Database.Database) {
    // Per connection, so the writers of two threads never share it.
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS rollup_fresh (site TEXT NOT NULL, kind INTEGER NOT NULL, visitor TEXT NOT NULL, slot INTEGER NOT NULL,
      PRIMARY KEY (site, kind, visitor, slot)) WITHOUT ROWID`)
    this.stmts = [
      db.prepare(`INSERT INTO rollup_events (site, slot, type, name, currency, n, micros, valued, amount)
        SELECT site, ${slot}, type, name, COALESCE('=' || currency, ''), COUNT(*), COALESCE(SUM(CAST(ROUND(value * 1000000) AS INTEGER)), 0),
          COUNT(value), COALESCE(SUM(value), 0)
        FROM ${NEW_ROWS} AND type IN ('pageview', 'conversion') GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT DO UPDATE SET n = n + excluded.n, micros = micros + excluded.micros, valued = valued + excluded.valued,
          amount = amount + excluded.amount`),
      // Only a slot row that did not exist changes `prev` links: its own, and that of the
      // visitor's next row. Noted before the insert makes the rows exist.
      db.prepare('DELETE FROM temp.rollup_fresh'),
      db.prepare(`INSERT OR IGNORE INTO temp.rollup_fresh (site, kind, visitor, slot) SELECT t.site, t.kind, t.visitor, t.slot FROM (${VISITOR_ROWS}) t
        WHERE NOT EXISTS (SELECT 1 FROM rollup_visitors v WHERE v.site = t.site AND v.kind = t.kind AND v.visitor = t.visitor AND v.slot = t.slot)`),
      db.prepare(`INSERT INTO rollup_visitors (site, kind, visitor, slot, n, prev)
        SELECT site, kind, visitor, slot, n, -1 FROM (${VISITOR_ROWS}) WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n`),
      // Each of those rows gets the visitor's slot right before it: two index seeks a row,
      // however long the visitor's history (recomputing it whole grew with every visit).
      db.prepare(`UPDATE rollup_visitors SET prev = x.prev FROM (
          SELECT t.site, t.kind, t.visitor, t.slot, COALESCE((SELECT MAX(p.slot) FROM rollup_visitors p
            WHERE p.site = t.site AND p.kind = t.kind AND p.visitor = t.visitor AND p.slot < t.slot), -1) AS prev
          FROM (SELECT site, kind, visitor, slot FROM temp.rollup_fresh
            UNION SELECT f.site, f.kind, f.visitor, (SELECT MIN(n.slot) FROM rollup_visitors n
              WHERE n.site = f.site AND n.kind = f.kind AND n.visitor = f.visitor AND n.slot > f.slot) FROM temp.rollup_fresh f) t
          WHERE t.slot IS NOT NULL) x
        WHERE rollup_visitors.site = x.site AND rollup_visitors.kind = x.kind AND rollup_visitors.visitor = x.visitor
          AND rollup_visitors.slot = x.slot AND rollup_visitors.prev <> x.prev`),
      // New conversions are credited by derivation (sqlite-credit-schema.ts).
      db.prepare(`INSERT OR IGNORE INTO credit_dirty (site, slot, conv) SELECT DISTINCT site, ${slot}, ${creditKey('events')}
        FROM ${NEW_ROWS} AND type = 'conversion'`),
      // Visitors with new exposures, or new conversions after an exposure, are worked out again (sqlite-experiment-schema.ts).
      db.prepare(`INSERT OR IGNORE INTO experiment_dirty (site, visitor) SELECT DISTINCT site, visitor FROM ${NEW_ROWS} AND visitor IS NOT NULL
        AND (type = 'exposure' OR (type = 'conversion' AND EXISTS (SELECT 1 FROM exposure_first f WHERE f.site = events.site AND f.visitor = events.visitor)))`),
      // The (key, day) funnel chunks the new rows belong in are built again (sqlite-funnel-schema.ts).
      db.prepare(SQLITE_FUNNEL_NOTE_INSERTED),
      // And those of the events right after late rows (a chunk keeps each event's previous one).
      db.prepare(SQLITE_FUNNEL_NOTE_NEXT),
      db.prepare(SQLITE_EVENT_DAYS_NOTE_INSERTED),
    ]
  }

  /** Starts a transaction's record (a rolled back one may have noted rows that are gone). */
  begin(): void {
    this.first = 0
    this.last = 0
  }

  /** Records a row just inserted into events. */
  inserted(rowid: number): void {
    if (this.first === 0) this.first = rowid
    this.last = rowid
  }

  /**
   * Adds the recorded rows to the rollups; call before the transaction deletes any event
   * (a delete trigger must not subtract a row not yet added) and before it commits.
   */
  flush(): void {
    if (this.first === 0) return
    for (const s of this.stmts) s.run({ first: this.first, last: this.last })
    this.begin()
  }
}
