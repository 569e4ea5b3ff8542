/**
 * The SQLite credit rollups (migration 18): attribution credit per 15-minute slot of the
 * conversion, rule model, conversion name, touch and revenue currency, in whole units
 * (`rollup_credit`), for the default 30-day lookback. Attribution, channels, campaigns,
 * pacing and the models compared sum these rows instead of reading every converting
 * visitor's sessions (at 10M events: ~1M rows read and sorted per report).
 *
 * A conversion's credit depends on its visitor's touches in the 30 days before it, which
 * late events, re-derived sessions, goals, erasure and retention all change. Triggers
 * therefore only note which visitors' conversions in which slot must be credited again
 * (`credit_dirty`: site, slot, `conv`, the visitor or `event:<rowid>` for a conversion
 * without one); derivation credits them (`SqliteCreditRollup.refresh`) a few hundred per
 * step. It keeps each one's parts (`credit_parts`) so it can take them out of the slot's
 * sums again: a busy slot is never credited whole once per step. A report reads the
 * rollup only when nothing of its range is noted, so an answer never mixes old and new.
 *
 * - a conversion inserted: its own note (by `SqliteRollupWriter`, see there why not a trigger);
 * - a conversion deleted or changed: its old and new note;
 * - a non-Direct session written, moved or deleted: the visitor's conversions from the
 *   session's start to 30 days after it.
 */
import { CREDIT_ROLLUP_LOOKBACK_MS, SLOT_MS } from './report-types.ts'

const slotOf = (col: string) => `(${col} / ${SLOT_MS} * ${SLOT_MS})`

/** A session's row that can be a touch (`isTouch` needs a channel other than Direct). */
const TOUCHING = (r: string) => `${r}.bot = 0 AND ${r}.channel <> 'Direct' AND ${r}.visitor IS NOT NULL`
const CONVERSION = (r: string) => `${r}.type = 'conversion' AND ${r}.bot = 0`

/** The key a conversion's credit is kept under: its visitor, or its own rowid when it has none. */
export const creditKey = (r: string) => `COALESCE(${r}.visitor, 'event:' || ${r}.rowid)`

function markSessionWindow(r: 'NEW' | 'OLD', when: string): string {
  return `INSERT OR IGNORE INTO credit_dirty (site, slot, conv)
    SELECT site, ${slotOf('ts')}, visitor FROM events
    WHERE ${when} AND site = ${r}.site AND visitor = ${r}.visitor AND ts >= ${r}.started AND ts <= ${r}.started + ${CREDIT_ROLLUP_LOOKBACK_MS}
      AND type = 'conversion' AND bot = 0;`
}

const markConversion = (r: 'NEW' | 'OLD', when: string) =>
  `INSERT OR IGNORE INTO credit_dirty (site, slot, conv) SELECT ${r}.site, ${slotOf(`${r}.ts`)}, ${creditKey(r)} WHERE ${when};`

const SESSION_COLS = ['site', 'visitor', 'started', 'bot', 'channel', 'source', 'medium', 'campaign', 'click_id_type', 'referrer_host'] as const
const EVENT_COLS = ['site', 'ts', 'type', 'name', 'value', 'currency', 'visitor', 'bot'] as const

/**
 * Triggers that note what a write changed for a rollup derivation works out: after a
 * delete (`OLD`), after an update of `cols` (old and new row, each if `when` holds for
 * it), and after an insert (`NEW`) when `onInsert` (inserts into events are noted by
 * `SqliteRollupWriter` instead).
 */
export function noteTriggers(table: 'events' | 'sessions', rollup: string, cols: readonly string[], when: (r: string) => string,
  note: (r: 'NEW' | 'OLD', when: string) => string, onInsert: boolean): string {
  const changedCols = cols.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ')
  return `${onInsert ? `CREATE TRIGGER ${table}_${rollup}_insert AFTER INSERT ON ${table} WHEN ${when('NEW')} BEGIN
    ${note('NEW', '1')}
  END;` : ''}
  CREATE TRIGGER ${table}_${rollup}_delete AFTER DELETE ON ${table} WHEN ${when('OLD')} BEGIN
    ${note('OLD', '1')}
  END;
  CREATE TRIGGER ${table}_${rollup}_update AFTER UPDATE OF ${cols.join(', ')} ON ${table}
    WHEN (${when('OLD')} OR ${when('NEW')}) AND (${changedCols}) BEGIN
    ${note('OLD', when('OLD'))}
    ${note('NEW', when('NEW'))}
  END;`
}

/** Every stored conversion, to be credited (the migration's backfill; the bench generator's too). */
export const SQLITE_CREDIT_MARK_ALL = `INSERT OR IGNORE INTO credit_dirty (site, slot, conv)
  SELECT DISTINCT site, ${slotOf('ts')}, ${creditKey('events')} FROM events WHERE type = 'conversion' AND bot = 0;`

/** Migration 18: the credit rollup, its slots to credit again and the triggers that note them. */
export const SQLITE_CREDIT_MIGRATION = `
  CREATE TABLE rollup_credit (site TEXT NOT NULL, model TEXT NOT NULL, slot INTEGER NOT NULL, name TEXT NOT NULL,
    touch TEXT NOT NULL, currency TEXT NOT NULL, units INTEGER NOT NULL, micros INTEGER NOT NULL, parts INTEGER NOT NULL,
    PRIMARY KEY (site, model, slot, name, touch, currency)) WITHOUT ROWID;
  CREATE TABLE credit_parts (site TEXT NOT NULL, slot INTEGER NOT NULL, conv TEXT NOT NULL, model TEXT NOT NULL, name TEXT NOT NULL,
    touch TEXT NOT NULL, currency TEXT NOT NULL, units INTEGER NOT NULL, micros INTEGER NOT NULL,
    PRIMARY KEY (site, slot, conv, model, name, touch, currency)) WITHOUT ROWID;
  CREATE TABLE credit_dirty (site TEXT NOT NULL, slot INTEGER NOT NULL, conv TEXT NOT NULL, PRIMARY KEY (site, slot, conv)) WITHOUT ROWID;
  ${SQLITE_CREDIT_MARK_ALL}
  ${noteTriggers('sessions', 'credit', SESSION_COLS, TOUCHING, markSessionWindow, true)}
  ${noteTriggers('events', 'credit', EVENT_COLS, CONVERSION, markConversion, false)}
`
