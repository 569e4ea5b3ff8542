/**
 * Copies every table of a SQLite file into a PostgreSQL schema at the same migration
 * version, for `funnelbeam migrate`. Tables are enumerated from the SQLite schema, so one
 * added later is copied too, or the copy stops before writing anything when PostgreSQL
 * has no such table or column. Rows go in keyset order (rowid, or the primary key of a
 * WITHOUT ROWID table) in chunks; each chunk commits with its position in
 * `funnelbeam_migration`, so an interrupted copy resumes where it stopped and never
 * copies a row twice.
 */
import type Database from 'better-sqlite3'
import type pg from 'pg'
import { inTransaction } from './postgres-pool.ts'
import { clean } from './postgres-ingest.ts'

/**
 * Bookkeeping tables of each store that are not data, and the report rollups: PostgreSQL's
 * triggers build those from the events and sessions as they are copied, or note what
 * derivation must work out (credit and experiment rollups); SQLite's funnel columns, which
 * PostgreSQL does without.
 */
const SKIP = new Set(['schema_version', 'funnelbeam_migration', 'rollup_events', 'rollup_sessions', 'rollup_visitors', 'rollup_visitor_days',
  'rollup_credit', 'credit_parts', 'credit_dirty', 'exposure_first', 'exposure_converted', 'experiment_dirty',
  'funnel_keys', 'funnel_units', 'funnel_unit_next', 'funnel_labels', 'funnel_chunks', 'funnel_dirty', 'session_chunks', 'session_ends', 'session_dirty',
  'event_chunks', 'event_dirty'])
const PROGRESS_TABLE = `CREATE TABLE IF NOT EXISTS funnelbeam_migration (
  tbl text PRIMARY KEY, last_key text, copied bigint NOT NULL DEFAULT 0, done boolean NOT NULL DEFAULT false)`

interface TargetColumn { name: string; type: string; identity: boolean }

export interface TablePlan {
  name: string
  /** Columns copied, with the PostgreSQL type each value is cast to. */
  columns: TargetColumn[]
  /** `['rowid']`, or a WITHOUT ROWID table's primary key columns. */
  key: string[]
  rows: number
}

export interface MigrationHooks {
  /** A table starts (or resumes with `copied` rows already there). */
  onTable?(name: string, rows: number, copied: number): void
  onRows?(name: string, copied: number): void
  /** Called after each committed chunk; a test throws here to interrupt the copy. */
  afterChunk?(name: string): void
}

export interface TableCount { table: string; sqlite: number; postgres: number }

/**
 * Plans the copy: each SQLite table matched to its PostgreSQL table and columns. Throws,
 * naming them, when PostgreSQL lacks a table or column, or requires one SQLite lacks.
 *
 * @example
 * const plan = await planCopy(sqlite.db, pg.pool)
 */
export async function planCopy(db: Database.Database, pool: pg.Pool): Promise<TablePlan[]> {
  const tables = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
    .all() as { name: string; sql: string }[]
  const target = new Map<string, Map<string, TargetColumn & { required: boolean }>>()
  const cols = await pool.query<{ table_name: string; column_name: string; data_type: string; is_identity: string; is_nullable: string; column_default: string | null; is_generated: string }>(
    `SELECT table_name, column_name, data_type, is_identity, is_nullable, column_default, is_generated
     FROM information_schema.columns WHERE table_schema = current_schema()`)
  for (const c of cols.rows) {
    if (!target.has(c.table_name)) target.set(c.table_name, new Map())
    target.get(c.table_name)!.set(c.column_name, {
      name: c.column_name, type: c.data_type, identity: c.is_identity === 'YES',
      required: c.is_nullable === 'NO' && c.column_default === null && c.is_identity !== 'YES' && c.is_generated !== 'ALWAYS',
    })
  }
  const problems: string[] = []
  const plans: TablePlan[] = []
  for (const t of tables.filter((t) => !SKIP.has(t.name))) {
    const into = target.get(t.name)
    if (!into) { problems.push(`PostgreSQL has no table ${t.name}`); continue }
    const info = db.prepare(`SELECT name, pk FROM pragma_table_info(?)`).all(t.name) as { name: string; pk: number }[]
    const missing = info.filter((c) => !into.has(c.name)).map((c) => c.name)
    if (missing.length) problems.push(`PostgreSQL table ${t.name} has no column ${missing.join(', ')}`)
    const required = [...into.values()].filter((c) => c.required && !info.some((i) => i.name === c.name)).map((c) => c.name)
    if (required.length) problems.push(`PostgreSQL table ${t.name} requires ${required.join(', ')}, which SQLite does not have`)
    const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i.test(t.sql)
    const key = withoutRowid ? info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name) : ['rowid']
    const rows = db.prepare(`SELECT count(*) FROM "${t.name}"`).pluck().get() as number
    plans.push({ name: t.name, columns: info.filter((c) => into.has(c.name)).map((c) => into.get(c.name)!), key, rows })
  }
  if (problems.length) throw new Error(`cannot copy this SQLite file into this PostgreSQL schema (are both at the same version?): ${problems.join('; ')}`)
  return plans
}

