/**
 * Reading and keeping the SQLite credit rollups (`sqlite-credit-schema.ts`): derivation
 * credits the noted slots again (`SqliteCreditRollup.refresh`), reports sum a range
 * (`creditTotals`). The crediting itself is derivation's (`derive/credit-slots.ts`).
 */
import type Database from 'better-sqlite3'
import type { SlotConversion } from '../derive/credit-slots.ts'
import { CREDIT_ROLLUP_LOOKBACK_MS, SLOT_MS } from './report-types.ts'
import type { CreditTotal, CreditTotalsScan, TouchSession } from './report-types.ts'
import { creditTotalsOf, type SlotCrediting, type StoredCreditTotal } from './worked-rollup-rows.ts'
import { slotAligned } from './rollup-range.ts'

export class SqliteCreditRollup {
  private readonly stmt

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      dirty: db.prepare('SELECT site, slot FROM credit_dirty ORDER BY site, slot LIMIT ?'),
      // One seek per model: the primary key leads with (site, model, slot).
      clear: db.prepare(`DELETE FROM rollup_credit WHERE site = ? AND model IN ('first', 'last_non_direct', 'linear', 'position', 'time_decay') AND slot = ?`),
      conversions: db.prepare(`SELECT visitor, name, ts, value, currency FROM events
        WHERE site = ? AND type = 'conversion' AND ts >= ? AND ts < ? AND bot = 0 ORDER BY visitor, ts, rowid`),
      touches: db.prepare(`SELECT started, channel, source, medium, campaign, click_id_type AS clickIdType, referrer_host AS referrerHost
        FROM sessions WHERE site = ? AND visitor = ? AND started >= ? AND started <= ? AND bot = 0 AND channel <> 'Direct'
        ORDER BY started, id`),
      put: db.prepare(`INSERT INTO rollup_credit (site, model, slot, name, touch, currency, units, micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      done: db.prepare('DELETE FROM credit_dirty WHERE site = ? AND slot = ?'),
    }
  }

  /**
   * Credits up to `maxSlots` noted slots again, in one transaction; answers how many.
   *
   * @example
   * while (rollup.refresh(64, creditSlot) > 0);
   */
  refresh(maxSlots: number, credit: SlotCrediting): number {
    return this.db.transaction(() => {
      const slots = this.stmt.dirty.all(maxSlots) as { site: string; slot: number }[]
      for (const { site, slot } of slots) {
        this.stmt.clear.run(site, slot)
        const conversions = this.stmt.conversions.all(site, slot, slot + SLOT_MS) as SlotConversion[]
        if (conversions.length) {
          const times = conversions.map((c) => c.ts)
          const [from, to] = [Math.min(...times) - CREDIT_ROLLUP_LOOKBACK_MS, Math.max(...times)]
          const touches = new Map<string, TouchSession[]>()
          const touchesOf = (visitor: string) => {
            let t = touches.get(visitor)
            if (!t) touches.set(visitor, (t = this.stmt.touches.all(site, visitor, from, to) as TouchSession[]))
            return t
          }
          for (const r of credit(conversions, touchesOf)) this.stmt.put.run(site, r.model, slot, r.name, r.touch, r.currency, r.units, r.micros)
        }
        this.stmt.done.run(site, slot)
      }
      return slots.length
    })()
  }
}

/**
 * A range's credit from the rollups, or null when they cannot answer it: not whole slots,
 * or a slot of it is noted to be credited again. Both are read in one transaction, so the
 * answer is one moment's.
 */
export function creditTotals(db: Database.Database, site: string, q: CreditTotalsScan): CreditTotal[] | null {
  if (!slotAligned(q.range) || q.models.length === 0) return null
  return db.transaction(() => {
    const { start, end } = q.range
    if (db.prepare('SELECT 1 FROM credit_dirty WHERE site = ? AND slot >= ? AND slot < ? LIMIT 1').get(site, start, end)) return null
    const models = q.models.map(() => '?').join(', ')
    return creditTotalsOf(db.prepare(`SELECT model, touch, currency, SUM(units) AS units, SUM(micros) AS micros FROM rollup_credit
      WHERE site = ? AND model IN (${models}) AND slot >= ? AND slot < ? ${q.conversion === null ? '' : 'AND name = ?'}
      GROUP BY model, touch, currency`)
      .all(site, ...q.models, start, end, ...(q.conversion === null ? [] : [q.conversion])) as StoredCreditTotal[])
  })()
}
