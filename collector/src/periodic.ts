/**
 * A background round repeated on a timer, for the workers that send from a durable queue
 * (conversions outbox, alerts): `tick()` runs one round now, joining one already under
 * way rather than doubling it; `start()` repeats it; `stop()` waits for the running one.
 *
 * @example
 * class Sender extends Periodic { protected async round() { await sendDue() } }
 * const s = new Sender(30_000)
 * s.start()
 * await s.stop()
 */
export abstract class Periodic {
  private timer: ReturnType<typeof setInterval> | null = null
  private running: Promise<void> | null = null

  constructor(private readonly intervalMs: number) {}

  protected abstract round(): Promise<void>

  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => { void this.tick() }, this.intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.running
  }

  /** One round now; a round already under way is joined, not doubled. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => { this.running = null })
    return this.running
  }
}

/** What a POST to a webhook or platform came to: a refusal no retry can fix is `final`. */
export type PostOutcome = { ok: true } | { ok: false; final: boolean; error: string }

/**
 * POSTs once and classifies the answer: 2xx is done; other 4xx (but 408 and 429) will be
 * refused again, so final; 5xx, timeouts and network errors are worth a retry.
 *
 * @example
 * await postOnce(fetch, 'https://hooks.slack.com/…', { method: 'POST', body }, 10_000) // { ok: true }
 */
export async function postOnce(fetcher: typeof fetch, url: string, init: RequestInit, timeoutMs: number): Promise<PostOutcome> {
  try {
    const res = await fetcher(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
    if (res.ok) {
      await res.body?.cancel()
      return { ok: true }
    }
    const text = (await res.text().catch(() => '')).slice(0, 300)
    const final = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429
    return { ok: false, final, error: `HTTP ${res.status}${text ? `: ${text}` : ''}` }
  } catch (err) {
    return { ok: false, final: false, error: `request failed: ${(err as Error).message}` }
  }
}
