import { ipCountryDb } from './geo/ip-country.ts'
import { serve } from '@hono/node-server'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createApp } from './app.ts'
import { readEnvConfig, type Config } from './config.ts'
import { systemClock } from './clock.ts'
import { openConfiguredStore } from './store/open.ts'
import { createLogger } from './log.ts'
import { ensureDemoSite, resolveAdminToken } from './bootstrap.ts'
import { Deriver } from './derive/deriver.ts'
import { threadDeriver, type Derivation } from './derive/background.ts'
import { inProcessRunner } from './report-runner/runner.ts'
import { workerRunner, type ReaderTarget } from './report-runner/pool.ts'
import { Metrics } from './http/metrics.ts'
import { OutboxWorker } from './exports/outbox.ts'
import { AlertWorker } from './alerts/worker.ts'
import { demoSiteRoutes } from '../../demo-site/routes.ts'
import { demoLinks } from '../../demo-site/links.ts'
import { DEFAULT_TIMEOUTS, idleTimeout, timeoutOptions } from './http/timeouts.ts'

// The server entry: read the configuration, open the store, serve. Everything else is in createApp.
const env = readEnvConfig(process.env)
const admin = resolveAdminToken(env.dataDir, env.adminToken)
const config: Config = { ...env, adminToken: admin.token }
// With DATABASE_URL, PostgreSQL (migrated on start) is shared by every collector process.
const { store, label: storeLabel } = await openConfiguredStore(config)
const demo = await ensureDemoSite(store, systemClock, config.dataDir)

// JSON lines on stdout (one per request, plus start and stop); on a terminal the start is
// the human banner instead.
const logger = createLogger({ level: config.logLevel })
const log = logger.errors
// On a SQLite file, derivation gets its own thread and connection; on PostgreSQL each
// process derives in turn (an advisory lock), in process.
const deriver: Derivation = env.databaseUrl ? new Deriver(store, { log }) : threadDeriver(store, join(config.dataDir, 'funnelbeam.db'), log)
// Reports run in worker threads with their own read-only connections (or pool), so a cold
// dashboard over millions of events never holds up an acknowledgement.
const readFrom: ReaderTarget = env.databaseUrl ? { kind: 'postgres', url: env.databaseUrl } : { kind: 'sqlite', file: join(config.dataDir, 'funnelbeam.db') }
const runner = config.reportWorkers > 0
  ? workerRunner(readFrom, config.reportWorkers, { log, beforeRead: () => deriver.settle() })
  : inProcessRunner(store.reports, { log, beforeRead: () => deriver.settle() })
const metrics = new Metrics()
const app = createApp({ store, config, deriver, runner, log, logger, metrics })
// Conversions go to the sites' ad platform destinations in the background, never in a request.
const outbox = new OutboxWorker({ store, config, clock: systemClock, metrics, log })
outbox.start()
// Alert rules are judged once a minute (one process at a time on PostgreSQL) and their webhooks called from a durable queue.
const alerts = new AlertWorker({ store, clock: systemClock, log })
alerts.start()
const root = resolve(fileURLToPath(import.meta.url), '../../..')
app.route('/', demoSiteRoutes(join(root, 'demo-site/public')))

// Slow clients (headers or body trickling in) are answered 408 and cut off; see http/timeouts.ts.
// The IP-to-country table takes about a second to load; load it before the first request waits for it.
await ipCountryDb()
const server = serve({ fetch: app.fetch, port: config.port, serverOptions: timeoutOptions(DEFAULT_TIMEOUTS) }, (info) => {
  const url = `http://localhost:${info.port}`
  const demoSecret = join(config.dataDir, 'demo-site-secret')
  if (!process.stdout.isTTY) {
    // Logs are collected and kept: they name where the admin token is, never the token.
    logger.info('listening', { url, store: storeLabel, adminToken: admin.file ? `in ${admin.file}` : 'from FUNNELBEAM_ADMIN_TOKEN', pid: process.pid })
    if (demo.created) logger.info('site created', { site: 'demo', secretFile: demoSecret })
    return
  }
  console.log(`Funnelbeam collector listening on ${url} (${storeLabel})`)
  console.log(admin.created ? `Admin token (shown once, stored in ${admin.file}): ${admin.token}` : `Admin token: ${admin.file ? `in ${admin.file}` : 'from FUNNELBEAM_ADMIN_TOKEN'}`)
  if (demo.created) console.log(`Site "demo" created; its secret (for /api/events) is in ${demoSecret}`)
  console.log(`Dashboard: ${url}/dashboard/demo`)
  for (const line of demoLinks(url)) console.log(line)
})

idleTimeout(server as unknown as import('node:http').Server, DEFAULT_TIMEOUTS)

// SIGTERM: stop accepting, let in-flight requests finish (their writes commit), then close the database.
let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info('stopping', { signal })
    const force = setTimeout(() => { logger.error('stopped: in-flight work did not finish within 10 s'); process.exit(1) }, 10_000)
    force.unref()
    server.close(async () => {
      await outbox.stop()
      await alerts.stop()
      await runner.close()
      await deriver.close()
      await store.close()
      logger.info('stopped')
      process.exit(0)
    })
    // Keep-alive connections that finish their last request after close() would hold the
    // server open until the client hangs up; close each as soon as it goes idle.
    const idle = server as unknown as { closeIdleConnections?: () => void }
    idle.closeIdleConnections?.()
    setInterval(() => idle.closeIdleConnections?.(), 50).unref()
  })
}
