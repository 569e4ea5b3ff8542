/**
 * Reading and keeping the PostgreSQL credit and experiment rollups
 * (`postgres-credit-experiment-schema.ts`): derivation works noted slots and visitors out
 * again in batches of a few statements, reports read one statement each (one snapshot).
 */
import type pg from 'pg'
import { inTransaction } from './postgres-pool.ts'
import { CREDIT_ROLLUP_LOOKBACK_MS, SLOT_MS } from './report-types.ts'
import type { CreditTotal, CreditTotalsScan, ExperimentScan, TouchSession, VariantCounts } from './report-types.ts'
import type { SlotConversion } from '../derive/credit-slots.ts'
import type { VisitorMark } from '../derive/exposure-rows.ts'
import type { ExposureWorking, SlotCrediting } from './worked-rollup-rows.ts'
import { slotAligned } from './rollup-range.ts'
import { creditTotalsOf, variantCountsOf, type StoredCreditTotal } from './worked-rollup-rows.ts'

const TOUCH_COLS = `s.started, s.channel, s.source, s.medium, s.campaign, s.click_id_type AS "clickIdType", s.referrer_host AS "referrerHost"`

/**
 * Credits up to `maxNotes` noted conversions (a visitor's in one slot each) again, in one
 * transaction: their old parts leave the slots' sums, their new parts join them. Answers
 * how many notes it took.
 *
 * @example
 * while (await refreshCreditPostgres(pool, 500, creditSlot) > 0);
 */
