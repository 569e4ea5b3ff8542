/**
 * Versioned schema migrations for the SQLite store, applied in order on start.
 * Append new versions; never edit one that has shipped.
 */
import { SQLITE_CONSENT_ROLLUP_MIGRATION, SQLITE_ROLLUPS_MIGRATION, SQLITE_VISITOR_DAYS_MIGRATION } from './sqlite-rollup-schema.ts'
import { SQLITE_CREDIT_MIGRATION } from './sqlite-credit-schema.ts'
import { SQLITE_EXPERIMENT_MIGRATION } from './sqlite-experiment-schema.ts'
import {
  SQLITE_DENSE_UNITS_MIGRATION, SQLITE_EVENT_CHUNKS_MIGRATION, SQLITE_FUNNEL_MIGRATION, SQLITE_STRICT_PREV_MIGRATION, SQLITE_VISITOR_ORDER_MIGRATION,
  SQLITE_COMPACT_CHUNKS_MIGRATION,
} from './sqlite-funnel-schema.ts'

export const SQLITE_MIGRATIONS: string[] = [
  /* 1: sites, salts, events, sessions, quarantine, spend */ `
  CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    origins TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'EUR',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    created INTEGER NOT NULL
  );
  CREATE TABLE salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL, created INTEGER NOT NULL);
  CREATE TABLE events (
    site TEXT NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received INTEGER NOT NULL,
    visitor TEXT,
    user_id TEXT,
    session_id TEXT,
    path TEXT,
    url TEXT,
    referrer TEXT,
    title TEXT,
    source TEXT, medium TEXT, campaign TEXT, term TEXT, content TEXT, utm_id TEXT,
    click_id_type TEXT, click_id TEXT, referrer_host TEXT,
    channel TEXT NOT NULL,
    device TEXT, browser TEXT, country TEXT, lang TEXT, screen INTEGER,
    value REAL, currency TEXT, order_id TEXT,
    props TEXT,
    consent INTEGER NOT NULL,
    bot INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL
  );
  -- Exactly once: one row per event id per site, for ever.
  CREATE UNIQUE INDEX events_site_id ON events(site, id);
  -- Exactly once for orders: one conversion per site, name and order id.
  CREATE UNIQUE INDEX events_order ON events(site, name, order_id)
    WHERE type = 'conversion' AND order_id IS NOT NULL;
  CREATE INDEX events_site_ts ON events(site, ts);
  CREATE INDEX events_site_type_name_ts ON events(site, type, name, ts);
  CREATE INDEX events_site_visitor_ts ON events(site, visitor, ts);
  CREATE TABLE sessions (
    site TEXT NOT NULL,
    id TEXT NOT NULL,
    visitor TEXT NOT NULL,
    started INTEGER NOT NULL,
    last_ts INTEGER NOT NULL,
    campaign_key TEXT,
    source TEXT, medium TEXT, campaign TEXT, term TEXT, content TEXT,
    click_id_type TEXT, referrer_host TEXT,
    channel TEXT NOT NULL,
    landing_path TEXT,
    device TEXT, browser TEXT, country TEXT,
    consent INTEGER NOT NULL,
    bot INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0,
    pageviews INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, id)
  );
  CREATE INDEX sessions_site_visitor_started ON sessions(site, visitor, started);
  CREATE INDEX sessions_site_started ON sessions(site, started);
  CREATE TABLE quarantine (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT,
    received INTEGER NOT NULL,
    origin TEXT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE INDEX quarantine_site_received ON quarantine(site, received);
  CREATE TABLE spend (
    site TEXT NOT NULL,
    date TEXT NOT NULL,
    source TEXT NOT NULL,
    medium TEXT NOT NULL,
    campaign TEXT NOT NULL,
    cost REAL NOT NULL,
    impressions INTEGER NOT NULL DEFAULT 0,
    clicks INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    PRIMARY KEY (site, date, source, medium, campaign)
  );
  `,
  /* 2: report indexes (issue 4). Covering and partial (bot = 0, as every report filters),
     so funnel, attribution and campaign scans read index pages only. Keys lead with
     time-ordered columns within a site/type/name so inserts append. */ `
  CREATE INDEX events_report_name_ts ON events(site, type, name, ts, visitor, session_id, value, currency) WHERE bot = 0;
  CREATE INDEX events_report_pageview_path ON events(site, path, ts, visitor, session_id) WHERE type = 'pageview' AND bot = 0;
  CREATE INDEX sessions_report_visitor ON sessions(site, visitor, started, channel, source, medium, campaign, click_id_type, referrer_host) WHERE bot = 0;
  CREATE INDEX sessions_report_started ON sessions(site, started, channel, source, medium, campaign, click_id_type, referrer_host) WHERE bot = 0;
  `,
  /* 3: each visitor's first exposure variant (funnel breakdowns by experiment) without a
     table read per exposure: the variant is an indexed expression. Exposures are few, so
     the index costs ingest little; the expression is the one the scan selects, and the
     ingest writes props with JSON.stringify, so it never fails on a row. */ `
  CREATE INDEX events_exposure_variant ON events(site, name, ts, visitor, CAST(json_extract(props, '$.variant') AS TEXT))
    WHERE type = 'exposure' AND bot = 0;
  `,
  /* 4: when the last event arrived (the dashboard's tracking health). Receive times only
     grow, so this index appends and costs ingest little. */ `
  CREATE INDEX events_site_received ON events(site, received);
  `,
  /* 5: ingest appends, derivation follows (issue 8). Acknowledging an event takes two
     lean writes: its id (and order id) into a key-only table that keeps it exactly once,
     and the request's accepted events into the inbox as one row. Derivation moves inbox
     rows into events and sessions in its own short transactions, so the seven report
     indexes on events are no longer written while a client waits. The unique indexes on
     events move to the key tables (every stored event's keys are copied over first). */ `
  CREATE TABLE event_ids (site TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (site, id)) WITHOUT ROWID;
  CREATE TABLE order_ids (site TEXT NOT NULL, name TEXT NOT NULL, order_id TEXT NOT NULL,
    PRIMARY KEY (site, name, order_id)) WITHOUT ROWID;
  INSERT OR IGNORE INTO event_ids (site, id) SELECT site, id FROM events;
  INSERT OR IGNORE INTO order_ids (site, name, order_id) SELECT site, name, order_id FROM events
    WHERE type = 'conversion' AND order_id IS NOT NULL;
  DROP INDEX events_site_id;
  DROP INDEX events_order;
  CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, received INTEGER NOT NULL,
    n INTEGER NOT NULL, events TEXT NOT NULL);
  `,
  /* 6: spend rows keep the ad platform's campaign id, so sessions tagged with utm_id (or
     with the id as their campaign) meet the spend of a campaign renamed since. */ `
  ALTER TABLE spend ADD COLUMN campaign_id TEXT;
  `,
  /* 7: ad platform destinations and the outbox of conversions to send them: one row per
     conversion and destination, so each is sent once, and it survives a restart. */ `
  CREATE TABLE destinations (
    site TEXT NOT NULL,
    platform TEXT NOT NULL,
    config TEXT NOT NULL,
    secret TEXT NOT NULL,
    conversion TEXT,
    created INTEGER NOT NULL,
    PRIMARY KEY (site, platform)
  );
  CREATE TABLE outbox (
    site TEXT NOT NULL,
    platform TEXT NOT NULL,
    event_id TEXT NOT NULL,
    name TEXT NOT NULL,
    ts INTEGER NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_error TEXT,
    sent_at INTEGER,
    created INTEGER NOT NULL,
    PRIMARY KEY (site, platform, event_id)
  );
  CREATE INDEX outbox_due ON outbox(site, platform, status, next_at);
  `,
  /* 8: enhanced conversions: SHA-256 hashes of a server-side conversion's user (email,
     phone), kept apart from events, only with ads consent, read only by the exports. */ `
  CREATE TABLE user_hashes (
    site TEXT NOT NULL,
    event_id TEXT NOT NULL,
    email_sha256 TEXT,
    phone_sha256 TEXT,
    phone_digits_sha256 TEXT,
    PRIMARY KEY (site, event_id)
  ) WITHOUT ROWID;
  `,
  /* 9 (issue 11): monthly budgets per channel or source/medium/
     campaign. An absent scope field is '' (not NULL), so the primary key makes the same
     month and scope one row. */ `
  CREATE TABLE budgets (
    site TEXT NOT NULL,
    month TEXT NOT NULL,
    channel TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    medium TEXT NOT NULL DEFAULT '',
    campaign TEXT NOT NULL DEFAULT '',
    amount REAL NOT NULL,
    currency TEXT NOT NULL,
    target_cpa REAL,
    target_roas REAL,
    PRIMARY KEY (site, month, channel, source, medium, campaign)
  );
  `,
  /* 10 (issue 9; renumbered at merge): per-site report tokens and dashboard sessions.
     Only SHA-256 hashes of their secrets are stored; a session names the token it was
     signed in with, so revoking the token ends its sessions too. */ `
  CREATE TABLE report_tokens (id TEXT PRIMARY KEY, site TEXT NOT NULL, hash TEXT NOT NULL, label TEXT,
    created INTEGER NOT NULL);
  CREATE INDEX report_tokens_site ON report_tokens(site);
  CREATE TABLE dashboard_sessions (hash TEXT PRIMARY KEY, site TEXT, token_id TEXT, expires INTEGER NOT NULL);
  CREATE INDEX dashboard_sessions_token ON dashboard_sessions(token_id);
  `,
  /* 11 (issue 11): goals without code. A goal's conversions are
     event rows (origin 'goal'); goal_hits claims (site, goal, session) once, so a goal
     counts once per session whether derivation or the backfill of a new goal gets there
     first; goal_version moves on with every change to the goals, and a derivation step
     planned with an older one is refused (it would miss the new goal's events). */ `
  CREATE TABLE goals (
    site TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (site, name)
  );
  CREATE TABLE goal_hits (site TEXT NOT NULL, goal TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (site, goal, key)) WITHOUT ROWID;
  CREATE TABLE goal_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
  INSERT INTO goal_version (id, version) VALUES (1, 0);
  `,
  /* 12 (issue 11): per-site alert rules, the incidents they open
     and resolve (one open incident per rule at most), the webhook messages about them (a
     durable queue with retries), and the last minute evaluated, so several ticks in one
     minute evaluate once. */ `
  CREATE TABLE alert_rules (site TEXT NOT NULL, id TEXT NOT NULL, definition TEXT NOT NULL, created INTEGER NOT NULL,
    PRIMARY KEY (site, id));
  CREATE TABLE alert_incidents (id INTEGER PRIMARY KEY, site TEXT NOT NULL, rule TEXT NOT NULL, type TEXT NOT NULL,
    opened INTEGER NOT NULL, resolved INTEGER, text TEXT NOT NULL);
  CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents(site, rule) WHERE resolved IS NULL;
  CREATE INDEX alert_incidents_site ON alert_incidents(site, opened);
  CREATE TABLE alert_messages (id INTEGER PRIMARY KEY, site TEXT NOT NULL, incident INTEGER NOT NULL, state TEXT NOT NULL,
    url TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL, last_error TEXT, sent_at INTEGER, created INTEGER NOT NULL);
  CREATE INDEX alert_messages_due ON alert_messages(status, next_at);
  CREATE INDEX alert_messages_incident ON alert_messages(incident);
  CREATE TABLE alert_clock (id INTEGER PRIMARY KEY CHECK (id = 1), minute INTEGER NOT NULL);
  INSERT INTO alert_clock (id, minute) VALUES (1, 0);
  `,
  /* 13 (issue 9): region-aware consent defaults. The site's mapping of visitor countries
     to the consent mode its script tag starts with (JSON, as PATCH /api/sites sends it);
     NULL: the tag's data-consent, or the SDK's default. */ `
  ALTER TABLE sites ADD COLUMN consent_regions TEXT;
  `,
  /* 14 (issue 11): segments by source or medium resolve which referrer hosts stand for a
     search engine or referral by reading the distinct hosts, one index seek each. */ `
  CREATE INDEX sessions_site_referrer ON sessions(site, referrer_host) WHERE referrer_host IS NOT NULL;
  `,
  /* 15 (issue 11): the longest session each site has had (last event minus start). A
     segment's sessions holding events of [a, b) then started in [a - span, b): one index
     range, where a test of each event's session cost a lookup per event. Never lowered
     (erasure, retention): a longer span only reads more. */ `
  CREATE TABLE session_span (site TEXT PRIMARY KEY, max_ms INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO session_span (site, max_ms) SELECT site, MAX(last_ts - started) FROM sessions GROUP BY site;
  `,
  /* 16: report rollups (summary, sessions per channel and campaign, trends), backfilled
     from the stored events and sessions and kept by triggers (see sqlite-rollup-schema.ts). */
  SQLITE_ROLLUPS_MIGRATION,
  /* 17 (issue 9): export and erasure by user id found the user's events by reading every
     event of the site, inside the write transaction ingest and derivation wait on. */ `
  CREATE INDEX events_site_user ON events(site, user_id) WHERE user_id IS NOT NULL;
  `,
  /* 18 (issue 11): attribution credit per slot, model and touch, kept by derivation (see
     sqlite-credit-schema.ts); every stored conversion's slot is noted to be credited. */
  SQLITE_CREDIT_MIGRATION,
  /* 19 (issue 11): each visitor's first exposure per experiment and first conversion after
     it, kept by derivation (see sqlite-experiment-schema.ts); every exposed visitor is noted. */
  SQLITE_EXPERIMENT_MIGRATION,
  /* 20 (issue 11): visitors per consent state in the rollups, for the health panel (see
     sqlite-rollup-schema.ts). */
  SQLITE_CONSENT_ROLLUP_MIGRATION,
  /* 21 (issue 11): the events funnel steps can match as packed columns per key and day, kept
     by derivation (see sqlite-funnel-schema.ts); every stored (key, day) is noted to be built. */
  SQLITE_FUNNEL_MIGRATION,
  /* 22 (issue 11): every person's event per day as its session's number and whether it is a
     pageview, kept by derivation (see sqlite-funnel-schema.ts), for segmented summaries; every
     stored day is noted to be built. */
  SQLITE_EVENT_CHUNKS_MIGRATION,
  /* 23: an experiment readout counts first exposures and conversions per variant. Indexed by
     time first, every entry of the range went through a sort for the grouping (0.17 s for
     670,000 exposures at 10M events); indexed by variant first, the index hands them
     grouped (about half the time). */ `
  DROP INDEX exposure_first_readout;
  DROP INDEX exposure_converted_readout;
  CREATE INDEX exposure_first_readout ON exposure_first(site, experiment, variant, ts);
  CREATE INDEX exposure_converted_readout ON exposure_converted(site, experiment, name, variant, exposed, ts);
  `,
  /* 24: the credit of one conversion name per model and touch (channels, campaigns and the
     models compared on the dashboard, which counts purchases by default) went through a sort
     of every slot's rows of the range: 95-100 ms for 90 days at 10M events, 16 ms off an
     index that hands them grouped. */ `
  CREATE INDEX rollup_credit_by_touch ON rollup_credit(site, model, name, touch, currency, slot, units, micros);
  `,
  /* 25: visitors and sessions numbered from 1 per site and kind for the funnel columns, not by
     row id across every site and both kinds (see sqlite-funnel-schema.ts); every chunk is
     noted to be built again. */
  SQLITE_DENSE_UNITS_MIGRATION,
  /* 26: each funnel chunk keeps its events' previous events, for strict mode (see
     sqlite-funnel-schema.ts); every chunk is noted to be built again. */
  SQLITE_STRICT_PREV_MIGRATION,
  /* 27: the summary's distinct visitors over whole days from per-day counts of the visitor
     rollups (see sqlite-rollup-schema.ts). */
  SQLITE_VISITOR_DAYS_MIGRATION,
  /* 28: funnel chunks hold their events by visitor (see sqlite-funnel-schema.ts); every chunk
     is noted to be built again. */
  SQLITE_VISITOR_ORDER_MIGRATION,
  /* 29: narrower funnel and session chunks (times as ms in their day, 32-bit rowids, no
     empty label column, flags in a byte) and the sessions' ends in a table apart (see
     sqlite-funnel-schema.ts); every chunk is noted to be built again. */
  SQLITE_COMPACT_CHUNKS_MIGRATION,
]
