/**
 * `npm run seed`: fills the `demo` site of the local collector (same DATA_DIR as
 * `npm start`) with four weeks of generated history. Safe to run again at any time.
 */
import { join } from 'node:path'
import { createApp } from '../collector/src/app.ts'
import { readEnvConfig, type Config } from '../collector/src/config.ts'
import { systemClock } from '../collector/src/clock.ts'
import { SqliteStore } from '../collector/src/store/sqlite.ts'
import { ensureDemoSite, resolveAdminToken } from '../collector/src/bootstrap.ts'
import { seedDemo } from './seed-run.ts'

const env = readEnvConfig(process.env)
const admin = resolveAdminToken(env.dataDir, env.adminToken)
// The seed is one trusted local client sending ~100 requests: no rate limit applies to it.
const config: Config = { ...env, adminToken: admin.token, rateLimit: { max: Number.MAX_SAFE_INTEGER, windowMs: 60_000 } }
const file = join(config.dataDir, 'funnelbeam.db')
const store = new SqliteStore(file)
try {
  const demo = await ensureDemoSite(store, systemClock, config.dataDir)
  if (!demo.secret) {
    throw new Error(`Site "demo" exists but its secret is not in ${join(config.dataDir, 'demo-site-secret')}; delete the data dir or restore that file.`)
  }
  const app = createApp({ store, config, log: (msg, err) => console.error(msg, err) })
  console.log(`Seeding site "demo" in ${file} …`)
  const r = await seedDemo({
    app, site: 'demo', secret: demo.secret, adminToken: admin.token, now: Date.now(),
    onProgress: (done, total) => { if (done % 20 === 0 || done === total) process.stdout.write(`  ${done}/${total} batches\r`) },
  })
  console.log(`\nDone: ${r.accepted} events stored, ${r.duplicates} duplicates ignored, ${r.rejected} rejected (a broken tag, on purpose), ${r.spendRows} spend rows.`)
  console.log(`Open http://localhost:${config.port}/dashboard/demo (admin token: ${admin.file ? `in ${admin.file}` : 'FUNNELBEAM_ADMIN_TOKEN'})`)
} finally {
  await store.close()
}
