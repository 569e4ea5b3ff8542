/**
 * The PostgreSQL credit and experiment rollups (migration 18): the tables and rules of
 * `sqlite-credit-schema.ts` and `sqlite-experiment-schema.ts` (read their notes), noted by
 * statement-level triggers that see a statement's rows at once through transition tables.
 *
 * Several transactions may note the same conversions or visitor while derivation works them
 * out. A note is an upsert that bumps `gen`, which locks the noted row until the noting
 * transaction commits; derivation takes the rows it works out `FOR UPDATE`, so it waits
 * for any such writer and then reads what it committed. What is noted after derivation
 * read it keeps (or gets again) its row, and is worked out once more.
 */
import { CREDIT_ROLLUP_LOOKBACK_MS, SLOT_MS } from './report-types.ts'
import { everyWrite } from './postgres-rollup-schema.ts'

const slotOf = (col: string) => `(${col} / ${SLOT_MS} * ${SLOT_MS})`
const EVENT_COLS = 'site, ts, type, name, value, currency, visitor, bot, props'
const SESSION_COLS = 'site, visitor, started, bot, channel, source, medium, campaign, click_id_type, referrer_host'

const noteCredit = (select: string) => `INSERT INTO credit_dirty AS d (site, slot, conv) ${select} ORDER BY 1, 2, 3
  ON CONFLICT (site, slot, conv) DO UPDATE SET gen = d.gen + 1;`
/** The key a conversion's credit is kept under: its visitor, or its own seq when it has none. */
const creditKey = (r: string) => `COALESCE(${r}.visitor, 'event:' || ${r}.seq)`
const noteVisitors = (select: string) => `INSERT INTO experiment_dirty AS d (site, visitor) ${select} ORDER BY 1, 2
  ON CONFLICT (site, visitor) DO UPDATE SET gen = d.gen + 1;`

/** An update's rows whose noted columns changed: the old versions (`old_rows`) or the new ones. */
const changedRows = (from: 'old_rows' | 'new_rows', id: string, cols: string) =>
  `(SELECT ${id}, ${cols} FROM ${from} EXCEPT ALL SELECT ${id}, ${cols} FROM ${from === 'old_rows' ? 'new_rows' : 'old_rows'})`

function eventNotes(rows: string, inserted: boolean): string {
  // A new conversion matters to experiments only for a visitor already exposed (a new exposure is noted itself).
  const converted = inserted ? `(type = 'conversion' AND EXISTS (SELECT 1 FROM exposure_first f WHERE f.site = r.site AND f.visitor = r.visitor))` : `type = 'conversion'`
  return `${noteCredit(`SELECT DISTINCT site, ${slotOf('ts')}, ${creditKey('r')} FROM ${rows} r WHERE type = 'conversion' AND NOT bot`)}
    ${noteVisitors(`SELECT DISTINCT site, visitor FROM ${rows} r WHERE NOT bot AND visitor IS NOT NULL AND (type = 'exposure' OR ${converted})`)}`
}

/** The slots of the conversions a touching session's rows can credit: its visitor's, from its start to the lookback after. */
const sessionNotes = (rows: string) => noteCredit(`SELECT DISTINCT e.site, ${slotOf('e.ts')}, e.visitor FROM ${rows} s
  JOIN events e ON e.site = s.site AND e.visitor = s.visitor AND e.ts >= s.started AND e.ts <= s.started + ${CREDIT_ROLLUP_LOOKBACK_MS}
  WHERE NOT s.bot AND s.channel <> 'Direct' AND e.type = 'conversion' AND NOT e.bot`)

