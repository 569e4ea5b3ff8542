/**
 * The PostgreSQL report rollups (migration 14): the tables of `sqlite-rollup-schema.ts`
 * (read its notes), kept by statement-level triggers that see every written row at once
 * through transition tables, so a derivation step adds its deltas summed per key in a
 * few statements instead of a trigger call per row.
 *
 * Revenue is kept as `numeric`, each value made exact as the summary's `exactSum` does,
 * so the rollup's sums are the scan's sums to the last bit. Visitors' `prev` links are
 * recomputed per touched visitor with a window over that visitor's (few) rows.
 */
import { SLOT_MS } from './report-types.ts'

const enc = (col: string) => `COALESCE('=' || ${col}, '')`
const slotOf = (col: string) => `(${col} / ${SLOT_MS} * ${SLOT_MS})`
const exact = (col: string) => `(${col}::numeric + (${col} - ${col}::numeric::float8)::numeric)`
const ATTRS = ['source', 'medium', 'campaign', 'click_id_type', 'referrer_host'] as const
const EVENT_COLS = 'site, ts, type, name, value, currency, visitor, bot'
const SESSION_COLS = `site, started, bot, channel, ${ATTRS.join(', ')}`

/** The old rows of an update whose counted columns (`cols`) changed. */
const changes = (cols: string, id: string) => `(SELECT ${id}, ${cols} FROM old_rows EXCEPT ALL SELECT ${id}, ${cols} FROM new_rows) c`

/**
 * The written rows with their sign: +1 for new rows, -1 for old ones. Of an update only
 * the rows whose counted columns changed, so touching a session's last event (every
 * derivation step does) writes no rollup.
 */
function signed(op: 'insert' | 'delete' | 'update', cols: string, id: string, key: string): string {
  if (op === 'insert') return `(SELECT ${cols}, 1 AS sign FROM new_rows)`
  if (op === 'delete') return `(SELECT ${cols}, -1 AS sign FROM old_rows)`
  const changed = `SELECT ${key} FROM ${changes(cols, id)}`
  return `(SELECT ${cols}, -1 AS sign FROM old_rows WHERE (${key}) IN (${changed})
    UNION ALL SELECT ${cols}, 1 FROM new_rows WHERE (${key}) IN (${changed}))`
}

/** The body of the trigger function on events for one operation. */
function eventsBody(op: 'insert' | 'delete' | 'update', withConsent: boolean): string {
  const d = signed(op, withConsent ? `${EVENT_COLS}, consent` : EVENT_COLS, 'seq', 'seq')
  const visitorRows = `SELECT site, 0 AS kind, visitor, ${slotOf('ts')} AS slot, SUM(sign) AS n FROM ${d} d
      WHERE NOT bot AND visitor IS NOT NULL GROUP BY 1, 2, 3, 4
    UNION ALL SELECT site, 1, visitor, ${slotOf('ts')}, SUM(sign) FROM ${d} d
      WHERE NOT bot AND visitor IS NOT NULL AND type = 'conversion' GROUP BY 1, 2, 3, 4${withConsent ? `
    UNION ALL SELECT site, 2 + consent, visitor, ${slotOf('ts')}, SUM(sign) FROM ${d} d
      WHERE NOT bot AND visitor IS NOT NULL GROUP BY 1, 2, 3, 4` : ''}`
  const touched = `SELECT DISTINCT site, kind, visitor FROM (${visitorRows}) t`
  return `
    INSERT INTO rollup_events AS r (site, slot, type, name, currency, n, micros, valued, amount)
      SELECT site, ${slotOf('ts')}, type, name, ${enc('currency')}, SUM(sign), COALESCE(SUM(sign * round(value * 1000000)::bigint), 0),
        SUM(sign * (value IS NOT NULL)::int), COALESCE(SUM(sign * ${exact('value')}), 0)
      FROM ${d} d WHERE NOT bot AND type IN ('pageview', 'conversion') GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (site, slot, type, name, currency) DO UPDATE SET n = r.n + EXCLUDED.n, micros = r.micros + EXCLUDED.micros,
        valued = r.valued + EXCLUDED.valued, amount = r.amount + EXCLUDED.amount;
    ${op === 'insert' ? '' : `DELETE FROM rollup_events r USING (SELECT DISTINCT site, ${slotOf('ts')} AS slot FROM ${d} d) t
      WHERE r.site = t.site AND r.slot = t.slot AND r.n = 0;`}
    -- Only visitors that gained a slot (an insert: xmax = 0) or may have lost one need their links redone.
    WITH up AS (
      INSERT INTO rollup_visitors AS r (site, kind, visitor, slot, n, prev)
        SELECT site, kind, visitor, slot, n, -1 FROM (${visitorRows}) t WHERE n <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (site, kind, visitor, slot) DO UPDATE SET n = r.n + EXCLUDED.n
        RETURNING r.site, r.kind, r.visitor, r.xmax = 0 AS fresh)
    SELECT array_agg(site), array_agg(kind), array_agg(visitor) INTO sites, kinds, visitors
      FROM (SELECT DISTINCT site, kind, visitor FROM ${op === 'insert' ? 'up WHERE fresh' : `(${touched}) t`}) f;
    ${op === 'insert' ? '' : `DELETE FROM rollup_visitors r WHERE r.ctid = ANY (ARRAY(SELECT v.ctid FROM unnest(sites, kinds, visitors) AS t(site, kind, visitor)
      CROSS JOIN LATERAL (SELECT ctid FROM rollup_visitors v WHERE v.site = t.site COLLATE "C" AND v.kind = t.kind AND v.visitor = t.visitor COLLATE "C" AND v.n = 0) v));`}
    IF sites IS NOT NULL THEN
      -- Rows found by their visitor through the primary key and written back by ctid, so no plan can go through another index.
      UPDATE rollup_visitors r SET prev = x.prev FROM (
          SELECT v.tid, v.prev AS was, COALESCE(LAG(v.slot) OVER (PARTITION BY v.site, v.kind, v.visitor ORDER BY v.slot), -1) AS prev
          FROM unnest(sites, kinds, visitors) AS t(site, kind, visitor)
          CROSS JOIN LATERAL (SELECT v.ctid AS tid, v.site, v.kind, v.visitor, v.slot, v.prev FROM rollup_visitors v WHERE v.site = t.site COLLATE "C" AND v.kind = t.kind AND v.visitor = t.visitor COLLATE "C") v) x
        WHERE r.ctid = x.tid AND x.was <> x.prev;
    END IF;`
}

