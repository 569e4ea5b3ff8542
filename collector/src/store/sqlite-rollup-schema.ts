/**
 * The SQLite report rollups (migration 14): tables that summary, sessions per
 * channel/campaign and trends read instead of scanning events and sessions (at 10M events:
 * 6k, 34k and 3.3M rows), kept exact in the transactions that write events and sessions.
 * Deletes are followed by triggers, not code in each writer, because rows go on many
 * paths (goals, rebuild, erasure, retention): a trigger runs inside whichever transaction
 * deletes the row, so the rollups cannot drift apart from what they summarise.
 *
 * - `rollup_events`: pageviews and conversions per 15-minute slot, type, name and currency,
 *   with the count, the sum of values in micros (trends) and as REAL (summary), and how
 *   many rows had a value (a currency whose rows named none is not listed).
 * - `rollup_sessions`: non-bot sessions per slot of their start and the six attributes
 *   channels and campaigns group by.
 * - `rollup_visitors`: one row per visitor and slot with an event (kind 0) or a conversion
 *   (kind 1), with `prev`, the visitor's previous slot of that kind (-1: none). Distinct
 *   visitors in [a, b) are then the rows with a <= slot < b and prev < a: each visitor has
 *   exactly one such row, its first in the range. A plain count, no DISTINCT.
 *
 * Events inserted are added by `SqliteRollupWriter` at the end of the inserting
 * transaction (derivation, goal conversions: every insert goes through
 * `SqliteStore.putEvent`); deleted or updated events and every write of sessions are
 * followed by triggers.
 *
 * Nullable grouping columns are stored encoded so they can be part of a primary key:
 * NULL as '' and any text x as '=' || x (injective; decode with `substr(x, 2)`), which
 * keeps byte order, so rows still come out ordered as the scans order them.
 */
import { SLOT_MS } from './report-types.ts'
import { DAY_MS } from './sqlite-funnel-schema.ts'

const enc = (col: string) => `COALESCE('=' || ${col}, '')`
const slotOf = (col: string) => `(${col} / ${SLOT_MS} * ${SLOT_MS})`
const ATTRS = ['source', 'medium', 'campaign', 'click_id_type', 'referrer_host'] as const

/** When a row counts: as a pageview or conversion, as a visitor's event, as a visitor's conversion. */
const COUNTED = (r: string) => `${r}.bot = 0 AND ${r}.type IN ('pageview', 'conversion')`
const VISITED = (r: string) => `${r}.bot = 0 AND ${r}.visitor IS NOT NULL`
const CONVERTED = (r: string) => `${VISITED(r)} AND ${r}.type = 'conversion'`

/** Adds (`r` = NEW) or removes (`r` = OLD) a pageview's or conversion's counts, when `when` holds. */
function countShare(r: 'NEW' | 'OLD', when: string): string {
  const slot = slotOf(`${r}.ts`)
  const micros = `COALESCE(CAST(ROUND(${r}.value * 1000000) AS INTEGER), 0)`
  if (r === 'NEW') {
    return `INSERT INTO rollup_events (site, slot, type, name, currency, n, micros, valued, amount)
      SELECT ${r}.site, ${slot}, ${r}.type, ${r}.name, ${enc(`${r}.currency`)}, 1, ${micros}, ${r}.value IS NOT NULL, COALESCE(${r}.value, 0)
      WHERE ${when}
      ON CONFLICT DO UPDATE SET n = n + 1, micros = micros + excluded.micros, valued = valued + excluded.valued, amount = amount + excluded.amount;`
  }
  const key = `site = ${r}.site AND slot = ${slot} AND type = ${r}.type AND name = ${r}.name AND currency = ${enc(`${r}.currency`)}`
  // Once no valued row is left the REAL sum restarts from 0, so no rounding residue lingers.
  return `UPDATE rollup_events SET n = n - 1, micros = micros - ${micros}, valued = valued - (${r}.value IS NOT NULL),
      amount = CASE WHEN valued - (${r}.value IS NOT NULL) = 0 THEN 0 ELSE amount - COALESCE(${r}.value, 0) END
    WHERE ${when} AND ${key};
    DELETE FROM rollup_events WHERE ${when} AND ${key} AND n = 0;`
}

