import { Hono } from 'hono'
import type { Config } from './config.ts'
import type { Store } from './store/types.ts'
import { systemClock, type Clock } from './clock.ts'
import { errorHandler } from './http/errors.ts'
import { collectCors } from './http/cors.ts'
import { SiteCache } from './http/site-cache.ts'
import { Metrics } from './http/metrics.ts'
import { RateLimiter } from './http/rate-limit.ts'
import { countRefusals } from './http/refusals.ts'
import { closeAfterTooLarge } from './http/oversize.ts'
import { requestLog } from './http/request-log.ts'
import type { Logger } from './log.ts'
import { Ingestor } from './ingest/ingestor.ts'
import { collectRoutes } from './routes/collect.ts'
import { pixelRoutes } from './routes/pixel.ts'
import { serverEventRoutes } from './routes/server-events.ts'
import { siteRoutes } from './routes/sites.ts'
import { healthRoutes } from './routes/health.ts'
import { spendRoutes } from './routes/spend.ts'
import { exportRoutes } from './routes/exports.ts'
import { destinationRoutes } from './routes/destinations.ts'
import { dashboardAdsRoutes } from './routes/dashboard-ads.ts'
import { reportRoutes } from './routes/reports.ts'
import { cockpitRoutes } from './routes/cockpit.ts'
import { alertRoutes } from './routes/alerts.ts'
import { dashboardAlertsRoutes } from './routes/dashboard-alerts.ts'
import { dashboardRoutes } from './routes/dashboard.ts'
import { scriptRoutes } from './routes/script.ts'
import { tokenRoutes } from './routes/tokens.ts'
import { privacyRoutes } from './routes/privacy.ts'
import { startHousekeeping } from './privacy/housekeeping.ts'
import { docsRoutes } from './routes/docs.ts'
import { collectorVersion } from './version.ts'
import { Deriver } from './derive/deriver.ts'
import type { Derivation } from './derive/background.ts'
import { inProcessRunner, type ReportRunner } from './report-runner/runner.ts'

export interface AppDeps {
  store: Store
  config: Config
  clock?: Clock
  log?: (msg: string, err?: unknown) => void
  /** Writes one JSON line per request; none when absent (tests). */
  logger?: Logger
  metrics?: Metrics
  /** Derives sessions and report rows from acknowledged events; made over `store` when absent. */
  deriver?: Derivation
  /** Where reports run; in process (after derivation catches up) when absent. */
  runner?: ReportRunner
  /** How often the salt and retention timer looks (real time); 10 minutes when absent. */
  housekeepingMs?: number
}

/** How often derivation looks for work it was not poked for (another process's events, a retry). */
const DERIVE_POLL_MS = 1000

/**
 * Builds the collector's Hono app from its dependencies; the server entry only serves it.
 *
 * @example
 * const app = createApp({ store: openSqliteStore(':memory:'), config })
 * await app.request('/healthz')
 */
export function createApp(deps: AppDeps): Hono {
  const clock = deps.clock ?? systemClock
  const log = deps.log ?? ((msg, err) => console.error(msg, err))
  const metrics = deps.metrics ?? new Metrics()
  const deriver = deps.deriver ?? new Deriver(deps.store, { log })
  const runner = deps.runner ?? inProcessRunner(deps.store.reports, { now: () => clock.now(), log, beforeRead: () => deriver.settle() })
  const ingestor = new Ingestor(deps.store, clock, metrics)
  ingestor.onAccepted = () => deriver.poke()
  // Events acknowledged before a restart (or by another process) are derived without a poke.
  deriver.poke()
  setInterval(() => deriver.poke(), DERIVE_POLL_MS).unref()
  // Salts (48 h) and the retention limit are kept by a timer, not by traffic.
  startHousekeeping({ trust: deps.store.trust, clock, retentionDays: deps.config.retentionDays ?? null, log, everyMs: deps.housekeepingMs })
  // Real time, not the app clock: a test clock that stands still must not keep a site for ever.
  const sites = new SiteCache((id) => deps.store.getSite(id), () => Date.now())
  const ingestDeps = {
    store: deps.store, config: deps.config, clock, metrics, ingestor, sites,
    limiter: new RateLimiter(deps.config.rateLimit.max, deps.config.rateLimit.windowMs, () => clock.now()),
  }
  const app = new Hono()
  app.onError(errorHandler(log))
  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'No such route' } }, 404))
  if (deps.logger) app.use('*', requestLog(deps.logger))
  app.use('*', async function timing(c, next) {
    const start = performance.now()
    await next()
    metrics.observe(c.req.routePath || 'unmatched', (performance.now() - start) / 1000)
  })
  app.use('*', countRefusals(metrics))
  app.use('*', closeAfterTooLarge())
  // Browsers read the answer of /collect (for retries), so it needs CORS; the site's
  // allowlist is enforced by the route itself with a 403. Retry-After is not a
  // CORS-safelisted header: without exposing it the SDK cannot see how long to back off.
  app.use('/collect', collectCors())

  app.route('/', collectRoutes(ingestDeps))
  app.route('/', pixelRoutes(ingestDeps))
  app.route('/', serverEventRoutes(ingestDeps))
  app.route('/', siteRoutes({ store: deps.store, clock, adminToken: () => deps.config.adminToken, sites }))
  app.route('/', healthRoutes({ metrics, backlog: () => deps.store.derivationBacklog(), now: () => Date.now() }))
  app.route('/', tokenRoutes({ store: deps.store, clock, adminToken: () => deps.config.adminToken }))
  app.route('/', privacyRoutes({ store: deps.store, adminToken: () => deps.config.adminToken, settle: () => deriver.settle(), forget: () => deriver.forget?.(), log: (msg) => log(msg) }))
  app.route('/api/sites', reportRoutes({ ...deps, runner }))
  // Spend matching and conversion exports read derived data: they wait for derivation.
  const settled = { ...deps, deriver }
  app.route('/api/sites', spendRoutes(settled))
  app.route('/api/sites', exportRoutes(settled))
  app.route('/api/sites', destinationRoutes(deps))
  app.route('/api/sites', cockpitRoutes({ ...deps, runner }))
  app.route('/api/sites', alertRoutes(deps))
  app.route('/dashboard', dashboardRoutes({ ...deps, runner, metrics }))
  app.route('/dashboard', dashboardAdsRoutes(settled))
  app.route('/dashboard', dashboardAlertsRoutes(deps))
  app.route('/', scriptRoutes(deps.config, sites))
  app.route('/', docsRoutes(collectorVersion()))
  return app
}