function sessionsBody(op: 'insert' | 'delete' | 'update'): string {
  const d = signed(op, SESSION_COLS, 'id', 'site, id')
  const keys = `site, slot, channel, ${ATTRS.join(', ')}`
  return `
    INSERT INTO rollup_sessions AS r (${keys}, n)
      SELECT site, ${slotOf('started')}, channel, ${ATTRS.map(enc).join(', ')}, SUM(sign) FROM ${d} d
      WHERE NOT bot GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
      ON CONFLICT (${keys}) DO UPDATE SET n = r.n + EXCLUDED.n;
    ${op === 'insert' ? '' : `DELETE FROM rollup_sessions r USING (SELECT DISTINCT site, ${slotOf('started')} AS slot FROM ${d} d) t
      WHERE r.site = t.site AND r.slot = t.slot AND r.n = 0;`}`
}

function triggerFunction(table: 'events' | 'sessions', op: 'insert' | 'delete' | 'update', withConsent = false): string {
  const body = table === 'events' ? eventsBody(op, withConsent) : sessionsBody(op)
  const eventCols = withConsent ? `${EVENT_COLS}, consent` : EVENT_COLS
  // Most updates (a session's last event, an event's session) change nothing counted: one look, no writes.
  const unchanged = op !== 'update' ? ''
    : `IF NOT EXISTS (SELECT 1 FROM ${table === 'events' ? changes(eventCols, 'seq') : changes(SESSION_COLS, 'id')}) THEN RETURN NULL; END IF;`
  return `
  CREATE OR REPLACE FUNCTION ${table}_rollup_${op}() RETURNS trigger LANGUAGE plpgsql AS $fn$
  -- "C" as the columns: compared in another collation the primary key could not be searched by visitor.
  DECLARE sites text[] COLLATE "C"; kinds smallint[]; visitors text[] COLLATE "C";
  BEGIN
    ${unchanged}
    ${body}
    RETURN NULL;
  END $fn$;`
}

function trigger(table: 'events' | 'sessions', op: 'insert' | 'delete' | 'update'): string {
  const refs = op === 'insert' ? 'NEW TABLE AS new_rows' : op === 'delete' ? 'OLD TABLE AS old_rows' : 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
  return `${triggerFunction(table, op)}
  CREATE TRIGGER ${table}_rollup_${op} AFTER ${op.toUpperCase()} ON ${table} REFERENCING ${refs}
    FOR EACH STATEMENT EXECUTE FUNCTION ${table}_rollup_${op}();`
}

/** One statement-level trigger per table and kind of write, as `make` builds it. */
export function everyWrite(make: (table: 'events' | 'sessions', op: 'insert' | 'delete' | 'update') => string): string {
  return (['events', 'sessions'] as const).flatMap((t) => (['insert', 'delete', 'update'] as const).map((op) => make(t, op))).join('\n')
}

