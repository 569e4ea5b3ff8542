/** Verdicts: the batch is delivered, dropped for good, or to be retried. (Numbers: smaller script.) */
export const DONE = 0
export const DROP = 1
export const RETRY = 2

/**
 * What to do with a batch after the collector answered `status` (0: network error).
 * Only a 4xx that says the events are invalid drops them for good: 400 (bad batch), 422,
 * and 413 (batches are cut well below the limit, so only an event too large on its own
 * gets it). Everything else (network, 403, 408, 429, 5xx) is retried, which is safe
 * because the collector deduplicates by event id.
 *
 * @example
 * verdict(200) // DONE
 * verdict(503) // RETRY
 */
export function verdict(status: number): typeof DONE | typeof DROP | typeof RETRY {
  return status > 199 && status < 300 ? DONE : /^4(00|13|22)$/.test(status + '') ? DROP : RETRY
}

/**
 * Delay before retry number `attempt` (0-based): exponential from 1 s up to 5 minutes with
 * jitter, or the seconds a 429's `Retry-After` asks for (capped at an hour).
 *
 * @example
 * backoff(0, 0.5)          // 750 ms
 * backoff(3, 0.5, '120')   // 120000 ms
 */
export function backoff(attempt: number, random: number, retryAfter?: string | null): number {
  const ra = retryAfter ? +retryAfter : NaN
  return ra >= 0 ? Math.min(ra * 1e3, 36e5) : Math.min(1e3 * 2 ** attempt, 3e5) * (0.5 + random / 2)
}
