/**
 * Versioned schema migrations for the PostgreSQL store, applied in order on start.
 * Append new versions; never edit one that has shipped.
 *
 * Times are bigint milliseconds, like SQLite's integers, so the report maths is shared
 * unchanged. Text that reports group or order by uses the "C" collation: byte order is
 * SQLite's BINARY order, so both stores hand rows to the maths in the same order (and
 * sum fractional credit in the same order), whatever the cluster's locale.
 */
import type pg from 'pg'
import { POSTGRES_CONSENT_ROLLUP_MIGRATION, POSTGRES_ROLLUPS_MIGRATION } from './postgres-rollup-schema.ts'
import { POSTGRES_CREDIT_EXPERIMENT_MIGRATION } from './postgres-credit-experiment-schema.ts'

export const POSTGRES_MIGRATIONS: string[] = [
  /* 1: sites, salts, events, sessions, quarantine, spend */ `
  CREATE TABLE sites (
    id text COLLATE "C" PRIMARY KEY,
    origins jsonb NOT NULL,
    secret_hash text NOT NULL,
    currency text NOT NULL DEFAULT 'EUR',
    timezone text NOT NULL DEFAULT 'UTC',
    created bigint NOT NULL
  );
  CREATE TABLE salts (day text COLLATE "C" PRIMARY KEY, salt text NOT NULL, created bigint NOT NULL);
  CREATE TABLE events (
    -- Arrival order across every process (SQLite's rowid): breaks ties between equal timestamps.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    site text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    type text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    ts bigint NOT NULL,
    received bigint NOT NULL,
    visitor text COLLATE "C",
    user_id text,
    session_id text COLLATE "C",
    path text COLLATE "C",
    url text,
    referrer text,
    title text,
    source text COLLATE "C", medium text COLLATE "C", campaign text COLLATE "C", term text COLLATE "C",
    content text COLLATE "C", utm_id text,
    click_id_type text COLLATE "C", click_id text, referrer_host text COLLATE "C",
    channel text COLLATE "C" NOT NULL,
    device text COLLATE "C", browser text COLLATE "C", country text COLLATE "C", lang text, screen integer,
    value double precision, currency text COLLATE "C", order_id text COLLATE "C",
    props jsonb,
    consent integer NOT NULL,
    bot boolean NOT NULL DEFAULT false,
    origin text NOT NULL
  );
  -- Exactly once: one row per event id per site, for ever, whichever process inserts it.
  CREATE UNIQUE INDEX events_site_id ON events(site, id);
  -- Exactly once for orders: one conversion per site, name and order id.
  CREATE UNIQUE INDEX events_order ON events(site, name, order_id)
    WHERE type = 'conversion' AND order_id IS NOT NULL;
  CREATE INDEX events_site_ts ON events(site, ts);
  CREATE INDEX events_site_type_name_ts ON events(site, type, name, ts);
  CREATE INDEX events_site_visitor_ts ON events(site, visitor, ts);
  CREATE TABLE sessions (
    site text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    visitor text COLLATE "C" NOT NULL,
    started bigint NOT NULL,
    last_ts bigint NOT NULL,
    campaign_key text,
    source text COLLATE "C", medium text COLLATE "C", campaign text COLLATE "C", term text COLLATE "C",
    content text COLLATE "C", click_id_type text COLLATE "C", referrer_host text COLLATE "C",
    channel text COLLATE "C" NOT NULL,
    landing_path text,
    device text COLLATE "C", browser text COLLATE "C", country text COLLATE "C",
    consent integer NOT NULL,
    bot boolean NOT NULL DEFAULT false,
    events integer NOT NULL DEFAULT 0,
    pageviews integer NOT NULL DEFAULT 0,
    PRIMARY KEY (site, id)
  ) WITH (fillfactor = 70); -- every event updates its session: free room keeps those updates HOT (no index writes)
  CREATE INDEX sessions_site_visitor_started ON sessions(site, visitor, started);
  CREATE INDEX sessions_site_started ON sessions(site, started);
  CREATE TABLE quarantine (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site text COLLATE "C",
    received bigint NOT NULL,
    origin text NOT NULL,
    reason text COLLATE "C" NOT NULL,
    message text NOT NULL,
    payload text NOT NULL
  );
  CREATE INDEX quarantine_site_received ON quarantine(site, received);
  CREATE TABLE spend (
    site text COLLATE "C" NOT NULL,
    date text COLLATE "C" NOT NULL,
    source text COLLATE "C" NOT NULL,
    medium text COLLATE "C" NOT NULL,
    campaign text COLLATE "C" NOT NULL,
    cost double precision NOT NULL,
    impressions bigint NOT NULL DEFAULT 0,
    clicks bigint NOT NULL DEFAULT 0,
    currency text COLLATE "C" NOT NULL,
    PRIMARY KEY (site, date, source, medium, campaign)
  );
  `,
  /* 2: report indexes, as SQLite's migration 2. Partial (NOT bot, as every report
     filters) and covering (INCLUDE), so funnel, attribution and campaign scans can read
     index pages only once autovacuum has marked the heap all-visible. Keys lead with
     time-ordered columns within a site/type/name so inserts append. */ `
  CREATE INDEX events_report_name_ts ON events(site, type, name, ts)
    INCLUDE (visitor, session_id, seq, value, currency) WHERE NOT bot;
  CREATE INDEX events_report_pageview_path ON events(site, path, ts)
    INCLUDE (visitor, session_id, seq) WHERE type = 'pageview' AND NOT bot;
  CREATE INDEX sessions_report_visitor ON sessions(site, visitor, started)
    INCLUDE (channel, source, medium, campaign, click_id_type, referrer_host) WHERE NOT bot;
  CREATE INDEX sessions_report_started ON sessions(site, started)
    INCLUDE (channel, source, medium, campaign, click_id_type, referrer_host) WHERE NOT bot;
  -- Type and name depend on each other (exposures are few, pageviews many); without this
  -- the planner multiplies their selectivities, takes 66k exposures for 4k and picks
  -- nested loops.
  CREATE STATISTICS events_site_type_name (mcv) ON site, type, name FROM events;
  `,
  /* 3: as SQLite's migration 3: each visitor's first exposure of an experiment (funnel
     breakdowns by variant, experiment readouts), in the DISTINCT ON (visitor) … ORDER BY
     visitor, ts, seq order. Exposures are few, so it costs ingest little. */ `
  CREATE INDEX events_exposure_first ON events(site, name, visitor, ts, seq)
    WHERE type = 'exposure' AND NOT bot;
  `,
  /* 4: as SQLite's migration 4: when the last event arrived, for tracking health. */ `
  CREATE INDEX events_site_received ON events (site, received);
  `,
  /* 5: as SQLite's migration 5: ingest appends, derivation follows (issue 8). An event's
     keys are claimed in key-only tables (exactly once across every process: their
     primary keys), and a request's accepted events become one inbox row; derivation moves
     inbox rows into events and sessions later. Every stored event's keys are copied over
     first. The unique indexes on events go: the key tables keep exactly once, and a group
     is derived once because derivation deletes its inbox row in the same transaction
     (and fails when another process deleted it first), so they would only cost an index
     write per derived event. Events get a primary key on seq instead: derivation moves an
     event to another session by its seq, which no index could find before. */ `
  CREATE TABLE event_ids (site text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, PRIMARY KEY (site, id));
  CREATE TABLE order_ids (site text COLLATE "C" NOT NULL, name text COLLATE "C" NOT NULL, order_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (site, name, order_id));
  INSERT INTO event_ids (site, id) SELECT site, id FROM events ON CONFLICT DO NOTHING;
  INSERT INTO order_ids (site, name, order_id) SELECT site, name, order_id FROM events
    WHERE type = 'conversion' AND order_id IS NOT NULL ON CONFLICT DO NOTHING;
  DROP INDEX events_site_id;
  DROP INDEX events_order;
  ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (seq);
  CREATE TABLE inbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site text COLLATE "C" NOT NULL,
    received bigint NOT NULL,
    n integer NOT NULL,
    events text NOT NULL
  );
  -- A queue: every row is deleted soon after it is written. Vacuum it by dead rows, not
  -- by a share of a table that is nearly always small, so reading its head stays cheap.
  ALTER TABLE inbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);
  `,
  /* 6: as SQLite's migration 6: the ad platform's campaign id on spend rows. */ `
  ALTER TABLE spend ADD COLUMN campaign_id text COLLATE "C";
  `,
  /* 7: as SQLite's migration 7: ad platform destinations and the conversions outbox. */ `
  CREATE TABLE destinations (
    site text COLLATE "C" NOT NULL,
    platform text COLLATE "C" NOT NULL,
    config jsonb NOT NULL,
    secret text NOT NULL,
    conversion text COLLATE "C",
    created bigint NOT NULL,
    PRIMARY KEY (site, platform)
  );
  CREATE TABLE outbox (
    site text COLLATE "C" NOT NULL,
    platform text COLLATE "C" NOT NULL,
    event_id text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    ts bigint NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_at bigint NOT NULL,
    last_error text,
    sent_at bigint,
    created bigint NOT NULL,
    PRIMARY KEY (site, platform, event_id)
  );
  CREATE INDEX outbox_due ON outbox (site, platform, status, next_at);
  `,
  /* 8: as SQLite's migration 8: hashed users of server-side conversions. */ `
  CREATE TABLE user_hashes (
    site text COLLATE "C" NOT NULL,
    event_id text COLLATE "C" NOT NULL,
    email_sha256 text,
    phone_sha256 text,
    phone_digits_sha256 text,
    PRIMARY KEY (site, event_id)
  );
  `,
  /* 9: as SQLite's migration 9: monthly budgets. */ `
  CREATE TABLE budgets (
    site text COLLATE "C" NOT NULL,
    month text COLLATE "C" NOT NULL,
    channel text COLLATE "C" NOT NULL DEFAULT '',
    source text COLLATE "C" NOT NULL DEFAULT '',
    medium text COLLATE "C" NOT NULL DEFAULT '',
    campaign text COLLATE "C" NOT NULL DEFAULT '',
    amount float8 NOT NULL,
    currency text NOT NULL,
    target_cpa float8,
    target_roas float8,
    PRIMARY KEY (site, month, channel, source, medium, campaign)
  );
  `,
  /* 10 (issue 9; renumbered at merge): as SQLite's: report tokens and dashboard sessions. */ `
  CREATE TABLE report_tokens (id text COLLATE "C" PRIMARY KEY, site text COLLATE "C" NOT NULL, hash text NOT NULL,
    label text, created bigint NOT NULL);
  CREATE INDEX report_tokens_site ON report_tokens(site);
  CREATE TABLE dashboard_sessions (hash text COLLATE "C" PRIMARY KEY, site text COLLATE "C", token_id text COLLATE "C",
    expires bigint NOT NULL);
  CREATE INDEX dashboard_sessions_token ON dashboard_sessions(token_id);
  `,
  /* 11: as SQLite's migration 11: goals. */ `
  CREATE TABLE goals (
    site text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    definition jsonb NOT NULL,
    PRIMARY KEY (site, name)
  );
  CREATE TABLE goal_hits (
    site text COLLATE "C" NOT NULL,
    goal text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    PRIMARY KEY (site, goal, key)
  );
  CREATE TABLE goal_version (id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
  INSERT INTO goal_version (id, version) VALUES (1, 0);
  `,
  /* 12: as SQLite's migration 12: alerts. */ `
  CREATE TABLE alert_rules (site text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, definition jsonb NOT NULL,
    created bigint NOT NULL, PRIMARY KEY (site, id));
  CREATE TABLE alert_incidents (id bigserial PRIMARY KEY, site text COLLATE "C" NOT NULL, rule text COLLATE "C" NOT NULL,
    type text NOT NULL, opened bigint NOT NULL, resolved bigint, text text NOT NULL);
  CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents (site, rule) WHERE resolved IS NULL;
  CREATE INDEX alert_incidents_site ON alert_incidents (site, opened);
  CREATE TABLE alert_messages (id bigserial PRIMARY KEY, site text COLLATE "C" NOT NULL, incident bigint NOT NULL,
    state text NOT NULL, url text NOT NULL, body text NOT NULL, status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0, next_at bigint NOT NULL, last_error text, sent_at bigint, created bigint NOT NULL);
  CREATE INDEX alert_messages_due ON alert_messages (status, next_at);
  CREATE INDEX alert_messages_incident ON alert_messages (incident);
  CREATE TABLE alert_clock (id int PRIMARY KEY CHECK (id = 1), minute bigint NOT NULL);
  INSERT INTO alert_clock (id, minute) VALUES (1, 0);
  `,
  /* 13 (issue 9): region-aware consent defaults. The site's mapping of visitor countries
     to the consent mode its script tag starts with (JSON, as PATCH /api/sites sends it);
     NULL: the tag's data-consent, or the SDK's default. */ `
  ALTER TABLE sites ADD COLUMN consent_regions jsonb;
  `,
  /* 14 (issue 11): segments by source or medium resolve which referrer hosts stand for a
     search engine or referral by reading the distinct hosts, one index seek each. */ `
  CREATE INDEX sessions_site_referrer ON sessions(site, referrer_host) WHERE referrer_host IS NOT NULL;
  `,
  /* 15 (issue 11): the longest session each site has had (last event minus start). A
     segment's sessions holding events of [a, b) then started in [a - span, b): one index
     range, where a test of each event's session cost a lookup per event. Never lowered
     (erasure, retention): a longer span only reads more. */ `
  CREATE TABLE session_span (site text PRIMARY KEY, max_ms bigint NOT NULL);
  INSERT INTO session_span (site, max_ms) SELECT site, MAX(last_ts - started) FROM sessions GROUP BY site;
  `,
  /* 14: as SQLite's migration 14: report rollups, backfilled and kept by statement-level
     triggers (see postgres-rollup-schema.ts). */
  POSTGRES_ROLLUPS_MIGRATION,
  /* 17 (issue 9): export and erasure by user id found the user's events by reading every
     event of the site, inside the write transaction ingest and derivation wait on. */ `
  CREATE INDEX events_site_user ON events(site, user_id) WHERE user_id IS NOT NULL;
  `,
  /* 18 (issue 11): as SQLite's migrations 18 and 19: attribution credit per slot, model and
     touch, and each visitor's first exposure and conversion after it, worked out by
     derivation for what triggers note (see postgres-credit-experiment-schema.ts). */
  POSTGRES_CREDIT_EXPERIMENT_MIGRATION,
  /* 19 (issue 11): visitors per consent state in the rollups, for the health panel (see
     postgres-rollup-schema.ts). */
  POSTGRES_CONSENT_ROLLUP_MIGRATION,
]

