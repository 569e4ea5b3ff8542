import { availableParallelism } from 'node:os'
import { parseLogLevel, type LogLevel } from './log.ts'

/** Collector configuration, read once from the environment by the server entry. */
export interface Config {
  port: number
  dataDir: string
  databaseUrl: string | null
  adminToken: string
  trustProxy: boolean
  /** Accept events from headless/automated browsers instead of flagging them as bots. */
  allowBots: boolean
  rateLimit: {
    /** Requests a client may make per window. */
    max: number
    windowMs: number
  }
  /** Max events kept in one group-committed transaction before it is flushed. */
  maxBatchEvents: number
  /** Directory with the built SDK (funnelbeam.js). */
  sdkDir: string
  /** Worker threads that run reports off the ingest thread (0: reports run in process). */
  reportWorkers: number
  /**
   * Whether a collector on a SQLite file warms its report workers on start and lets them
   * keep their report memory (`report-runner/warm-up.ts`; FUNNELBEAM_REPORT_WARM_UP=0: off).
   */
  reportWarmUp: boolean
  /** Where conversions are sent for sites with destinations (tests point these at a stand-in). */
  adPlatforms: AdPlatformUrls
  /** How often the outbox looks for new conversions and due retries. */
  outboxIntervalMs: number
  /** Days events, sessions and quarantine rows are kept (FUNNELBEAM_RETENTION_DAYS); null: for ever. */
  retentionDays: number | null
  /** Lowest level written to the JSON log (FUNNELBEAM_LOG_LEVEL). */
  logLevel: LogLevel
}

export interface AdPlatformUrls {
  meta: string
  googleDataManager: string
  yandexMetrica: string
}

export const DEFAULT_CONFIG: Omit<Config, 'adminToken'> = {
  port: 8787,
  dataDir: './data',
  databaseUrl: null,
  trustProxy: false,
  allowBots: false,
  rateLimit: { max: 600, windowMs: 60_000 },
  maxBatchEvents: 100,
  sdkDir: './dist',
  // Two lanes of a dashboard page load side by side (`dashboard/lanes.ts`); one core gets one worker.
  reportWorkers: Math.min(2, availableParallelism()),
  reportWarmUp: true,
  adPlatforms: {
    meta: 'https://graph.facebook.com',
    googleDataManager: 'https://datamanager.googleapis.com',
    yandexMetrica: 'https://api-metrika.yandex.net',
  },
  outboxIntervalMs: 30_000,
  retentionDays: null,
  logLevel: 'info',
}

/**
 * Reads the configuration from environment variables (names as in DESIGN.md).
 * The admin token is resolved by the server entry, since it may live in the data dir.
 *
 * @example
 * const cfg = readEnvConfig(process.env) // { port: 8787, dataDir: './data', … }
 */
export function readEnvConfig(env: Record<string, string | undefined>): Omit<Config, 'adminToken'> & { adminToken: string | null } {
  const int = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d)
  const bool = (v: string | undefined) => v === '1' || v === 'true' || v === 'yes'
  return {
    port: int(env.PORT, DEFAULT_CONFIG.port),
    dataDir: env.DATA_DIR || DEFAULT_CONFIG.dataDir,
    databaseUrl: env.DATABASE_URL || null,
    adminToken: env.FUNNELBEAM_ADMIN_TOKEN || null,
    trustProxy: bool(env.TRUST_PROXY),
    allowBots: bool(env.FUNNELBEAM_ALLOW_BOTS),
    rateLimit: {
      max: int(env.FUNNELBEAM_RATE_LIMIT, DEFAULT_CONFIG.rateLimit.max),
      windowMs: int(env.FUNNELBEAM_RATE_WINDOW_MS, DEFAULT_CONFIG.rateLimit.windowMs),
    },
    maxBatchEvents: DEFAULT_CONFIG.maxBatchEvents,
    sdkDir: env.FUNNELBEAM_SDK_DIR || DEFAULT_CONFIG.sdkDir,
    reportWorkers: int(env.FUNNELBEAM_REPORT_WORKERS, DEFAULT_CONFIG.reportWorkers),
    reportWarmUp: env.FUNNELBEAM_REPORT_WARM_UP === undefined || env.FUNNELBEAM_REPORT_WARM_UP === '' ? DEFAULT_CONFIG.reportWarmUp : bool(env.FUNNELBEAM_REPORT_WARM_UP),
    adPlatforms: {
      meta: env.FUNNELBEAM_META_URL || DEFAULT_CONFIG.adPlatforms.meta,
      googleDataManager: env.FUNNELBEAM_GOOGLE_DATA_MANAGER_URL || DEFAULT_CONFIG.adPlatforms.googleDataManager,
      yandexMetrica: env.FUNNELBEAM_YANDEX_METRICA_URL || DEFAULT_CONFIG.adPlatforms.yandexMetrica,
    },
    outboxIntervalMs: int(env.FUNNELBEAM_OUTBOX_INTERVAL_MS, DEFAULT_CONFIG.outboxIntervalMs),
    // 0 or unset: off. A positive whole number of days turns the daily deletion on.
    retentionDays: int(env.FUNNELBEAM_RETENTION_DAYS, 0) > 0 ? int(env.FUNNELBEAM_RETENTION_DAYS, 0) : null,
    logLevel: parseLogLevel(env.FUNNELBEAM_LOG_LEVEL),
  }
}
