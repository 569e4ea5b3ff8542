import { apiError } from './errors.ts'

/**
 * A fixed-window request counter per client key. In memory, so each collector process
 * limits on its own; with N processes behind a balancer a client gets up to N× the limit,
 * which is acceptable for abuse protection (not billing).
 */
export class RateLimiter {
  private windowStart = 0
  private counts = new Map<string, number>()

  constructor(private readonly max: number, private readonly windowMs: number, private readonly now: () => number) {}

  /** Counts a request; throws a 429 with Retry-After once the key is over its limit. */
  hit(key: string): void {
    const t = this.now()
    if (t - this.windowStart >= this.windowMs) {
      // A new window: dropping the old map also bounds memory to one window's clients.
      this.windowStart = t - (t % this.windowMs)
      this.counts = new Map()
    }
    const n = (this.counts.get(key) ?? 0) + 1
    this.counts.set(key, n)
    if (n > this.max) {
      const retry = Math.max(1, Math.ceil((this.windowStart + this.windowMs - t) / 1000))
      throw apiError(429, 'rate_limited', `Too many requests; retry in ${retry} s`, undefined, { 'retry-after': String(retry) })
    }
  }
}