/** Fills the rollups from the stored events and sessions (the migration's backfill). */
export const POSTGRES_ROLLUP_BACKFILL = `
  INSERT INTO rollup_events (site, slot, type, name, currency, n, micros, valued, amount)
    SELECT site, ${slotOf('ts')}, type, name, ${enc('currency')}, COUNT(*), COALESCE(SUM(round(value * 1000000)::bigint), 0),
      COUNT(value), COALESCE(SUM(${exact('value')}), 0)
    FROM events WHERE NOT bot AND type IN ('pageview', 'conversion') GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO rollup_visitors (site, kind, visitor, slot, n, prev)
    SELECT site, kind, visitor, slot, n, COALESCE(LAG(slot) OVER (PARTITION BY site, kind, visitor ORDER BY slot), -1)
    FROM (SELECT site, 0 AS kind, visitor, ${slotOf('ts')} AS slot, COUNT(*) AS n FROM events
        WHERE NOT bot AND visitor IS NOT NULL GROUP BY 1, 2, 3, 4
      UNION ALL SELECT site, 1, visitor, ${slotOf('ts')}, COUNT(*) FROM events
        WHERE NOT bot AND visitor IS NOT NULL AND type = 'conversion' GROUP BY 1, 2, 3, 4) t;
  INSERT INTO rollup_sessions (site, slot, channel, ${ATTRS.join(', ')}, n)
    SELECT site, ${slotOf('started')}, channel, ${ATTRS.map(enc).join(', ')}, COUNT(*) FROM sessions
    WHERE NOT bot GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
`

/** Migration 14: the rollup tables, their backfill and the triggers that keep them. */
export const POSTGRES_ROLLUPS_MIGRATION = `
  CREATE TABLE rollup_events (site text COLLATE "C" NOT NULL, slot bigint NOT NULL, type text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL, currency text COLLATE "C" NOT NULL, n bigint NOT NULL, micros bigint NOT NULL,
    valued bigint NOT NULL, amount numeric NOT NULL, PRIMARY KEY (site, slot, type, name, currency));
  CREATE TABLE rollup_sessions (site text COLLATE "C" NOT NULL, slot bigint NOT NULL, channel text COLLATE "C" NOT NULL,
    ${ATTRS.map((a) => `${a} text COLLATE "C" NOT NULL`).join(', ')}, n bigint NOT NULL,
    PRIMARY KEY (site, slot, channel, ${ATTRS.join(', ')}));
  CREATE TABLE rollup_visitors (site text COLLATE "C" NOT NULL, kind smallint NOT NULL, visitor text COLLATE "C" NOT NULL,
    slot bigint NOT NULL, n bigint NOT NULL, prev bigint NOT NULL, PRIMARY KEY (site, kind, visitor, slot));
  -- One partial index per kind: an index on (site, kind, …) tempted the planner, without statistics, to read a
  -- visitor's rows through it instead of the primary key; these cannot serve a lookup by visitor at all.
  CREATE INDEX rollup_visitors_slot ON rollup_visitors(site, slot, prev) WHERE kind = 0;
  CREATE INDEX rollup_converters_slot ON rollup_visitors(site, slot, prev) WHERE kind = 1;
  ${POSTGRES_ROLLUP_BACKFILL}
  ${everyWrite(trigger)}
`

/** Fills the consent kinds of `rollup_visitors` (migration 19's backfill). */
export const POSTGRES_CONSENT_ROLLUP_BACKFILL = `
  INSERT INTO rollup_visitors (site, kind, visitor, slot, n, prev)
    SELECT site, kind, visitor, slot, n, COALESCE(LAG(slot) OVER (PARTITION BY site, kind, visitor ORDER BY slot), -1)
    FROM (SELECT site, 2 + consent AS kind, visitor, ${slotOf('ts')} AS slot, COUNT(*) AS n FROM events
      WHERE NOT bot AND visitor IS NOT NULL GROUP BY 1, 2, 3, 4) t
    ON CONFLICT DO NOTHING;
`

/**
 * Migration 19 (issue 11): as SQLite's migration 20, visitors per consent state as kinds 2
 * to 5 of `rollup_visitors`, kept by the events triggers' functions (replaced here).
 */
export const POSTGRES_CONSENT_ROLLUP_MIGRATION = `
  CREATE INDEX rollup_consent_slot ON rollup_visitors(site, kind, slot, prev) WHERE kind >= 2;
  ${POSTGRES_CONSENT_ROLLUP_BACKFILL}
  ${triggerFunction('events', 'insert', true)}
  ${triggerFunction('events', 'delete', true)}
  ${triggerFunction('events', 'update', true)}
`
