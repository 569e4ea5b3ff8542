/**
 * The SQLite experiment rollups (migration 19): each visitor's first exposure per
 * experiment (`exposure_first`) and, per conversion name and for any conversion (''), the
 * visitor's first conversion at or after it (`exposure_converted`). A readout counts rows
 * in an index range instead of grouping every exposure and conversion before the range's
 * end (at 10M events: ~1M rows read and grouped).
 *
 * Triggers and the rollup writer note the visitors whose exposures or conversions change
 * (`experiment_dirty`); derivation works their rows out again a few hundred per step
 * (`SqliteExperimentRollup.refresh`). A readout uses the rollups only while no visitor of
 * the site is noted, so it never mixes old and new rows.
 */

import { noteTriggers } from './sqlite-credit-schema.ts'

const MARKED = (r: string) => `${r}.type IN ('exposure', 'conversion') AND ${r}.bot = 0 AND ${r}.visitor IS NOT NULL`
const mark = (r: 'NEW' | 'OLD', when: string) =>
  `INSERT OR IGNORE INTO experiment_dirty (site, visitor) SELECT ${r}.site, ${r}.visitor WHERE ${when};`
const EVENT_COLS = ['site', 'ts', 'type', 'name', 'props', 'visitor', 'bot'] as const

/** Every visitor with an exposure, to be worked out (the migration's backfill; the bench generator's too). */
export const SQLITE_EXPERIMENT_MARK_ALL = `INSERT OR IGNORE INTO experiment_dirty (site, visitor)
  SELECT DISTINCT site, visitor FROM events WHERE type = 'exposure' AND bot = 0 AND visitor IS NOT NULL;`

/** Migration 19: the experiment rollups, the visitors to work out again and the triggers that note them. */
export const SQLITE_EXPERIMENT_MIGRATION = `
  CREATE TABLE exposure_first (site TEXT NOT NULL, visitor TEXT NOT NULL, experiment TEXT NOT NULL, ts INTEGER NOT NULL,
    variant TEXT NOT NULL, PRIMARY KEY (site, visitor, experiment)) WITHOUT ROWID;
  CREATE INDEX exposure_first_readout ON exposure_first(site, experiment, ts, variant);
  CREATE TABLE exposure_converted (site TEXT NOT NULL, visitor TEXT NOT NULL, experiment TEXT NOT NULL, name TEXT NOT NULL,
    exposed INTEGER NOT NULL, variant TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (site, visitor, experiment, name)) WITHOUT ROWID;
  CREATE INDEX exposure_converted_readout ON exposure_converted(site, experiment, name, exposed, ts, variant);
  CREATE TABLE experiment_dirty (site TEXT NOT NULL, visitor TEXT NOT NULL, PRIMARY KEY (site, visitor)) WITHOUT ROWID;
  ${SQLITE_EXPERIMENT_MARK_ALL}
  ${noteTriggers('events', 'experiment', EVENT_COLS, MARKED, mark, false)}
`