/**
 * Copies the planned tables, resuming each where a previous run stopped. A fresh copy needs
 * a database without sites (nothing is ever merged into data in use).
 *
 * @example
 * await copyTables(sqlite.db, pg.pool, await planCopy(sqlite.db, pg.pool), { onRows: (t, n) => bar.update(n) })
 */
export async function copyTables(db: Database.Database, pool: pg.Pool, plans: TablePlan[], hooks: MigrationHooks = {}, chunkRows = 5000): Promise<void> {
  await pool.query(PROGRESS_TABLE)
  const started = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM funnelbeam_migration')).rows[0].n > 0
  if (!started) {
    // A database in use has sites; one the collector only migrated has none.
    const sites = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sites')).rows[0].n
    if (sites > 0) throw new Error(`PostgreSQL already holds ${sites} sites: migrate into an empty database or schema`)
  }
  for (const plan of plans) {
    const state = (await pool.query<{ last_key: string | null; copied: number; done: boolean }>(
      'SELECT last_key, copied::float8 AS copied, done FROM funnelbeam_migration WHERE tbl = $1', [plan.name])).rows[0]
    if (state?.done) continue
    if (!state) {
      // Rows a table holds before its copy starts were put there by the schema migrations
      // (a clock row, say): the SQLite file's own rows replace them.
      await inTransaction(pool, async (client) => {
        await client.query(`DELETE FROM "${plan.name}"`)
        await client.query('INSERT INTO funnelbeam_migration (tbl) VALUES ($1)', [plan.name])
      })
    }
    await copyTable(db, pool, plan, state?.last_key ? JSON.parse(state.last_key) as unknown[] : null, state?.copied ?? 0, hooks, chunkRows)
  }
}

async function copyTable(db: Database.Database, pool: pg.Pool, plan: TablePlan, after: unknown[] | null, copied: number, hooks: MigrationHooks, chunkRows: number): Promise<void> {
  hooks.onTable?.(plan.name, plan.rows, copied)
  const names = plan.columns.map((c) => `"${c.name}"`).join(', ')
  const keys = plan.key.map((k) => (k === 'rowid' ? 'rowid' : `"${k}"`))
  const keyList = `(${keys.join(', ')})`
  const first = db.prepare(`SELECT ${keys.join(', ')}, ${names} FROM "${plan.name}" ORDER BY ${keys.join(', ')} LIMIT ?`).raw()
  const next = db.prepare(`SELECT ${keys.join(', ')}, ${names} FROM "${plan.name}" WHERE ${keyList} > (${keys.map(() => '?').join(', ')})
    ORDER BY ${keys.join(', ')} LIMIT ?`).raw()
  // One array parameter per column: no limit on parameters, one statement per chunk.
  const overriding = plan.columns.some((c) => c.identity) ? 'OVERRIDING SYSTEM VALUE' : ''
  const insert = `INSERT INTO "${plan.name}" (${names}) ${overriding}
    SELECT * FROM unnest(${plan.columns.map((c, i) => `$${i + 1}::${arrayType(c.type)}`).join(', ')})`
  for (;;) {
    const rows = (after ? next.all(...after, chunkRows) : first.all(chunkRows)) as unknown[][]
    if (rows.length === 0) break
    const last = rows[rows.length - 1].slice(0, keys.length)
    const columns = plan.columns.map((c, i) => rows.map((r) => convert(r[keys.length + i], c.type)))
    await inTransaction(pool, async (client) => {
      await client.query(insert, columns)
      await client.query('UPDATE funnelbeam_migration SET last_key = $2, copied = copied + $3 WHERE tbl = $1', [plan.name, JSON.stringify(last), rows.length])
    })
    after = last
    copied += rows.length
    hooks.onRows?.(plan.name, copied)
    hooks.afterChunk?.(plan.name)
  }
  // Identity columns copied with their values: the sequence continues after the highest.
  for (const c of plan.columns.filter((c) => c.identity)) {
    await pool.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max("${c.name}") FROM "${plan.name}"), 0) + 1, false)`, [plan.name, c.name])
  }
  await pool.query('UPDATE funnelbeam_migration SET done = true WHERE tbl = $1', [plan.name])
}

/**
 * Rows per table on both sides (every planned table, whatever the copy did).
 *
 * @example
 * (await countBoth(db, pool, plans)).filter((c) => c.sqlite !== c.postgres) // [] after a good copy
 */
export async function countBoth(db: Database.Database, pool: pg.Pool, plans: TablePlan[]): Promise<TableCount[]> {
  const out: TableCount[] = []
  for (const p of plans) {
    const sqlite = db.prepare(`SELECT count(*) FROM "${p.name}"`).pluck().get() as number
    const postgres = (await pool.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM "${p.name}"`)).rows[0].n
    out.push({ table: p.name, sqlite, postgres })
  }
  return out
}

function arrayType(type: string): string {
  return type === 'USER-DEFINED' ? 'text[]' : `${type}[]`
}

/** SQLite's storage to PostgreSQL's: 0/1 to booleans; text cleaned of what PostgreSQL refuses (NUL, lone surrogates). */
function convert(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null
  if (type === 'boolean') return Boolean(v)
  if (typeof v === 'string') return clean(v)
  if (typeof v === 'bigint') return v.toString()
  return v
}
