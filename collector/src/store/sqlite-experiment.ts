/**
 * Reading and keeping the SQLite experiment rollups (`sqlite-experiment-schema.ts`):
 * derivation works noted visitors out again (`SqliteExperimentRollup.refresh`), readouts
 * count (`experimentFromRollups`). The working out itself is derivation's
 * (`derive/exposure-rows.ts`).
 */
import type Database from 'better-sqlite3'
import type { VisitorMark } from '../derive/exposure-rows.ts'
import type { ExperimentScan, VariantCounts } from './report-types.ts'
import { variantCountsOf, type ExposureWorking } from './worked-rollup-rows.ts'

export class SqliteExperimentRollup {
  private readonly stmt

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      dirty: db.prepare('SELECT site, visitor FROM experiment_dirty ORDER BY site, visitor LIMIT ?'),
      clearFirst: db.prepare('DELETE FROM exposure_first WHERE site = ? AND visitor = ?'),
      clearConverted: db.prepare('DELETE FROM exposure_converted WHERE site = ? AND visitor = ?'),
      // Time then arrival order: the first exposure of a tie is the one that arrived first, as on PostgreSQL.
      marks: db.prepare(`SELECT type, name, ts, COALESCE(CAST(json_extract(props, '$.variant') AS TEXT), '(none)') AS variant
        FROM events WHERE site = ? AND visitor = ? AND type IN ('exposure', 'conversion') AND bot = 0 ORDER BY ts, rowid`),
      putFirst: db.prepare('INSERT INTO exposure_first (site, visitor, experiment, ts, variant) VALUES (?, ?, ?, ?, ?)'),
      putConverted: db.prepare(`INSERT INTO exposure_converted (site, visitor, experiment, name, exposed, variant, ts)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      done: db.prepare('DELETE FROM experiment_dirty WHERE site = ? AND visitor = ?'),
    }
  }

  /**
   * Works out up to `maxVisitors` noted visitors' rows again, in one transaction; answers how many.
   *
   * @example
   * while (rollup.refresh(500, exposureRows) > 0);
   */
  refresh(maxVisitors: number, work: ExposureWorking): number {
    return this.db.transaction(() => {
      const visitors = this.stmt.dirty.all(maxVisitors) as { site: string; visitor: string }[]
      for (const { site, visitor } of visitors) {
        this.stmt.clearFirst.run(site, visitor)
        this.stmt.clearConverted.run(site, visitor)
        const { first, converted } = work(this.stmt.marks.all(site, visitor) as VisitorMark[])
        for (const f of first) this.stmt.putFirst.run(site, visitor, f.experiment, f.ts, f.variant)
        for (const c of converted) this.stmt.putConverted.run(site, visitor, c.experiment, c.name, c.exposed, c.variant, c.ts)
        this.stmt.done.run(site, visitor)
      }
      return visitors.length
    })()
  }
}

/**
 * An unsegmented readout from the rollups, or null while a visitor of the site waits to be
 * worked out again. Both counts are read in one transaction, so they are one moment's.
 */
export function experimentFromRollups(db: Database.Database, site: string, q: ExperimentScan): VariantCounts[] | null {
  if (q.segment) return null
  return db.transaction(() => {
    if (db.prepare('SELECT 1 FROM experiment_dirty WHERE site = ? LIMIT 1').get(site)) return null
    const { start, end } = q.range
    const exposed = db.prepare(`SELECT variant, COUNT(*) AS n FROM exposure_first
      WHERE site = ? AND experiment = ? AND ts >= ? AND ts < ? GROUP BY variant ORDER BY variant`).all(site, q.experiment, start, end) as { variant: string; n: number }[]
    const converted = db.prepare(`SELECT variant, COUNT(*) AS n FROM exposure_converted
      WHERE site = ? AND experiment = ? AND name = ? AND exposed >= ? AND exposed < ? AND ts < ? GROUP BY variant`)
      .all(site, q.experiment, q.conversion ?? '', start, end, end) as { variant: string; n: number }[]
    return variantCountsOf(exposed, converted)
  })()
}