/** All of a row's shares, each under its own condition (the rare update trigger does them in one). */
function eventShare(r: 'NEW' | 'OLD', withConsent = false): string {
  const shares = [countShare(r, COUNTED(r)), visitorShare(r, 0, VISITED(r)), visitorShare(r, 1, CONVERTED(r))]
  if (withConsent) shares.push(visitorShare(r, CONSENT_KIND(r), VISITED(r)))
  return shares.join('\n')
}

/** Migration 20's kinds of `rollup_visitors`: a visitor's events per consent state (kind 2 + the consent bits). */
const CONSENT_KIND = (r: string) => `(2 + ${r}.consent)`

/**
 * Delete triggers, one per share with its condition as the WHEN: a statement in a trigger
 * costs microseconds even when its WHERE is false. Inserts are added by
 * `SqliteRollupWriter` instead (see there why).
 */
function deleteTriggers(): string {
  const op = 'DELETE'
  const r = 'OLD'
  const shares: [string, string, string][] = [
    ['counts', COUNTED(r), countShare(r, '1')],
    ['visitor', VISITED(r), visitorShare(r, 0, '1')],
    ['converter', CONVERTED(r), visitorShare(r, 1, '1')],
  ]
  return shares.map(([name, when, body]) => `CREATE TRIGGER events_rollup_${name}_${op.toLowerCase()} AFTER ${op} ON events WHEN ${when} BEGIN
    ${body}
  END;`).join('\n')
}

/** Keeps one (visitor, slot) row of a kind counted and the next row's `prev` pointing at the slot before it. */
function visitorShare(r: 'NEW' | 'OLD', kind: number | string, when: string): string {
  const slot = slotOf(`${r}.ts`)
  const mine = `site = ${r}.site AND kind = ${kind} AND visitor = ${r}.visitor`
  const key = `${mine} AND slot = ${slot}`
  const next = `${mine} AND slot = (SELECT MIN(slot) FROM rollup_visitors WHERE ${mine} AND slot > ${slot})`
  if (r === 'NEW') {
    return `INSERT INTO rollup_visitors (site, kind, visitor, slot, n, prev)
      SELECT ${r}.site, ${kind}, ${r}.visitor, ${slot}, 1, COALESCE((SELECT MAX(slot) FROM rollup_visitors WHERE ${mine} AND slot < ${slot}), -1)
      WHERE ${when}
      ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE rollup_visitors SET prev = ${slot} WHERE ${when} AND ${next} AND prev <> ${slot};`
  }
  return `UPDATE rollup_visitors SET n = n - 1 WHERE ${when} AND ${key};
    UPDATE rollup_visitors SET prev = (SELECT prev FROM rollup_visitors WHERE ${key})
      WHERE ${when} AND ${next} AND (SELECT n FROM rollup_visitors WHERE ${key}) = 0;
    DELETE FROM rollup_visitors WHERE ${when} AND ${key} AND n = 0;`
}

function sessionShare(r: 'NEW' | 'OLD'): string {
  const slot = slotOf(`${r}.started`)
  if (r === 'NEW') {
    return `INSERT INTO rollup_sessions (site, slot, channel, ${ATTRS.join(', ')}, n)
      SELECT ${r}.site, ${slot}, ${r}.channel, ${ATTRS.map((a) => enc(`${r}.${a}`)).join(', ')}, 1 WHERE ${r}.bot = 0
      ON CONFLICT DO UPDATE SET n = n + 1;`
  }
  const key = `${r}.bot = 0 AND site = ${r}.site AND slot = ${slot} AND channel = ${r}.channel AND ${ATTRS.map((a) => `${a} = ${enc(`${r}.${a}`)}`).join(' AND ')}`
  return `UPDATE rollup_sessions SET n = n - 1 WHERE ${key};
    DELETE FROM rollup_sessions WHERE ${key} AND n = 0;`
}

const changed = (cols: readonly string[]) => cols.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ')
const EVENT_COLS = ['site', 'ts', 'type', 'name', 'value', 'currency', 'visitor', 'bot'] as const
const SESSION_COLS = ['site', 'started', 'bot', 'channel', ...ATTRS] as const

