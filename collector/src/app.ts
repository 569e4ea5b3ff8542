import { Hono } from 'hono'
import type { Config } from './config.ts'
import type { Store } from './store/types.ts'
import { systemClock, type Clock } from './clock.ts'
import { errorHandler, apiError } from './http/errors.ts'

export interface AppDeps {
  store: Store
  config: Config
  clock?: Clock
  log?: (msg: string, err?: unknown) => void
}

/**
 * Builds the collector's Hono app from its dependencies; the server entry only serves it.
 *
 * @example
 * const app = createApp({ store: await openSqliteStore(':memory:'), config })
 * await app.request('/healthz')
 */
export function createApp(deps: AppDeps): Hono {
  const clock = deps.clock ?? systemClock
  const log = deps.log ?? ((msg, err) => console.error(msg, err))
  const app = new Hono()
  app.onError(errorHandler(log))
  app.notFound(() => { throw apiError(404, 'not_found', 'No such route') })

  // Mount points: ingest (foundation), script (SDK), reports + spend, dashboard, demo site.
  void clock
  return app
}
