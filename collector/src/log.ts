/**
 * Structured logs: one JSON object per line on stdout, with a level threshold
 * (FUNNELBEAM_LOG_LEVEL). Fields are whatever the caller passes, so callers pass only what
 * may be logged: request logs carry route, status, latency and site, never an IP, a token
 * or anything a visitor sent.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export type LogFields = Record<string, string | number | boolean | null | undefined>

export interface Logger {
  readonly level: LogLevel
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** The `(msg, err)` callback the stores and derivation take, logging at error level. */
  errors(msg: string, err?: unknown): void
}

/**
 * A logger writing JSON lines at or above `level`.
 *
 * @example
 * const log = createLogger({ level: 'info' })
 * log.info('request', { method: 'POST', route: '/collect', status: 200, ms: 1.8, site: 'shop' })
 * // {"time":"2026-11-20T12:00:00.000Z","level":"info","msg":"request","method":"POST",…}
 */
export function createLogger(opts: { level?: LogLevel; write?: (line: string) => void; now?: () => number } = {}): Logger {
  const level = opts.level ?? 'info'
  const min = LOG_LEVELS.indexOf(level)
  const write = opts.write ?? ((line: string) => { process.stdout.write(line) })
  const now = opts.now ?? Date.now
  const at = (l: LogLevel) => (msg: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(l) < min) return
    write(JSON.stringify({ time: new Date(now()).toISOString(), level: l, msg, ...fields }) + '\n')
  }
  const error = at('error')
  return {
    level, debug: at('debug'), info: at('info'), warn: at('warn'), error,
    errors(msg, err) {
      const e = err as { message?: string; code?: string; stack?: string } | undefined
      error(msg, err === undefined || err === '' ? {} : { error: e?.message ?? String(err), code: e?.code, stack: e?.stack })
    },
  }
}

/**
 * FUNNELBEAM_LOG_LEVEL, checked: a typo must not silence the logs without a word.
 *
 * @example
 * parseLogLevel('warn') // 'warn'
 * parseLogLevel(undefined) // 'info'
 */
export function parseLogLevel(v: string | undefined): LogLevel {
  if (v === undefined || v === '') return 'info'
  const l = v.toLowerCase()
  if ((LOG_LEVELS as readonly string[]).includes(l)) return l as LogLevel
  throw new Error(`FUNNELBEAM_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(v)}`)
}
