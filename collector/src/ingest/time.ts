export const BROWSER_MAX_AGE_MS = 7 * 24 * 3600_000
export const SERVER_MAX_AGE_MS = 90 * 24 * 3600_000
/** Clock skew tolerated for server-side timestamps that lie in the future. */
export const MAX_FUTURE_MS = 5 * 60_000

/**
 * The stored time of a browser event: the server's receive time minus the delay the
 * client itself measured (`sent_at − event_ts`). A wrong client clock cancels out, and
 * events that waited in an outbox keep their real time.
 *
 * @example
 * correctedTime(1_000_000, 5_000, 2_000) // 997_000: the event waited 3 s on the client
 */
export function correctedTime(received: number, sentAt: number, eventTs: number): number {
  const delay = sentAt - eventTs
  // A negative delay means the event claims to come after the batch: trust the receive time.
  return delay > 0 ? received - delay : received
}

/** Why a time cannot be stored, or null when it can. */
export function timeProblem(ts: number, received: number, maxAgeMs: number): string | null {
  if (!Number.isFinite(ts)) return 'invalid_time'
  if (ts < received - maxAgeMs) return 'too_old'
  if (ts > received + MAX_FUTURE_MS) return 'in_future'
  return null
}
