/**
 * Short-lived cache of dashboard figures. On a large site one report scans hundreds of
 * thousands of rows, and a marketer clicking through the dashboard asks for the same
 * figures again and again: switching the attribution model changes neither the summary,
 * the funnel nor the experiment. Each report is cached on its own, keyed by site and by
 * its exact query, so only what a click changes is computed again. Entries expire after
 * a fixed time (60 s by default) and the page says when cached figures were computed.
 *
 * Only answers are kept: a failure is never cached, so a fixed problem shows at once.
 * Callers asking while a computation runs share it instead of starting their own.
 */
export interface Cached<T> {
  value: T
  /** When the value was computed (clock time, ms). */
  at: number
}

export const DEFAULT_TTL_MS = 60_000
const DEFAULT_MAX_ENTRIES = 500

export class ReportCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>()

  constructor(
    private readonly now: () => number,
    readonly ttlMs = DEFAULT_TTL_MS,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  /**
   * The value for `key`, computed by `run` unless a fresh one (younger than the TTL) is kept.
   *
   * @example
   * const { value, at } = await cache.get(JSON.stringify(['shop', 'summary', q]), () => reports.summary(site, q))
   */
  async get<T>(key: string, run: () => Promise<T>): Promise<Cached<T>> {
    const now = this.now()
    const hit = this.entries.get(key)
    // A clock that went backwards makes an entry look fresh for ever: treat it as stale.
    if (hit && now - hit.at >= 0 && now - hit.at < this.ttlMs) return { value: (await hit.value) as T, at: hit.at }
    const value = run()
    this.entries.delete(key)
    this.entries.set(key, { at: now, value })
    this.evict(now)
    try {
      return { value: await value, at: now }
    } catch (err) {
      if (this.entries.get(key)?.value === value) this.entries.delete(key)
      throw err
    }
  }

  get size(): number {
    return this.entries.size
  }

  /** Drops expired entries, then the oldest ones beyond the size bound (the map keeps insertion order). */
  private evict(now: number): void {
    for (const [key, e] of this.entries) if (!(now - e.at >= 0 && now - e.at < this.ttlMs)) this.entries.delete(key)
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break
      this.entries.delete(key)
    }
  }
}