/** Fills the rollups from the stored events and sessions (the migration's backfill; the bench generator's too). */
export const SQLITE_ROLLUP_BACKFILL = `
  INSERT INTO rollup_events (site, slot, type, name, currency, n, micros, valued, amount)
    SELECT site, ${slotOf('ts')}, type, name, ${enc('currency')}, COUNT(*), COALESCE(SUM(CAST(ROUND(value * 1000000) AS INTEGER)), 0),
      COUNT(value), COALESCE(SUM(value), 0)
    FROM events WHERE bot = 0 AND type IN ('pageview', 'conversion') GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO rollup_visitors (site, kind, visitor, slot, n, prev)
    SELECT site, kind, visitor, slot, n, COALESCE(LAG(slot) OVER (PARTITION BY site, kind, visitor ORDER BY slot), -1)
    FROM (SELECT site, 0 AS kind, visitor, ${slotOf('ts')} AS slot, COUNT(*) AS n FROM events
        WHERE bot = 0 AND visitor IS NOT NULL GROUP BY 1, 2, 3, 4
      UNION ALL SELECT site, 1, visitor, ${slotOf('ts')}, COUNT(*) FROM events
        WHERE bot = 0 AND visitor IS NOT NULL AND type = 'conversion' GROUP BY 1, 2, 3, 4);
  INSERT INTO rollup_sessions (site, slot, channel, ${ATTRS.join(', ')}, n)
    SELECT site, ${slotOf('started')}, channel, ${ATTRS.map(enc).join(', ')}, COUNT(*) FROM sessions
    WHERE bot = 0 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
`

/** Fills the consent kinds of `rollup_visitors` from the stored events (migration 20's backfill; the bench generator's too). */
export const SQLITE_CONSENT_ROLLUP_BACKFILL = `
  INSERT OR IGNORE INTO rollup_visitors (site, kind, visitor, slot, n, prev)
    SELECT site, kind, visitor, slot, n, COALESCE(LAG(slot) OVER (PARTITION BY site, kind, visitor ORDER BY slot), -1)
    FROM (SELECT site, ${CONSENT_KIND('events')} AS kind, visitor, ${slotOf('ts')} AS slot, COUNT(*) AS n FROM events
      WHERE bot = 0 AND visitor IS NOT NULL GROUP BY 1, 2, 3, 4);
`

/**
 * Migration 20 (issue 11): visitors per consent state, for the health panel's consent
 * shares (at 10M events a `COUNT(DISTINCT visitor)` over a week of events took seconds).
 * Kinds 2 to 5 of `rollup_visitors`, kept as kinds 0 and 1 are.
 */
export const SQLITE_CONSENT_ROLLUP_MIGRATION = `
  ${SQLITE_CONSENT_ROLLUP_BACKFILL}
  CREATE TRIGGER events_rollup_consent_delete AFTER DELETE ON events WHEN ${VISITED('OLD')} BEGIN
    ${visitorShare('OLD', CONSENT_KIND('OLD'), '1')}
  END;
  DROP TRIGGER events_rollup_update;
  CREATE TRIGGER events_rollup_update AFTER UPDATE OF ${[...EVENT_COLS, 'consent'].join(', ')} ON events WHEN ${changed([...EVENT_COLS, 'consent'])} BEGIN
    ${eventShare('OLD', true)}
    ${eventShare('NEW', true)}
  END;
`

