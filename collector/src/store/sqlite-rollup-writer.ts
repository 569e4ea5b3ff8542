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

const slot = `(ts / ${SLOT_MS} * ${SLOT_MS})`
const NEW_ROWS = 'events WHERE rowid BETWEEN @first AND @last AND bot = 0'
const TOUCHED = `SELECT DISTINCT site, 0 AS kind, visitor FROM ${NEW_ROWS} AND visitor IS NOT NULL
  UNION SELECT DISTINCT site, 1, visitor FROM ${NEW_ROWS} AND visitor IS NOT NULL AND type = 'conversion'
  UNION SELECT DISTINCT site, 2 + consent, visitor FROM ${NEW_ROWS} AND visitor IS NOT NULL`

export class SqliteRollupWriter {
  private first = 0
  private last = 0
  private readonly stmts: Database.Statement[]

  constructor(db: Database.Database) {
    this.stmts = [
      db.prepare(`INSERT INTO rollup_events (site, slot, type, name, currency, n, micros, valued, amount)
        SELECT site, ${slot}, type, name, COALESCE('=' || currency, ''), COUNT(*), COALESCE(SUM(CAST(ROUND(value * 1000000) AS INTEGER)), 0),
          COUNT(value), COALESCE(SUM(value), 0)
        FROM ${NEW_ROWS} AND type IN ('pageview', 'conversion') GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT DO UPDATE SET n = n + excluded.n, micros = micros + excluded.micros, valued = valued + excluded.valued,
          amount = amount + excluded.amount`),
      db.prepare(`INSERT INTO rollup_visitors (site, kind, visitor, slot, n, prev)
        SELECT * FROM (SELECT site, 0, visitor, ${slot}, COUNT(*), -1 FROM ${NEW_ROWS} AND visitor IS NOT NULL GROUP BY 1, 3, 4
          UNION ALL SELECT site, 1, visitor, ${slot}, COUNT(*), -1 FROM ${NEW_ROWS} AND visitor IS NOT NULL AND type = 'conversion' GROUP BY 1, 3, 4
          UNION ALL SELECT site, 2 + consent, visitor, ${slot}, COUNT(*), -1 FROM ${NEW_ROWS} AND visitor IS NOT NULL GROUP BY 1, 2, 3, 4)
        WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n`),
      // Each touched visitor's rows are few: their `prev` links are recomputed whole.
      db.prepare(`UPDATE rollup_visitors SET prev = x.prev FROM (
          SELECT v.site, v.kind, v.visitor, v.slot, COALESCE(LAG(v.slot) OVER (PARTITION BY v.site, v.kind, v.visitor ORDER BY v.slot), -1) AS prev
          FROM (${TOUCHED}) t CROSS JOIN rollup_visitors v ON v.site = t.site AND v.kind = t.kind AND v.visitor = t.visitor) x
        WHERE rollup_visitors.site = x.site AND rollup_visitors.kind = x.kind AND rollup_visitors.visitor = x.visitor
          AND rollup_visitors.slot = x.slot AND rollup_visitors.prev <> x.prev`),
      // New conversions are credited by derivation (sqlite-credit-schema.ts).
      db.prepare(`INSERT OR IGNORE INTO credit_dirty (site, slot, conv) SELECT DISTINCT site, ${slot}, ${creditKey('events')}
        FROM ${NEW_ROWS} AND type = 'conversion'`),
      // Visitors with new exposures, or new conversions after an exposure, are worked out again (sqlite-experiment-schema.ts).
      db.prepare(`INSERT OR IGNORE INTO experiment_dirty (site, visitor) SELECT DISTINCT site, visitor FROM ${NEW_ROWS} AND visitor IS NOT NULL
        AND (type = 'exposure' OR (type = 'conversion' AND EXISTS (SELECT 1 FROM exposure_first f WHERE f.site = events.site AND f.visitor = events.visitor)))`),
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