/**
 * Applies the migrations the database has not seen yet, each in its own transaction.
 * Several collector processes may start at once: a session advisory lock (per schema)
 * lets one migrate while the others wait, then find nothing left to do.
 *
 * @example
 * await migratePostgres(pool) // the schema on the search_path is now at the newest version
 */
export async function migratePostgres(pool: pg.Pool, migrations: string[] = POSTGRES_MIGRATIONS): Promise<number> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query(`SELECT pg_advisory_lock(hashtextextended('funnelbeam:migrate:' || current_schema(), 0))`)
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)')
      const row = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows[0]
      if (!row) await client.query('INSERT INTO schema_version (version) VALUES (0)')
      let version = row?.version ?? 0
      for (; version < migrations.length; version++) {
        await client.query('BEGIN')
        try {
          await client.query(migrations[version])
          await client.query('UPDATE schema_version SET version = $1', [version + 1])
          await client.query('COMMIT')
        } catch (err) {
          await client.query('ROLLBACK').catch(() => { broken = true })
          throw err
        }
      }
      return version
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtextextended('funnelbeam:migrate:' || current_schema(), 0))`)
        .catch(() => { broken = true })
    }
  } finally {
    // A client whose unlock failed may still hold the lock: destroy it rather than pool it.
    client.release(broken)
  }
}
