/**
 * The SQLite funnel columns (migration 21): the events a funnel step can match, kept per
 * site, event key (type, name and, for pageviews, path) and UTC day as packed columns in
 * one blob (`funnel_chunks`). A funnel reads the chunks of its steps' keys instead of
 * sorting every candidate row by unit and handing each to JS (at 10M events: ~1 µs to sort
 * and ~1.2 µs to hand over per row, millions of rows per funnel).
 *
 * Visitors and sessions are numbered once per site (`funnel_units`) so a chunk holds
 * integers; an exposure's chunk also holds its variant (`funnel_labels`). Breakdowns read the
 * entry attributes of sessions from session chunks per day of their start (`session_chunks`),
 * each session's as one label (a JSON array) and whether it is its visitor's first. Triggers and the rollup writer note which (key, day) changed
 * (`funnel_dirty`, first and last noted); derivation rebuilds a noted chunk once it has
 * been quiet for a while (or waited long), so a day being written is not rebuilt per event
 * (`SqliteFunnelChunks.refresh`), and until then a funnel reads that key's day from the
 * events themselves, so an answer never depends on derivation being caught up.
 */
import { noteTriggers } from './sqlite-credit-schema.ts'

export const DAY_MS = 86_400_000

/**
 * The rows a chunk holds: people's (not bots') events; a pageview only with a path, since
 * no step can match a pageview without one. Events without a visitor count as conversions
 * of their own in attribution; funnels leave them out.
 */
export const FUNNEL_ROW = (r: string) => `${r}.bot = 0 AND (${r}.type <> 'pageview' OR ${r}.path IS NOT NULL)`
/** A chunk's key past its type: a pageview step tests the path only, any other step the name only. */
export const FUNNEL_KEY_NAME = (r: string) => `CASE WHEN ${r}.type = 'pageview' THEN '' ELSE ${r}.name END`
export const FUNNEL_KEY_PATH = (r: string) => `CASE WHEN ${r}.type = 'pageview' THEN ${r}.path ELSE '' END`

/** A note keeps when the chunk was first noted and moves when it was last. */
const NOTED = 'ON CONFLICT DO UPDATE SET noted = MAX(noted, excluded.noted)'
const mark = (r: 'NEW' | 'OLD', when: string) =>
  `INSERT INTO funnel_dirty (site, type, name, path, day, noted, first)
    SELECT ${r}.site, ${r}.type, ${FUNNEL_KEY_NAME(r)}, ${FUNNEL_KEY_PATH(r)}, ${r}.ts / ${DAY_MS}, unixepoch(), unixepoch() WHERE ${when} ${NOTED};`
const EVENT_COLS = ['site', 'ts', 'type', 'name', 'path', 'visitor', 'session_id', 'bot', 'props', 'value', 'currency'] as const

/** The (key, day) of rows inserted from rowid @first to @last (the rollup writer runs it once per transaction). */
export const SQLITE_FUNNEL_NOTE_INSERTED = `INSERT INTO funnel_dirty (site, type, name, path, day, noted, first)
  SELECT DISTINCT e.site, e.type, ${FUNNEL_KEY_NAME('e')}, ${FUNNEL_KEY_PATH('e')}, e.ts / ${DAY_MS}, unixepoch(), unixepoch()
  FROM events e WHERE e.rowid BETWEEN @first AND @last AND ${FUNNEL_ROW('e')} ${NOTED}`

/** Every stored (key, day), to be built (the migration's backfill; the bench generator's too). */
export const SQLITE_FUNNEL_MARK_ALL = `INSERT OR IGNORE INTO funnel_dirty (site, type, name, path, day, noted, first)
  SELECT DISTINCT e.site, e.type, ${FUNNEL_KEY_NAME('e')}, ${FUNNEL_KEY_PATH('e')}, e.ts / ${DAY_MS}, 0, 0 FROM events e WHERE ${FUNNEL_ROW('e')};`

/** Every stored session's day, to be built (the migration's backfill; the bench generator's too). */
export const SQLITE_SESSION_CHUNKS_MARK_ALL = `INSERT OR IGNORE INTO session_dirty (site, day, noted, first)
  SELECT DISTINCT site, started / ${DAY_MS}, 0, 0 FROM sessions;`

/**
 * A session's chunk holds its entry attributes and whether it is its visitor's first: a
 * session written, moved or deleted notes its day, and the day of the visitor's next
 * session, which may become (or stop being) the first.
 */
