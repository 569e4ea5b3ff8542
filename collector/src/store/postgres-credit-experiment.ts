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
 * Credits up to `maxSlots` noted slots again, in one transaction; answers how many.
 *
 * @example
 * while (await refreshCreditPostgres(pool, 64, creditSlot) > 0);
 */
export function refreshCreditPostgres(pool: pg.Pool, maxSlots: number, credit: SlotCrediting): Promise<number> {
  return inTransaction(pool, async (c) => {
    // Locked: a transaction noting one of these slots meanwhile waits, then notes it anew (see the schema).
    const slots = (await c.query<{ site: string; slot: string }>('SELECT site, slot FROM credit_dirty ORDER BY site, slot LIMIT $1 FOR UPDATE', [maxSlots])).rows
    if (slots.length === 0) return 0
    const sites = slots.map((s) => s.site)
    const starts = slots.map((s) => Number(s.slot))
    const conversions = (await c.query<SlotConversion & { site: string; slot: string; ts: string }>(`SELECT d.site, d.slot, e.visitor, e.name, e.ts, e.value, e.currency
      FROM unnest($1::text[], $2::bigint[]) AS d(site, slot)
      JOIN events e ON e.site = d.site AND e.type = 'conversion' AND e.ts >= d.slot AND e.ts < d.slot + ${SLOT_MS} AND NOT e.bot
      ORDER BY d.site, d.slot, e.visitor, e.ts, e.seq`, [sites, starts])).rows
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
    const out: unknown[][] = [[], [], [], [], [], [], [], []]
    for (const { site, slot } of slots) {
      const mine = conversions.filter((r) => r.site === site && r.slot === slot)
        .map((r) => ({ visitor: r.visitor, name: r.name, ts: Number(r.ts), value: r.value === null ? null : Number(r.value), currency: r.currency }))
      for (const r of credit(mine, (visitor) => touches.get(JSON.stringify([site, visitor])) ?? [])) {
        [site, r.model, Number(slot), r.name, r.touch, r.currency, r.units, r.micros].forEach((v, i) => out[i].push(v))
      }
    }
    await c.query(`DELETE FROM rollup_credit r USING unnest($1::text[], $2::bigint[]) AS d(site, slot)
      WHERE r.site = d.site AND r.model IN ('first', 'last_non_direct', 'linear', 'position', 'time_decay') AND r.slot = d.slot`, [sites, starts])
    if (out[0].length) {
      await c.query(`INSERT INTO rollup_credit (site, model, slot, name, touch, currency, units, micros)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[])`, out)
    }
    await c.query('DELETE FROM credit_dirty d USING unnest($1::text[], $2::bigint[]) AS u(site, slot) WHERE d.site = u.site AND d.slot = u.slot', [sites, starts])
    return slots.length
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
