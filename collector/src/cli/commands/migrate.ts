/** `funnelbeam migrate --to postgres://…`: the SQLite file's data into PostgreSQL, resumable and verified. */
import { join } from 'node:path'
import { existsSync } from 'node:fs'
import { readEnvConfig } from '../../config.ts'
import { SqliteStore } from '../../store/sqlite.ts'
import { PostgresStore } from '../../store/postgres.ts'
import { redactUrl } from '../../store/open.ts'
import { copyTables, countBoth, planCopy } from '../../store/sqlite-to-postgres.ts'
import { createReports, todayIn } from '../../reports/service.ts'
import { dateIn } from '../../reports/dates.ts'
import type { Site } from '../../store/types.ts'
import { CliError, str, UsageError, type Command } from '../command.ts'
import { catchUp } from '../context.ts'

export const migrateCommand: Command = {
  path: ['migrate'],
  summary: 'Copies the SQLite file into PostgreSQL. Resumable; checks row counts and each site\'s summary on both sides at the end.',
  args: [],
  options: {
    to: { type: 'string', value: '<postgres://…>', description: 'the PostgreSQL database (required); a schema other than public: add ?options=-c%20search_path%3Dname' },
    from: { type: 'string', value: '<file>', description: 'the SQLite file (default DATA_DIR/funnelbeam.db)' },
  },
  details: 'Stop the collector first. Every table of the file is copied (sites, salts, events, sessions, spend,\n' +
    'quarantine, inbox, event and order keys, and any added later); the PostgreSQL tables must be empty.\n' +
    'Interrupted? Run the same command again: it resumes where it stopped. Then start the collector with\n' +
    'DATABASE_URL set to the same URL. Exit 0 only when counts and summaries match.',
  async run(inv) {
    const url = str(inv, 'to')
    if (!url) throw new UsageError('--to postgres://… is required')
    if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError(`--to must be a postgres:// URL, got ${JSON.stringify(redactUrl(url))}`)
    const file = str(inv, 'from') ?? join(readEnvConfig(inv.env).dataDir, 'funnelbeam.db')
    if (!existsSync(file)) throw new CliError(`no SQLite file at ${file} (set DATA_DIR or --from)`)
    const source = new SqliteStore(file)
    let target: PostgresStore | null = null
    try {
      // What was acknowledged but not derived is derived first, so both sides hold the same sessions.
      await catchUp(source)
      target = await PostgresStore.open(url, { log: () => {} }).catch((err: { code?: string; message?: string }) => {
        if (err.code !== '3F000') throw err
        const schema = new URL(url).searchParams.get('options')?.match(/search_path\s*=\s*([\w$]+)/)?.[1]
        throw new CliError(`PostgreSQL: ${err.message}${schema ? ` (create it first: CREATE SCHEMA ${schema})` : ''}`)
      })
      const plans = await planCopy(source.db, target.pool)
      await copyTables(source.db, target.pool, plans, {
        onTable: (name, rows, copied) => inv.progress.start(name, rows, copied),
        onRows: (_name, copied) => inv.progress.update(copied),
      })
      inv.progress.stop()
      const counts = await countBoth(source.db, target.pool, plans)
      const wrong = counts.filter((c) => c.sqlite !== c.postgres)
      if (wrong.length) throw new CliError(`row counts differ: ${wrong.map((c) => `${c.table} ${c.sqlite} in SQLite, ${c.postgres} in PostgreSQL`).join('; ')}`)
      await catchUp(target)
      const summaries = await compareSummaries(source, target)
      const differ = summaries.filter((s) => !s.equal)
      const data = { to: redactUrl(url), from: file, tables: counts, sites: summaries, ok: differ.length === 0 }
      const human = [
        ...counts.map((c) => `${c.table.padEnd(16)} ${c.postgres.toLocaleString('en').padStart(12)} rows`),
        ...summaries.map((s) => `site ${s.site}: summary ${s.from}..${s.to} ${s.equal ? 'matches' : 'DIFFERS'}`),
        differ.length ? 'Summaries differ: see above.' : `Done. Start the collector with DATABASE_URL=${redactUrl(url)}`,
      ].join('\n')
      inv.out.result(human, data)
      return differ.length ? 1 : 0
    } finally {
      await source.close()
      await target?.close()
    }
  },
}

/** Each site's summary over all its events, on both stores. */
async function compareSummaries(a: SqliteStore, b: PostgresStore): Promise<{ site: string; from: string; to: string; equal: boolean; sqlite: unknown; postgres: unknown }[]> {
  const out = []
  for (const site of await a.listSites()) {
    const span = a.db.prepare('SELECT min(ts) AS lo, max(ts) AS hi FROM events WHERE site = ?').get(site.id) as { lo: number | null; hi: number | null }
    const q = span.lo === null ? { from: todayIn(site), to: todayIn(site) } : { from: dateIn(site.timezone, span.lo), to: dateIn(site.timezone, span.hi!) }
    const sqlite = await createReports(a.reports).summary(site, q)
    const postgres = await createReports(b.reports).summary((await b.getSite(site.id)) as Site, q)
    out.push({ site: site.id, ...q, equal: sameFigures(sqlite, postgres), sqlite, postgres })
  }
  return out
}

/** Equal as JSON, numbers to 12 significant digits (sums of money may add up in another order). */
function sameFigures(a: unknown, b: unknown): boolean {
  const round = (_k: string, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)
  return JSON.stringify(a, round) === JSON.stringify(b, round)
}