const markSession = (r: 'NEW' | 'OLD') => `
    INSERT INTO session_dirty (site, day, noted, first) VALUES (${r}.site, ${r}.started / ${DAY_MS}, unixepoch(), unixepoch()) ${NOTED};
    INSERT INTO session_dirty (site, day, noted, first)
      SELECT * FROM (SELECT site, started / ${DAY_MS}, unixepoch(), unixepoch() FROM sessions
        WHERE site = ${r}.site AND visitor = ${r}.visitor AND started > ${r}.started ORDER BY started LIMIT 1) WHERE true ${NOTED};`
const SESSION_COLS = ['site', 'id', 'visitor', 'started', 'bot', 'channel', 'source', 'medium', 'campaign', 'click_id_type', 'referrer_host',
  'landing_path', 'device', 'browser', 'country'] as const

/** Migration 21: the funnel columns, their numbering of visitors and sessions, the noted chunks and the triggers that note them. */
export const SQLITE_FUNNEL_MIGRATION = `
  CREATE TABLE funnel_labels (id INTEGER PRIMARY KEY, site TEXT NOT NULL, label TEXT NOT NULL, UNIQUE (site, label));
  CREATE TABLE session_chunks (site TEXT NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL, cols BLOB NOT NULL, PRIMARY KEY (site, day));
  CREATE TABLE session_dirty (site TEXT NOT NULL, day INTEGER NOT NULL, noted INTEGER NOT NULL, first INTEGER NOT NULL,
    PRIMARY KEY (site, day)) WITHOUT ROWID;
  ${SQLITE_SESSION_CHUNKS_MARK_ALL}
  CREATE TRIGGER sessions_funnel_insert AFTER INSERT ON sessions BEGIN ${markSession('NEW')} END;
  CREATE TRIGGER sessions_funnel_delete AFTER DELETE ON sessions BEGIN ${markSession('OLD')} END;
  CREATE TRIGGER sessions_funnel_update AFTER UPDATE OF ${SESSION_COLS.join(', ')} ON sessions
    WHEN ${SESSION_COLS.map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ')} BEGIN ${markSession('OLD')} ${markSession('NEW')} END;
  CREATE TABLE funnel_keys (id INTEGER PRIMARY KEY, site TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,
    UNIQUE (site, type, name, path));
  CREATE TABLE funnel_units (id INTEGER PRIMARY KEY, site TEXT NOT NULL, kind INTEGER NOT NULL, unit TEXT NOT NULL,
    UNIQUE (site, kind, unit));
  CREATE TABLE funnel_chunks (site TEXT NOT NULL, key INTEGER NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL, cols BLOB NOT NULL,
    PRIMARY KEY (site, key, day));
  CREATE TABLE funnel_dirty (site TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, day INTEGER NOT NULL,
    noted INTEGER NOT NULL, first INTEGER NOT NULL, PRIMARY KEY (site, type, name, path, day)) WITHOUT ROWID;
  ${SQLITE_FUNNEL_MARK_ALL}
  ${noteTriggers('events', 'funnel', EVENT_COLS, FUNNEL_ROW, mark, false)}
`

/**
 * The rows an event chunk holds: every person's event (not a bot's), pathless pageviews
 * too, as the summary counts them.
 */
const EVENT_ROW = (r: string) => `${r}.bot = 0`
const markEventDay = (r: 'NEW' | 'OLD', when: string) =>
  `INSERT INTO event_dirty (site, day, noted, first) SELECT ${r}.site, ${r}.ts / ${DAY_MS}, unixepoch(), unixepoch() WHERE ${when} ${NOTED};`

/** The days of rows inserted from rowid @first to @last (the rollup writer runs it once per transaction). */
export const SQLITE_EVENT_DAYS_NOTE_INSERTED = `INSERT INTO event_dirty (site, day, noted, first)
  SELECT DISTINCT e.site, e.ts / ${DAY_MS}, unixepoch(), unixepoch() FROM events e WHERE e.rowid BETWEEN @first AND @last AND ${EVENT_ROW('e')} ${NOTED}`

/** Every stored event's day, to be built (the migration's backfill; the bench generator's too). */
export const SQLITE_EVENT_CHUNKS_MARK_ALL = `INSERT OR IGNORE INTO event_dirty (site, day, noted, first)
  SELECT DISTINCT site, ts / ${DAY_MS}, 0, 0 FROM events WHERE ${EVENT_ROW('events')};`

