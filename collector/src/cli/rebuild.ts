/**
 * `npm run rebuild`: re-derives sessions and report data from the stored events, with the
 * channel rules of this version. Reads DATA_DIR / DATABASE_URL like the server; stop the
 * collector first.
 */
import { join } from 'node:path'
import { readEnvConfig } from '../config.ts'
import { SqliteStore } from '../store/sqlite.ts'
import { PostgresStore } from '../store/postgres.ts'
import type { Store } from '../store/types.ts'
import { rebuildDerived } from '../derive/rebuild.ts'

const env = readEnvConfig(process.env)
const store: Store = env.databaseUrl ? await PostgresStore.open(env.databaseUrl) : new SqliteStore(join(env.dataDir, 'funnelbeam.db'))
const started = Date.now()
let last = 0
try {
  const n = await rebuildDerived(store, (p) => {
    if (Date.now() - last < 1000 && p.done !== p.total) return
    last = Date.now()
    process.stderr.write(`${p.phase}: ${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} events\n`)
  })
  console.log(`rebuilt sessions and channels of ${n.toLocaleString('en')} events in ${((Date.now() - started) / 1000).toFixed(1)} s`)
} finally {
  await store.close()
}
