/**
 * Reading and keeping the SQLite credit rollups (`sqlite-credit-schema.ts`): derivation
 * credits the noted slots again (`SqliteCreditRollup.refresh`), reports sum a range
 * (`creditTotals`). The crediting itself is derivation's (`derive/credit-slots.ts`).
 */
import type Database from 'better-sqlite3'
import type { CreditSlotRow, SlotConversion } from '../derive/credit-slots.ts'
import { CREDIT_ROLLUP_LOOKBACK_MS, SLOT_MS } from './report-types.ts'
import type { CreditTotal, CreditTotalsScan, TouchSession } from './report-types.ts'
import { creditTotalsOf, type SlotCrediting, type StoredCreditTotal } from './worked-rollup-rows.ts'
import { slotAligned } from './rollup-range.ts'

export class SqliteCreditRollup {
  private readonly stmt

  constructor(private readonly db: Database.Database) {
    const part = 'site = ? AND slot = ? AND conv = ?'
    this.stmt = {
      dirty: db.prepare('SELECT site, slot, conv FROM credit_dirty ORDER BY site, slot, conv LIMIT ?'),
      parts: db.prepare(`SELECT model, name, touch, currency, units, micros FROM credit_parts WHERE ${part}`),
      takeOut: db.prepare(`UPDATE rollup_credit SET units = units - ?, micros = micros - ?, parts = parts - 1
        WHERE site = ? AND model = ? AND slot = ? AND name = ? AND touch = ? AND currency = ?`),
      dropEmpty: db.prepare(`DELETE FROM rollup_credit WHERE site = ? AND model = ? AND slot = ? AND name = ? AND touch = ? AND currency = ? AND parts = 0`),
      clearParts: db.prepare(`DELETE FROM credit_parts WHERE ${part}`),
      // INDEXED BY: without statistics the planner reads the whole slot through (site, ts) for each visitor.
      visitorConversions: db.prepare(`SELECT visitor, name, ts, value, currency FROM events INDEXED BY events_site_visitor_ts
        WHERE site = ? AND visitor = ? AND type = 'conversion' AND ts >= ? AND ts < ? AND bot = 0 ORDER BY ts, rowid`),
      ownConversion: db.prepare(`SELECT visitor, name, ts, value, currency FROM events
        WHERE +site = ? AND rowid = ? AND +visitor IS NULL AND type = 'conversion' AND +ts >= ? AND +ts < ? AND bot = 0`),
      touches: db.prepare(`SELECT started, channel, source, medium, campaign, click_id_type AS clickIdType, referrer_host AS referrerHost
        FROM sessions WHERE site = ? AND visitor = ? AND started >= ? AND started <= ? AND bot = 0 AND channel <> 'Direct'
        ORDER BY started, id`),
      putPart: db.prepare(`INSERT INTO credit_parts (site, slot, conv, model, name, touch, currency, units, micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      addIn: db.prepare(`INSERT INTO rollup_credit (site, model, slot, name, touch, currency, units, micros, parts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
        ON CONFLICT DO UPDATE SET units = units + excluded.units, micros = micros + excluded.micros, parts = parts + 1`),
      done: db.prepare(`DELETE FROM credit_dirty WHERE ${part}`),
    }
  }

  /**
   * Credits up to `maxNotes` noted conversions again (a visitor's in one slot each), in one
   * transaction: their old parts leave the slot's sums, their new parts join them. Answers
   * how many notes it took.
   *
   * @example
   * while (rollup.refresh(500, creditSlot) > 0);
   */
  refresh(maxNotes: number, credit: SlotCrediting): number {
    return this.db.transaction(() => {
      const notes = this.stmt.dirty.all(maxNotes) as { site: string; slot: number; conv: string }[]
      for (const { site, slot, conv } of notes) {
        for (const p of this.stmt.parts.all(site, slot, conv) as CreditSlotRow[]) {
          const key = [site, p.model, slot, p.name, p.touch, p.currency]
          this.stmt.takeOut.run(p.units, p.micros, ...key)
          this.stmt.dropEmpty.run(...key)
        }
        this.stmt.clearParts.run(site, slot, conv)
        const own = conv.startsWith('event:')
        const conversions = (own ? this.stmt.ownConversion : this.stmt.visitorConversions).all(site, own ? Number(conv.slice(6)) : conv, slot, slot + SLOT_MS) as SlotConversion[]
        if (conversions.length) {
          const times = conversions.map((c) => c.ts)
          const touches = own ? [] : this.stmt.touches.all(site, conv, Math.min(...times) - CREDIT_ROLLUP_LOOKBACK_MS, Math.max(...times)) as TouchSession[]
          for (const r of credit(conversions, () => touches)) {
            this.stmt.putPart.run(site, slot, conv, r.model, r.name, r.touch, r.currency, r.units, r.micros)
            this.stmt.addIn.run(site, r.model, slot, r.name, r.touch, r.currency, r.units, r.micros)
          }
        }
        this.stmt.done.run(site, slot, conv)
      }
      return notes.length
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