/**
 * Migration 22: every person's event per site and UTC day as its session's number and
 * whether it is a pageview, with where each 15-minute slot starts (`event_chunks`), so a
 * segmented summary counts pageviews and visitors without reading each event row; noted
 * like the funnel chunks (`event_dirty`). Session chunks gain each session's last event
 * time (segments by variant test exposures up to it): every session day is built again,
 * and a session whose last event moves notes its day (no other column of it changes).
 * An event chunk is merged from its day's funnel chunks, which hold every person's event
 * but pageviews without a path: those are read off an index of their own. Funnel chunks of
 * every key but pageviews gain their events' properties (steps filtering on them read
 * those, not each event row): those chunks are built again.
 */
export const SQLITE_EVENT_CHUNKS_MIGRATION = `
  ${SQLITE_SESSION_CHUNKS_MARK_ALL}
  CREATE TRIGGER sessions_funnel_last AFTER UPDATE OF last_ts ON sessions WHEN OLD.last_ts IS NOT NEW.last_ts BEGIN
    INSERT INTO session_dirty (site, day, noted, first) VALUES (NEW.site, NEW.started / ${DAY_MS}, unixepoch(), unixepoch()) ${NOTED};
  END;
  ALTER TABLE funnel_chunks ADD COLUMN props BLOB;
  INSERT OR IGNORE INTO funnel_dirty (site, type, name, path, day, noted, first)
    SELECT c.site, k.type, k.name, k.path, c.day, 0, 0 FROM funnel_chunks c JOIN funnel_keys k ON k.id = c.key WHERE k.type <> 'pageview';
  CREATE INDEX events_pathless_pageviews ON events(site, ts) WHERE type = 'pageview' AND path IS NULL AND bot = 0;
  CREATE TABLE event_chunks (site TEXT NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL, cols BLOB NOT NULL, PRIMARY KEY (site, day));
  CREATE TABLE event_dirty (site TEXT NOT NULL, day INTEGER NOT NULL, noted INTEGER NOT NULL, first INTEGER NOT NULL,
    PRIMARY KEY (site, day)) WITHOUT ROWID;
  ${SQLITE_EVENT_CHUNKS_MARK_ALL}
  ${noteTriggers('events', 'event_chunks', ['site', 'ts', 'type', 'session_id', 'bot'], EVENT_ROW, markEventDay, false)}
`

/**
 * Migration 25: visitors and sessions numbered from 1 per site and kind (`n`), where the
 * numbers were the rows' ids, shared by every site and both kinds. Reports index arrays by
 * these numbers: at 10M events on one site a visitor funnel sized its per-visitor arrays for
 * 3.7M numbers (1.25M visitors, 2.5M sessions), and on a collector with several sites each
 * site's arrays grew with every other site's traffic. `funnel_unit_next` keeps each kind's
 * next number, so a number an erasure frees is never given again. The numbers the chunks
 * hold change: every chunk is built again (reports scan until most of a range is built).
 */
export const SQLITE_DENSE_UNITS_MIGRATION = `
  CREATE TABLE funnel_units_dense (site TEXT NOT NULL, kind INTEGER NOT NULL, n INTEGER NOT NULL, unit TEXT NOT NULL,
    PRIMARY KEY (site, kind, unit), UNIQUE (site, kind, n));
  INSERT INTO funnel_units_dense (site, kind, n, unit)
    SELECT site, kind, ROW_NUMBER() OVER (PARTITION BY site, kind ORDER BY id), unit FROM funnel_units;
  DROP TABLE funnel_units;
  ALTER TABLE funnel_units_dense RENAME TO funnel_units;
  CREATE TABLE funnel_unit_next (site TEXT NOT NULL, kind INTEGER NOT NULL, next INTEGER NOT NULL, PRIMARY KEY (site, kind));
  INSERT INTO funnel_unit_next (site, kind, next) SELECT site, kind, MAX(n) + 1 FROM funnel_units GROUP BY site, kind;
  ${SQLITE_FUNNEL_MARK_ALL}
  ${SQLITE_SESSION_CHUNKS_MARK_ALL}
  ${SQLITE_EVENT_CHUNKS_MARK_ALL}
`

/**
 * The rowid of the person's event right before or after position `r`: its visitor's
 * previous or next event in time, then arrival order, not a bot's. Chunks keep the previous
 * one (migration 26); a write notes the chunk of the next one.
 */
export const neighbourOf = (r: string, side: 'prev' | 'next') => `(SELECT y.rowid FROM events y INDEXED BY events_site_visitor_ts
    WHERE y.site = ${r}.site AND y.visitor = ${r}.visitor AND (y.ts, y.rowid) ${side === 'next' ? '>' : '<'} (${r}.ts, ${r}.rowid) AND y.bot = 0
    ORDER BY y.ts ${side === 'next' ? 'ASC' : 'DESC'}, y.rowid ${side === 'next' ? 'ASC' : 'DESC'} LIMIT 1)`
