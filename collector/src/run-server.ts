import { serve } from '@hono/node-server'
import { ipCountryDb } from './geo/ip-country.ts'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import { createApp } from './app.ts'
import { readEnvConfig, type Config } from './config.ts'
import { openConfiguredStore } from './store/open.ts'
import type { Store } from './store/types.ts'
import { createLogger, type Logger } from './log.ts'
import { resolveAdminToken } from './bootstrap.ts'
import { Deriver } from './derive/deriver.ts'
import { threadDeriver, type Derivation } from './derive/background.ts'
import { inProcessRunner } from './report-runner/runner.ts'
import { workerRunner, type ReaderTarget } from './report-runner/pool.ts'
import { warmUp } from './report-runner/warm-up.ts'
import { Metrics } from './http/metrics.ts'
import { OutboxWorker } from './exports/outbox.ts'
import { AlertWorker } from './alerts/worker.ts'
import { DEFAULT_TIMEOUTS, idleTimeout, timeoutOptions } from './http/timeouts.ts'
import { systemClock } from './clock.ts'

export interface ServerExtras {
  /** Runs once the store is open, before serving (e.g. the demo site). */
  prepare?(store: Store, config: Config): Promise<void>
  /** Mounts more routes after the collector's own. */
  routes?(app: Hono): void
  /** More lines for the terminal banner, after the URL and the admin token. */
  banner?(url: string): string[]
  /** More fields for the JSON start line. */
  started?(logger: Logger): void
}

/** The built SDK next to this module: `dist/` at the repository root, or in the installed package. */
const packagedSdk = resolve(fileURLToPath(import.meta.url), '../../../dist')

/**
 * Starts the collector as configured by the environment (PORT, DATA_DIR, DATABASE_URL, …):
 * opens the store, starts derivation and the report workers, serves, and stops cleanly
 * on SIGTERM / SIGINT. `npm start` adds the demo shop through `extras`.
 *
 * @example
 * await runServer() // what `funnelbeam start` does
 */
export async function runServer(extras: ServerExtras = {}, env: Record<string, string | undefined> = process.env): Promise<void> {
  const read = readEnvConfig(env)
  const admin = resolveAdminToken(read.dataDir, read.adminToken)
  // Without FUNNELBEAM_SDK_DIR, the script comes from the build beside this code.
  const sdkDir = env.FUNNELBEAM_SDK_DIR || !existsSync(packagedSdk) ? read.sdkDir : packagedSdk
  const config: Config = { ...read, adminToken: admin.token, sdkDir }
  // With DATABASE_URL, PostgreSQL (migrated on start) is shared by every collector process.
  const { store, label: storeLabel } = await openConfiguredStore(config)
  await extras.prepare?.(store, config)

  // JSON lines on stdout (one per request, plus start and stop); on a terminal the start is
  // the human banner instead.
  const logger = createLogger({ level: config.logLevel })
  const log = logger.errors
  // On a SQLite file, derivation gets its own thread and connection; on PostgreSQL each
  // process derives in turn (an advisory lock), in process.
  const deriver: Derivation = config.databaseUrl ? new Deriver(store, { log }) : threadDeriver(store, join(config.dataDir, 'funnelbeam.db'), log)
  // Reports run in worker threads with their own read-only connections (or pool), so a cold
  // dashboard over millions of events never holds up an acknowledgement.
  const readFrom: ReaderTarget = config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'sqlite', file: join(config.dataDir, 'funnelbeam.db') }
  // On a SQLite file the workers are warmed once the server listens, and keep that memory (`warm-up.ts`).
  const warm = config.reportWarmUp && readFrom.kind === 'sqlite' && config.reportWorkers > 0
  const runner = config.reportWorkers > 0
    ? workerRunner(readFrom, config.reportWorkers, { log, beforeRead: () => deriver.settle(), keepMemory: warm })
    : inProcessRunner(store.reports, { log, beforeRead: () => deriver.settle() })
  const metrics = new Metrics()
  const app = createApp({ store, config, deriver, runner, log, logger, metrics })
  extras.routes?.(app)
  // Conversions go to the sites' ad platform destinations in the background, never in a request.
  const outbox = new OutboxWorker({ store, config, clock: systemClock, metrics, log })
  outbox.start()
  // Alert rules are judged once a minute (one process at a time on PostgreSQL) and their webhooks called from a durable queue.
  const alerts = new AlertWorker({ store, clock: systemClock, log })
  alerts.start()

  // The IP-to-country table takes about a second to load; load it before the first request waits for it.
  await ipCountryDb()
  // Slow clients (headers or body trickling in) are answered 408 and cut off; see http/timeouts.ts.
  const server = serve({ fetch: app.fetch, port: config.port, serverOptions: timeoutOptions(DEFAULT_TIMEOUTS) }, (info) => {
    const url = `http://localhost:${info.port}`
    if (!process.stdout.isTTY) {
      // Logs are collected and kept: they name where the admin token is, never the token.
      logger.info('listening', { url, store: storeLabel, adminToken: admin.file ? `in ${admin.file}` : 'from FUNNELBEAM_ADMIN_TOKEN', pid: process.pid })
      extras.started?.(logger)
      return
    }
    console.log(`Funnelbeam collector listening on ${url} (${storeLabel})`)
    console.log(admin.created ? `Admin token (shown once, stored in ${admin.file}): ${admin.token}` : `Admin token: ${admin.file ? `in ${admin.file}` : 'from FUNNELBEAM_ADMIN_TOKEN'}`)
    for (const line of extras.banner?.(url) ?? [`API: ${url}/docs   Add a site: funnelbeam site add <id> --origin <url>`]) console.log(line)
  })

  idleTimeout(server as unknown as import('node:http').Server, DEFAULT_TIMEOUTS)

  // SIGTERM: stop accepting, let in-flight requests finish (their writes commit), then close the database.
  let stopping = false
  if (warm) {
    // In the background, on the workers' lowered priority: ingest is served meanwhile, and a report asked now waits its turn.
    void store.listSites()
      .then((sites) => warmUp(runner, sites, Date.now(), { log, stopped: () => stopping }))
      .then((warmed) => { if (warmed.sites.length > 0 && !stopping) logger.info('report workers warmed', { sites: warmed.sites.join(' '), ms: warmed.ms }) })
      .catch((err) => log('report warm-up failed', err))
  }
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
}