function trigger(table: 'events' | 'sessions', op: 'insert' | 'delete' | 'update'): string {
  const notes = (rows: string, inserted: boolean) => (table === 'events' ? eventNotes(rows, inserted) : sessionNotes(rows))
  const [id, cols] = table === 'events' ? ['seq', EVENT_COLS] : ['id', SESSION_COLS]
  const body = op === 'insert' ? notes('new_rows', true)
    : op === 'delete' ? notes('old_rows', false)
    : `${notes(changedRows('old_rows', id, cols), false)}
       ${notes(changedRows('new_rows', id, cols), false)}`
  const refs = op === 'insert' ? 'NEW TABLE AS new_rows' : op === 'delete' ? 'OLD TABLE AS old_rows' : 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
  return `
  CREATE FUNCTION ${table}_notes_${op}() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    ${body}
    RETURN NULL;
  END $fn$;
  CREATE TRIGGER ${table}_notes_${op} AFTER ${op.toUpperCase()} ON ${table} REFERENCING ${refs}
    FOR EACH STATEMENT EXECUTE FUNCTION ${table}_notes_${op}();`
}

/** Every stored conversion's slot and exposed visitor, to be worked out (the migration's backfill). */
export const POSTGRES_MARK_ALL = `
  INSERT INTO credit_dirty (site, slot, conv) SELECT DISTINCT site, ${slotOf('ts')}, ${creditKey('events')} FROM events
    WHERE type = 'conversion' AND NOT bot ON CONFLICT DO NOTHING;
  INSERT INTO experiment_dirty (site, visitor) SELECT DISTINCT site, visitor FROM events
    WHERE type = 'exposure' AND NOT bot AND visitor IS NOT NULL ON CONFLICT DO NOTHING;
`

/** Migration 18: the credit and experiment rollups, what waits to be worked out, and the triggers that note it. */
export const POSTGRES_CREDIT_EXPERIMENT_MIGRATION = `
  CREATE TABLE rollup_credit (site text COLLATE "C" NOT NULL, model text COLLATE "C" NOT NULL, slot bigint NOT NULL,
    name text COLLATE "C" NOT NULL, touch text COLLATE "C" NOT NULL, currency text COLLATE "C" NOT NULL,
    units bigint NOT NULL, micros bigint NOT NULL, parts bigint NOT NULL, PRIMARY KEY (site, model, slot, name, touch, currency));
  CREATE TABLE credit_parts (site text COLLATE "C" NOT NULL, slot bigint NOT NULL, conv text COLLATE "C" NOT NULL,
    model text COLLATE "C" NOT NULL, name text COLLATE "C" NOT NULL, touch text COLLATE "C" NOT NULL,
    currency text COLLATE "C" NOT NULL, units bigint NOT NULL, micros bigint NOT NULL,
    PRIMARY KEY (site, slot, conv, model, name, touch, currency));
  CREATE TABLE credit_dirty (site text COLLATE "C" NOT NULL, slot bigint NOT NULL, conv text COLLATE "C" NOT NULL,
    gen bigint NOT NULL DEFAULT 0, PRIMARY KEY (site, slot, conv));
  CREATE TABLE exposure_first (site text COLLATE "C" NOT NULL, visitor text COLLATE "C" NOT NULL,
    experiment text COLLATE "C" NOT NULL, ts bigint NOT NULL, variant text COLLATE "C" NOT NULL,
    PRIMARY KEY (site, visitor, experiment));
  CREATE INDEX exposure_first_readout ON exposure_first(site, experiment, ts, variant);
  CREATE TABLE exposure_converted (site text COLLATE "C" NOT NULL, visitor text COLLATE "C" NOT NULL,
    experiment text COLLATE "C" NOT NULL, name text COLLATE "C" NOT NULL, exposed bigint NOT NULL,
    variant text COLLATE "C" NOT NULL, ts bigint NOT NULL, PRIMARY KEY (site, visitor, experiment, name));
  CREATE INDEX exposure_converted_readout ON exposure_converted(site, experiment, name, exposed, ts, variant);
  CREATE TABLE experiment_dirty (site text COLLATE "C" NOT NULL, visitor text COLLATE "C" NOT NULL,
    gen bigint NOT NULL DEFAULT 0, PRIMARY KEY (site, visitor));
  ${POSTGRES_MARK_ALL}
  ${everyWrite(trigger)}
`