const NOTE_X = `INSERT INTO funnel_dirty (site, type, name, path, day, noted, first)
  SELECT x.site, x.type, ${FUNNEL_KEY_NAME('x')}, ${FUNNEL_KEY_PATH('x')}, x.ts / ${DAY_MS}, unixepoch(), unixepoch() FROM`

/**
 * Notes the chunk of the person's event right after position `r`: a chunk keeps each
 * event's previous one (migration 26), which an event inserted, moved or deleted before it changes.
 */
const noteNext = (r: string) => `${NOTE_X} events x WHERE x.rowid = ${neighbourOf(r, 'next')} AND ${FUNNEL_ROW('x')} ${NOTED}`

/**
 * The chunks of the events right after rows inserted from rowid @first to @last (the rollup
 * writer runs it once per transaction): a row that arrived late is the previous event of
 * one stored before it. For a row in order the seek finds nothing.
 */
export const SQLITE_FUNNEL_NOTE_NEXT = `${NOTE_X} events e JOIN events x ON x.rowid = ${neighbourOf('e', 'next')}
  WHERE e.rowid BETWEEN @first AND @last AND e.bot = 0 AND e.visitor IS NOT NULL AND ${FUNNEL_ROW('x')} ${NOTED}`

/**
 * Migration 26: each chunk keeps, per event, its visitor's previous event of a person (rowid
 * and session number, `funnel_chunks.prev`), so strict mode knows whether a step candidate
 * follows the one before it without asking SQLite per pair (404,786 probes, 1.9 s, in a
 * strict funnel at 10M events). A person's event inserted (the rollup writer), moved or
 * flipped to or from a bot's, or a goal's conversion deleted, notes the chunk of the event
 * after it. Other deletes take a visitor's events whole (erasure) or the oldest ones
 * (retention): no kept event's previous one goes while an event before it stays. Every
 * chunk is built again.
 */
export const SQLITE_STRICT_PREV_MIGRATION = `
  ALTER TABLE funnel_chunks ADD COLUMN prev BLOB;
  CREATE TRIGGER events_funnel_next_moved AFTER UPDATE OF ts, visitor, session_id, bot ON events BEGIN
    ${noteNext('OLD')};
    ${noteNext('NEW')};
  END;
  CREATE TRIGGER events_funnel_next_goal_gone AFTER DELETE ON events WHEN OLD.origin = 'goal' AND OLD.visitor IS NOT NULL BEGIN
    ${noteNext('OLD')};
  END;
  ${SQLITE_FUNNEL_MARK_ALL}
`

/**
 * Migration 28: a funnel chunk holds its events by visitor number, each visitor's in time
 * then arrival order (`inVisitorOrder`), where it held them in time order: every built chunk
 * is noted to be built again (off the chunks, not every event: 10M events took 49 s to
 * mark that way). Reports read the tables while most of a range waits.
 */
export const SQLITE_VISITOR_ORDER_MIGRATION = `INSERT OR IGNORE INTO funnel_dirty (site, type, name, path, day, noted, first)
  SELECT c.site, k.type, k.name, k.path, c.day, 0, 0 FROM funnel_chunks c JOIN funnel_keys k ON k.id = c.key;`

/** Every built funnel and session chunk, to be built again (migration 29). */
export const SQLITE_BUILT_CHUNKS_RENOTE = `${SQLITE_VISITOR_ORDER_MIGRATION}
  INSERT OR IGNORE INTO session_dirty (site, day, noted, first) SELECT site, day, 0, 0 FROM session_chunks;`

/**
 * Migration 29: funnel chunks keep times as ms in their day and rowids in 32 bits, and no
 * label column where no event has a label; session chunks their starts as ms in their day,
 * their flags in a byte and their sessions' ends in a table apart (`session_ends`, read by
 * segments by variant only: a second blob column of `session_chunks` made reading it walk
 * every page of `cols`, 130-200 ms more for a month at 10M events). See
 * `sqlite-funnel-chunks.ts`: 28 -> 16 bytes a pageview, 32 -> 17 a session, 12 -> 8 a
 * previous event. Every built funnel and session chunk is noted to be built again, as
 * migration 28 did; until then reports read the tables. A session chunk of an older size is
 * also refused on read (`sessionParts`).
 */
export const SQLITE_COMPACT_CHUNKS_MIGRATION = `CREATE TABLE session_ends (site TEXT NOT NULL, day INTEGER NOT NULL, chunk INTEGER NOT NULL, ends BLOB NOT NULL,
    PRIMARY KEY (site, day));
  ${SQLITE_BUILT_CHUNKS_RENOTE}`
