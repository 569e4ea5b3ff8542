/**
 * Sends new conversions to each site's destinations in the background, from a durable
 * outbox: a conversion is queued once per destination (the outbox's key), sent in
 * batches, retried with exponential backoff, and marked sent or, after `MAX_ATTEMPTS` or
 * a refusal no retry can fix (4xx), failed. Ingest never waits for it: the worker reads
 * what ingest stored. The queue lives in the store, so a restart resumes it; a crash
 * between a platform's 2xx and the mark may send a batch twice (after its claim's lease
 * ends; processes sharing PostgreSQL claim different rows), which the platforms
 * deduplicate (Meta by event_id, Google by transactionId). Tokens never reach a log, an
 * error message or an API answer.
 */
import type { Config } from '../config.ts'
import type { Clock } from '../clock.ts'
import type { Metrics } from '../http/metrics.ts'
import type { Destination } from '../store/ads-types.ts'
import type { Store } from '../store/types.ts'
import { deliveryRequest, type DestinationPlatform } from './senders.ts'
import { creditedConversions } from './service.ts'
import { Periodic, postOnce, type PostOutcome } from '../periodic.ts'

export const MAX_ATTEMPTS = 8
const BATCH = 100
/** Conversions are looked for this far back (and never before the destination was set up). */
const SCAN_MS = 8 * 86_400_000
const FIRST_RETRY_MS = 30_000
const MAX_RETRY_MS = 6 * 3_600_000
const REQUEST_TIMEOUT_MS = 15_000
/** A claimed batch is another process's to retry after this long (well past the request timeout). */
const LEASE_MS = 5 * 60_000

/**
 * The wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min … at most 6 h.
 *
 * @example
 * retryDelayMs(1) // 30_000
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1))
}

export interface OutboxDeps {
  store: Store
  config: Config
  clock: Clock
  metrics: Metrics
  log: (msg: string, err?: unknown) => void
  fetch?: typeof fetch
}

/**
 * The background sender. `tick()` does one round (tests call it directly); `start()`
 * repeats it every `config.outboxIntervalMs`.
 *
 * @example
 * const outbox = new OutboxWorker({ store, config, clock, metrics, log })
 * outbox.start()
 * // on shutdown
 * await outbox.stop()
 */
export class OutboxWorker extends Periodic {
  constructor(private readonly deps: OutboxDeps) {
    super(deps.config.outboxIntervalMs)
  }

  /** One round over every destination. */
  protected async round(): Promise<void> {
    for (const d of await this.deps.store.reports.ads.destinations()) {
      try {
        await this.queue(d)
        await this.send(d)
      } catch (err) {
        this.deps.log(`outbox: ${d.platform} for site ${d.site} failed`, redact(err, d.secret))
      }
    }
  }

  private async queue(d: Destination): Promise<void> {
    const site = await this.deps.store.getSite(d.site)
    if (!site) return
    const now = this.deps.clock.now()
    const range = { start: Math.max(d.created, now - SCAN_MS), end: now + 1 }
    const conversions = await creditedConversions(this.deps.store.reports, site, d.platform as DestinationPlatform, range, d.conversion)
    await this.deps.store.reports.ads.enqueue(d.site, d.platform, conversions, now)
  }

  private async send(d: Destination): Promise<void> {
    const { store, clock, metrics, config } = this.deps
    const site = await store.getSite(d.site)
    if (!site) return
    const ads = store.reports.ads
    for (;;) {
      const items = await ads.claim(d.site, d.platform, clock.now(), LEASE_MS, BATCH)
      if (items.length === 0) return
      const ids = items.map((i) => i.eventId)
      const { url, init } = deliveryRequest(d, items.map((i) => i.conversion), { timezone: site.timezone, currency: site.currency }, config.adPlatforms)
      const outcome = await this.post(url, init, d.secret)
      const labels = { platform: d.platform }
      if (outcome.ok) {
        await ads.markSent(d.site, d.platform, ids, clock.now())
        metrics.inc('funnelbeam_outbox_sent_total', labels, ids.length)
        continue
      }
      // A refusal of the request itself will be refused again: fail now, keep the reason.
      const attempts = Math.max(...items.map((i) => i.attempts)) + 1
      await ads.markRetry(d.site, d.platform, ids, outcome.error, clock.now() + retryDelayMs(attempts), outcome.final ? 0 : MAX_ATTEMPTS)
      metrics.inc(outcome.final || attempts >= MAX_ATTEMPTS ? 'funnelbeam_outbox_failed_total' : 'funnelbeam_outbox_retries_total', labels, ids.length)
      this.deps.log(`outbox: ${d.platform} for site ${d.site}: ${outcome.error}`)
      return
    }
  }

  private async post(url: string, init: RequestInit, secret: string): Promise<PostOutcome> {
    const outcome = await postOnce(this.deps.fetch ?? fetch, url, init, REQUEST_TIMEOUT_MS)
    return outcome.ok ? outcome : { ...outcome, error: redactText(outcome.error, secret) }
  }
}

function redactText(s: string, secret: string): string {
  return secret ? s.split(secret).join('***') : s
}

function redact(err: unknown, secret: string): unknown {
  return err instanceof Error ? new Error(redactText(err.message, secret)) : err
}
