/**
 * The collector as a library: build the Hono app over a store of your choice, or run the
 * whole server. The `funnelbeam` command is this package's bin.
 *
 * @example
 * import { createApp, SqliteStore, DEFAULT_CONFIG } from 'funnelbeam-collector'
 * const store = new SqliteStore('./data/funnelbeam.db')
 * const app = createApp({ store, config: { ...DEFAULT_CONFIG, adminToken: process.env.ADMIN_TOKEN! } })
 */
export { createApp, type AppDeps } from './app.ts'
export { runServer, type ServerExtras } from './run-server.ts'
export { DEFAULT_CONFIG, readEnvConfig, type Config } from './config.ts'
export { SqliteStore, openSqliteStore } from './store/sqlite.ts'
export { PostgresStore, type PostgresOptions } from './store/postgres.ts'
export { openConfiguredStore, type OpenedStore } from './store/open.ts'
export type { Store, DerivationStore } from './store/types.ts'
export type { Site, EnrichedEvent } from './model.ts'
export { Deriver } from './derive/deriver.ts'
export { createReports, type Reports } from './reports/service.ts'
export { createSite } from './routes/sites.ts'
export { createLogger, type Logger, type LogLevel } from './log.ts'
export { openApiDocument } from './http/openapi.ts'
export { runCli } from './cli/main.ts'