export function refreshCreditPostgres(pool: pg.Pool, maxNotes: number, credit: SlotCrediting): Promise<number> {
  return inTransaction(pool, async (c) => {
    // Locked: a transaction noting one of these meanwhile waits, then notes it anew (see the schema).
    const notes = (await c.query<{ site: string; slot: string; conv: string }>(
      'SELECT site, slot, conv FROM credit_dirty ORDER BY site, slot, conv LIMIT $1 FOR UPDATE', [maxNotes])).rows
    if (notes.length === 0) return 0
    const args = [notes.map((n) => n.site), notes.map((n) => Number(n.slot)), notes.map((n) => n.conv)]
    const mine = 'unnest($1::text[], $2::bigint[], $3::text[]) AS n(site, slot, conv)'
    // Old parts out of the sums, summed per key first: several notes may share a key.
    await c.query(`UPDATE rollup_credit r SET units = r.units - d.units, micros = r.micros - d.micros, parts = r.parts - d.parts
      FROM (SELECT p.site, p.model, p.slot, p.name, p.touch, p.currency, SUM(p.units) AS units, SUM(p.micros) AS micros, COUNT(*) AS parts
        FROM ${mine} JOIN credit_parts p ON p.site = n.site AND p.slot = n.slot AND p.conv = n.conv
        GROUP BY 1, 2, 3, 4, 5, 6) d
      WHERE r.site = d.site AND r.model = d.model AND r.slot = d.slot AND r.name = d.name AND r.touch = d.touch AND r.currency = d.currency`, args)
    await c.query(`DELETE FROM rollup_credit r USING (SELECT DISTINCT site, slot FROM ${mine}) n
      WHERE r.site = n.site AND r.model IN ('first', 'last_non_direct', 'linear', 'position', 'time_decay') AND r.slot = n.slot AND r.parts = 0`, args)
    await c.query(`DELETE FROM credit_parts p USING ${mine} WHERE p.site = n.site AND p.slot = n.slot AND p.conv = n.conv`, args)
    const conversions = (await c.query<SlotConversion & { site: string; slot: string; conv: string; ts: string }>(`SELECT n.site, n.slot, n.conv, e.visitor, e.name, e.ts, e.value, e.currency
      FROM ${mine} JOIN events e ON e.site = n.site AND e.type = 'conversion' AND e.ts >= n.slot AND e.ts < n.slot + ${SLOT_MS} AND NOT e.bot
        AND (CASE WHEN n.conv LIKE 'event:%' THEN e.visitor IS NULL AND e.seq = substr(n.conv, 7)::bigint ELSE e.visitor = n.conv END)
      ORDER BY n.site, n.slot, n.conv, e.ts, e.seq`, args)).rows
    // Each visitor's touches from the lookback before their earliest conversion here to their latest.
    const spans = new Map<string, { site: string; visitor: string; from: number; to: number }>()
    for (const r of conversions) {
      if (r.visitor === null) continue
      const key = JSON.stringify([r.site, r.visitor])
      const ts = Number(r.ts)
      const span = spans.get(key)
      if (!span) spans.set(key, { site: r.site, visitor: r.visitor, from: ts - CREDIT_ROLLUP_LOOKBACK_MS, to: ts })
      else { span.from = Math.min(span.from, ts - CREDIT_ROLLUP_LOOKBACK_MS); span.to = Math.max(span.to, ts) }
    }
    const u = [...spans.values()]
    const touchRows = u.length === 0 ? [] : (await c.query<TouchSession & { site: string; visitor: string; started: string }>(`SELECT u.site, u.visitor, ${TOUCH_COLS}
      FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS u(site, visitor, "from", "to")
      JOIN sessions s ON s.site = u.site AND s.visitor = u.visitor AND s.started >= u."from" AND s.started <= u."to"
      WHERE NOT s.bot AND s.channel <> 'Direct' ORDER BY u.site, u.visitor, s.started, s.id`,
    [u.map((x) => x.site), u.map((x) => x.visitor), u.map((x) => x.from), u.map((x) => x.to)])).rows
    const touches = new Map<string, TouchSession[]>()
    for (const { site, visitor, ...t } of touchRows) {
      const key = JSON.stringify([site, visitor])
      if (!touches.has(key)) touches.set(key, [])
      touches.get(key)!.push({ ...t, started: Number(t.started) })
    }
    const byNote = new Map<string, SlotConversion[]>()
    for (const r of conversions) {
      const key = JSON.stringify([r.site, r.slot, r.conv])
      if (!byNote.has(key)) byNote.set(key, [])
      byNote.get(key)!.push({ visitor: r.visitor, name: r.name, ts: Number(r.ts), value: r.value === null ? null : Number(r.value), currency: r.currency })
    }
    const parts: unknown[][] = [[], [], [], [], [], [], [], [], []]
    const sums = new Map<string, { key: unknown[]; units: number; micros: number; parts: number }>()
    for (const { site, slot, conv } of notes) {
      const mineConversions = byNote.get(JSON.stringify([site, slot, conv])) ?? []
      if (mineConversions.length === 0) continue
      const visitorTouches = conv.startsWith('event:') ? [] : touches.get(JSON.stringify([site, conv])) ?? []
      for (const r of credit(mineConversions, () => visitorTouches)) {
        [site, Number(slot), conv, r.model, r.name, r.touch, r.currency, r.units, r.micros].forEach((v, i) => parts[i].push(v))
        const key = [site, r.model, Number(slot), r.name, r.touch, r.currency]
        const k = JSON.stringify(key)
        const sum = sums.get(k) ?? { key, units: 0, micros: 0, parts: 0 }
        sum.units += r.units
        sum.micros += r.micros
        sum.parts++
        sums.set(k, sum)
      }
    }
    if (parts[0].length) {
      await c.query(`INSERT INTO credit_parts (site, slot, conv, model, name, touch, currency, units, micros)
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[])`, parts)
      const rows = [...sums.values()]
      const col = (i: number) => rows.map((r) => r.key[i])
      await c.query(`INSERT INTO rollup_credit AS r (site, model, slot, name, touch, currency, units, micros, parts)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
        ON CONFLICT (site, model, slot, name, touch, currency) DO UPDATE
          SET units = r.units + excluded.units, micros = r.micros + excluded.micros, parts = r.parts + excluded.parts`,
      [col(0), col(1), col(2), col(3), col(4), col(5), rows.map((r) => r.units), rows.map((r) => r.micros), rows.map((r) => r.parts)])
    }
    await c.query(`DELETE FROM credit_dirty d USING ${mine} WHERE d.site = n.site AND d.slot = n.slot AND d.conv = n.conv`, args)
    return notes.length
  })
}

/**
 * Works out up to `maxVisitors` noted visitors' experiment rows again, in one transaction; answers how many.
 *
 * @example
 * while (await refreshExposuresPostgres(pool, 500, exposureRows) > 0);
 */