/** Migration 14: the rollup tables, their backfill and the triggers that follow deletes and updates. */
export const SQLITE_ROLLUPS_MIGRATION = `
  CREATE TABLE rollup_events (site TEXT NOT NULL, slot INTEGER NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
    currency TEXT NOT NULL, n INTEGER NOT NULL, micros INTEGER NOT NULL, valued INTEGER NOT NULL, amount REAL NOT NULL,
    PRIMARY KEY (site, slot, type, name, currency)) WITHOUT ROWID;
  CREATE TABLE rollup_sessions (site TEXT NOT NULL, slot INTEGER NOT NULL, channel TEXT NOT NULL,
    ${ATTRS.map((a) => `${a} TEXT NOT NULL`).join(', ')}, n INTEGER NOT NULL,
    PRIMARY KEY (site, slot, channel, ${ATTRS.join(', ')})) WITHOUT ROWID;
  CREATE TABLE rollup_visitors (site TEXT NOT NULL, kind INTEGER NOT NULL, visitor TEXT NOT NULL, slot INTEGER NOT NULL,
    n INTEGER NOT NULL, prev INTEGER NOT NULL, PRIMARY KEY (site, kind, visitor, slot)) WITHOUT ROWID;
  CREATE INDEX rollup_visitors_slot ON rollup_visitors(site, kind, slot, prev);
  ${SQLITE_ROLLUP_BACKFILL}
  ${deleteTriggers()}
  CREATE TRIGGER events_rollup_update AFTER UPDATE OF ${EVENT_COLS.join(', ')} ON events WHEN ${changed(EVENT_COLS)} BEGIN
    ${eventShare('OLD')}
    ${eventShare('NEW')}
  END;
  CREATE TRIGGER sessions_rollup_insert AFTER INSERT ON sessions BEGIN
    ${sessionShare('NEW')}
  END;
  CREATE TRIGGER sessions_rollup_delete AFTER DELETE ON sessions BEGIN
    ${sessionShare('OLD')}
  END;
  CREATE TRIGGER sessions_rollup_update AFTER UPDATE OF ${SESSION_COLS.join(', ')} ON sessions WHEN ${changed(SESSION_COLS)} BEGIN
    ${sessionShare('OLD')}
    ${sessionShare('NEW')}
  END;
`

/** A visitor row's UTC day, and its previous row's (-1: none), as `rollup_visitor_days` keys them (`r`: 'NEW.', 'OLD.' or ''). */
const dayKeys = (r: string) => `${r}slot / ${DAY_MS}, CASE WHEN ${r}prev < 0 THEN -1 ELSE ${r}prev / ${DAY_MS} END`
const tally = (r: 'NEW' | 'OLD', by: 1 | -1) => `INSERT INTO rollup_visitor_days (site, kind, day, prev_day, n)
    VALUES (${r}.site, ${r}.kind, ${dayKeys(`${r}.`)}, ${by}) ON CONFLICT DO UPDATE SET n = n + excluded.n;`

/**
 * Migration 27: `rollup_visitors` rows counted by UTC day and their previous row's day
 * (`rollup_visitor_days`), kept by triggers on the rows, so a count of distinct visitors
 * over whole days sums a few hundred rows instead of walking an index entry per visitor and
 * slot (90 days at 10M events: 3M entries, 0.3 s); an index by previous slot counts the
 * rows of those days whose previous row lies on the range's first day before its start
 * (`sqlite-rollups.ts` `distinctVisitors`).
 */
export const SQLITE_VISITOR_DAYS_MIGRATION = `
  CREATE TABLE rollup_visitor_days (site TEXT NOT NULL, kind INTEGER NOT NULL, day INTEGER NOT NULL, prev_day INTEGER NOT NULL,
    n INTEGER NOT NULL, PRIMARY KEY (site, kind, day, prev_day)) WITHOUT ROWID;
  INSERT INTO rollup_visitor_days (site, kind, day, prev_day, n)
    SELECT site, kind, ${dayKeys('')}, COUNT(*) FROM rollup_visitors GROUP BY 1, 2, 3, 4;
  CREATE INDEX rollup_visitors_prev ON rollup_visitors(site, kind, prev, slot);
  CREATE TRIGGER rollup_visitors_days_insert AFTER INSERT ON rollup_visitors BEGIN
    ${tally('NEW', 1)}
  END;
  CREATE TRIGGER rollup_visitors_days_delete AFTER DELETE ON rollup_visitors BEGIN
    ${tally('OLD', -1)}
  END;
  CREATE TRIGGER rollup_visitors_days_update AFTER UPDATE OF site, kind, slot, prev ON rollup_visitors BEGIN
    ${tally('OLD', -1)}
    ${tally('NEW', 1)}
  END;
`
