import { join } from 'node:path'
import { SqliteStore } from './sqlite.ts'
import { PostgresStore } from './postgres.ts'
import type { Store } from './types.ts'

export interface OpenedStore {
  store: Store
  /** For logs: the file, or the URL without its password. */
  label: string
  /** The SQLite file, or null on PostgreSQL. */
  sqliteFile: string | null
}

/**
 * The store the configuration names: PostgreSQL with DATABASE_URL (migrated on open), else
 * the SQLite file `funnelbeam.db` in DATA_DIR. The server and every CLI command open it here.
 *
 * @example
 * const { store, label } = await openConfiguredStore(readEnvConfig(process.env))
 */
export async function openConfiguredStore(cfg: { dataDir: string; databaseUrl: string | null }): Promise<OpenedStore> {
  if (cfg.databaseUrl) return { store: await PostgresStore.open(cfg.databaseUrl), label: `PostgreSQL: ${redactUrl(cfg.databaseUrl)}`, sqliteFile: null }
  const file = join(cfg.dataDir, 'funnelbeam.db')
  return { store: new SqliteStore(file), label: `SQLite: ${file}`, sqliteFile: file }
}

/**
 * The URL without its password, for logs and output.
 *
 * @example
 * redactUrl('postgres://app:hunter2@db/funnelbeam') // 'postgres://app:***@db/funnelbeam'
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://…'
  }
}
