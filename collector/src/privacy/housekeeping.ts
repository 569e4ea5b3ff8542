/**
 * Privacy promises kept on a timer, not on traffic: salts older than 48 hours are
 * destroyed even when no event arrives to make a new one, and with a retention limit
 * events, sessions and quarantine rows older than it are deleted once a day. Expired
 * dashboard sessions are deleted too, so one never visited again does not linger.
 */
import type { Clock } from '../clock.ts'
import type { TrustStore } from '../store/trust-types.ts'

/** DESIGN.md: a day's salt is destroyed 48 hours after it was made. */
export const SALT_TTL_MS = 48 * 3600_000
const DAY_MS = 86_400_000
/** How often the timer looks: a salt outlives its 48 hours by at most this. */
export const HOUSEKEEPING_EVERY_MS = 10 * 60_000

export interface HousekeepingOptions {
  trust: TrustStore
  /** Decides what is old; the timer itself runs on real time. */
  clock: Clock
  /** Days events, sessions and quarantine rows are kept; null keeps them for ever. */
  retentionDays: number | null
  log: (msg: string, err?: unknown) => void
  everyMs?: number
}

export interface Housekeeping {
  /** One pass now (the timer calls it too); errors are logged, not thrown. */
  tick(): Promise<void>
  stop(): void
}

/**
 * Starts the housekeeping timer (unref'd: it never keeps the process alive) and runs a
 * first pass at once. Retention runs on the first pass and then whenever a day of clock
 * time has passed since the last.
 *
 * @example
 * const hk = startHousekeeping({ trust: store.trust, clock, retentionDays: 400, log })
 * hk.stop()
 */
export function startHousekeeping(o: HousekeepingOptions): Housekeeping {
  let lastPurge: number | null = null
  let running: Promise<void> | null = null
  async function pass(): Promise<void> {
    const now = o.clock.now()
    await o.trust.dropSalts(now - SALT_TTL_MS)
    await o.trust.dropExpiredSessions(now)
    if (o.retentionDays != null && (lastPurge == null || now - lastPurge >= DAY_MS)) {
      lastPurge = now
      const gone = await o.trust.purge(now - o.retentionDays * DAY_MS)
      if (Object.values(gone).some((n) => n > 0)) {
        o.log(`retention (${o.retentionDays} days): deleted ${gone.events} events, ${gone.sessions} sessions, ${gone.quarantine} quarantine rows, ${gone.outbox} outbox rows, ${gone.userHashes} hashed users`)
      }
    }
  }
  const tick = () => {
    // One pass at a time: a slow purge must not overlap the next tick.
    running ??= pass().catch((err) => o.log('housekeeping failed', err)).finally(() => { running = null })
    return running
  }
  const timer = setInterval(tick, o.everyMs ?? HOUSEKEEPING_EVERY_MS)
  timer.unref()
  void tick()
  return { tick, stop: () => clearInterval(timer) }
}
