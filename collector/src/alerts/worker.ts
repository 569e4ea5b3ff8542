/**
 * The alert evaluator: every minute, each rule of each site is judged; a rule that starts
 * firing opens an incident and queues one message, a firing rule whose incident is open
 * says nothing more, and one that stops firing resolves it with one message. Messages go
 * to the rule's webhook from a durable queue, retried with backoff like the conversions
 * outbox (`exports/outbox.ts`). With several processes on PostgreSQL one evaluates at a
 * time (an advisory lock) and each minute is evaluated once.
 */
import type { Clock } from '../clock.ts'
import type { Site, Store } from '../store/types.ts'
import { MAX_ATTEMPTS, retryDelayMs } from '../exports/outbox.ts'
import { judge } from './evaluate.ts'
import { webhookBody } from './rules.ts'
import { Periodic, postOnce, type PostOutcome } from '../periodic.ts'

/** How often the worker wakes: evaluation still happens once a minute; due retries go out sooner. */
export const ALERT_TICK_MS = 15_000
const REQUEST_TIMEOUT_MS = 10_000
const BATCH = 50

export interface AlertWorkerDeps {
  store: Store
  clock: Clock
  log: (msg: string, err?: unknown) => void
  fetch?: typeof fetch
  intervalMs?: number
}

/**
 * `tick()` does one round (tests call it with an injected clock); `start()` repeats it.
 *
 * @example
 * const alerts = new AlertWorker({ store, clock: systemClock, log })
 * alerts.start()
 * await alerts.stop()
 */
export class AlertWorker extends Periodic {
  constructor(private readonly deps: AlertWorkerDeps) {
    super(deps.intervalMs ?? ALERT_TICK_MS)
  }

  /** One round: evaluate (once per minute across processes), then deliver what is due. */
  protected async round(): Promise<void> {
    try {
      await this.evaluateAndDeliver()
    } catch (err) {
      this.deps.log('alerts: round failed', err)
    }
  }

  private async evaluateAndDeliver(): Promise<void> {
    const now = this.deps.clock.now()
    await this.deps.store.alerts.exclusively(Math.floor(now / 60_000), async (evaluate) => {
      if (evaluate) await this.evaluate(now)
      await this.deliver()
    })
  }

  private async evaluate(now: number): Promise<void> {
    const { store, log } = this.deps
    const sites = new Map<string, Site | null>()
    for (const rule of await store.alerts.rules(null)) {
      try {
        if (!sites.has(rule.site)) sites.set(rule.site, await store.getSite(rule.site))
        const site = sites.get(rule.site)
        if (!site) continue
        const verdict = await judge(store, site, rule.definition, now)
        const open = await store.alerts.openIncident(rule.site, rule.id)
        const message = (state: 'open' | 'resolved', incident: number) =>
          webhookBody({ site: rule.site, rule: rule.id, type: rule.definition.type, state, incident, at: now, line: verdict.text })
        if (verdict.firing && !open) {
          await store.alerts.open({ site: rule.site, rule: rule.id, type: rule.definition.type, opened: now, text: verdict.text },
            { url: rule.definition.webhook, body: (id) => message('open', id) })
        } else if (!verdict.firing && open) {
          await store.alerts.resolve(open.id, now, { url: rule.definition.webhook, body: message('resolved', open.id) })
        }
      } catch (err) {
        log(`alerts: rule ${rule.id} of site ${rule.site} could not be evaluated`, err)
      }
    }
  }

  private async deliver(): Promise<void> {
    const { store, clock } = this.deps
    for (const m of await store.alerts.dueMessages(clock.now(), BATCH)) {
      const outcome = await this.post(m.url, m.body)
      if (outcome.ok) {
        await store.alerts.markSent(m.id, clock.now())
        continue
      }
      const attempts = m.attempts + 1
      await store.alerts.markRetry(m.id, outcome.error, clock.now() + retryDelayMs(attempts), outcome.final || attempts >= MAX_ATTEMPTS)
      this.deps.log(`alerts: webhook for site ${m.site}: ${outcome.error}`)
    }
  }

  private post(url: string, body: string): Promise<PostOutcome> {
    // No redirects: a webhook URL is where the admin said, not where an answer points.
    return postOnce(this.deps.fetch ?? fetch, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, redirect: 'error' }, REQUEST_TIMEOUT_MS)
  }
}