export function refreshExposuresPostgres(pool: pg.Pool, maxVisitors: number, work: ExposureWorking): Promise<number> {
  return inTransaction(pool, async (c) => {
    const noted = (await c.query<{ site: string; visitor: string }>('SELECT site, visitor FROM experiment_dirty ORDER BY site, visitor LIMIT $1 FOR UPDATE', [maxVisitors])).rows
    if (noted.length === 0) return 0
    const args = [noted.map((n) => n.site), noted.map((n) => n.visitor)]
    // Time then arrival order, as the scan picks a first exposure.
    const marks = (await c.query<VisitorMark & { site: string; visitor: string; ts: string }>(`SELECT u.site, u.visitor, e.type, e.name, e.ts,
        COALESCE(e.props->>'variant', '(none)') AS variant
      FROM unnest($1::text[], $2::text[]) AS u(site, visitor)
      JOIN events e ON e.site = u.site AND e.visitor = u.visitor AND e.type IN ('exposure', 'conversion') AND NOT e.bot
      ORDER BY u.site, u.visitor, e.ts, e.seq`, args)).rows
    const byVisitor = new Map<string, VisitorMark[]>()
    for (const { site, visitor, ...m } of marks) {
      const key = JSON.stringify([site, visitor])
      if (!byVisitor.has(key)) byVisitor.set(key, [])
      byVisitor.get(key)!.push({ ...m, ts: Number(m.ts) })
    }
    const first: unknown[][] = [[], [], [], [], []]
    const converted: unknown[][] = [[], [], [], [], [], [], []]
    for (const { site, visitor } of noted) {
      const rows = work(byVisitor.get(JSON.stringify([site, visitor])) ?? [])
      for (const f of rows.first) [site, visitor, f.experiment, f.ts, f.variant].forEach((v, i) => first[i].push(v))
      for (const x of rows.converted) [site, visitor, x.experiment, x.name, x.exposed, x.variant, x.ts].forEach((v, i) => converted[i].push(v))
    }
    const mine = 'USING unnest($1::text[], $2::text[]) AS u(site, visitor) WHERE t.site = u.site AND t.visitor = u.visitor'
    await c.query(`DELETE FROM exposure_first t ${mine}`, args)
    await c.query(`DELETE FROM exposure_converted t ${mine}`, args)
    if (first[0].length) {
      await c.query(`INSERT INTO exposure_first (site, visitor, experiment, ts, variant)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])`, first)
    }
    if (converted[0].length) {
      await c.query(`INSERT INTO exposure_converted (site, visitor, experiment, name, exposed, variant, ts)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[])`, converted)
    }
    await c.query(`DELETE FROM experiment_dirty t ${mine}`, args)
    return noted.length
  })
}

/** A range's credit from the rollups (see `sqlite-credit.ts` `creditTotals`), in one statement. */
export async function creditTotalsPostgres(pool: pg.Pool, site: string, q: CreditTotalsScan): Promise<CreditTotal[] | null> {
  if (!slotAligned(q.range) || q.models.length === 0) return null
  const args: unknown[] = [site, q.range.start, q.range.end, q.models]
  if (q.conversion !== null) args.push(q.conversion)
  const r = (await pool.query<{ dirty: boolean; rows: StoredCreditTotal[] | null }>(`SELECT
      EXISTS (SELECT 1 FROM credit_dirty WHERE site = $1 AND slot >= $2 AND slot < $3) AS dirty,
      (SELECT json_agg(t) FROM (SELECT model, touch, currency, SUM(units)::bigint AS units, SUM(micros)::bigint AS micros FROM rollup_credit
        WHERE site = $1 AND model = ANY($4::text[]) AND slot >= $2 AND slot < $3 ${q.conversion === null ? '' : 'AND name = $5'}
        GROUP BY model, touch, currency) t) AS rows`, args)).rows[0]
  return r.dirty ? null : creditTotalsOf(r.rows ?? [])
}

/** An unsegmented readout from the experiment rollups (see `sqlite-experiment.ts`), in one statement. */
export async function experimentFromRollupsPostgres(pool: pg.Pool, site: string, q: ExperimentScan): Promise<VariantCounts[] | null> {
  if (q.segment) return null
  const r = (await pool.query<{ dirty: boolean; exposed: { variant: string; n: number }[] | null; converted: { variant: string; n: number }[] | null }>(`SELECT
      EXISTS (SELECT 1 FROM experiment_dirty WHERE site = $1) AS dirty,
      (SELECT json_agg(t ORDER BY t.variant) FROM (SELECT variant, COUNT(*) AS n FROM exposure_first
        WHERE site = $1 AND experiment = $2 AND ts >= $3 AND ts < $4 GROUP BY variant) t) AS exposed,
      (SELECT json_agg(t) FROM (SELECT variant, COUNT(*) AS n FROM exposure_converted
        WHERE site = $1 AND experiment = $2 AND name = $5 AND exposed >= $3 AND exposed < $4 AND ts < $4 GROUP BY variant) t) AS converted`,
  [site, q.experiment, q.range.start, q.range.end, q.conversion ?? ''])).rows[0]
  return r.dirty ? null : variantCountsOf(r.exposed ?? [], r.converted ?? [])
}
