/**
 * Process-local counters and a latency histogram, rendered as Prometheus text.
 * Each collector process exposes its own; Prometheus sums them across processes.
 */
export class Metrics {
  private counters = new Map<string, number>()
  private readonly buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
  private latency = new Map<string, { counts: number[]; sum: number; n: number }>()

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const key = name + labelText(labels)
    this.counters.set(key, (this.counters.get(key) ?? 0) + by)
  }

  /** A counter's samples by label text (`{reason="x"}`), for readers inside the process. */
  samples(name: string): [labels: string, value: number][] {
    const out: [string, number][] = []
    for (const [key, v] of this.counters) if (key === name || key.startsWith(name + '{')) out.push([key.slice(name.length), v])
    return out
  }

  observe(route: string, seconds: number): void {
    let h = this.latency.get(route)
    if (!h) this.latency.set(route, (h = { counts: this.buckets.map(() => 0), sum: 0, n: 0 }))
    this.buckets.forEach((b, i) => { if (seconds <= b) h!.counts[i]++ })
    h.sum += seconds
    h.n++
  }

  render(): string {
    const lines: string[] = []
    const help: Record<string, string> = {
      funnelbeam_events_accepted_total: 'Events stored',
      funnelbeam_events_duplicate_total: 'Events ignored because their id or order id was already stored',
      funnelbeam_events_rejected_total: 'Events rejected and quarantined, by reason',
      funnelbeam_requests_refused_total: 'Requests refused with 403 or 429, by reason (the error code)',
    }
    // The exposition format wants each family as one group: its HELP and TYPE lines, then
    // all its samples. Printing every header first and the samples after breaks that rule.
    const samples = new Map<string, string[]>(Object.keys(help).map((name) => [name, []]))
    for (const [key, v] of [...this.counters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const name = key.split('{')[0]
      if (!samples.has(name)) samples.set(name, [])
      samples.get(name)!.push(`${key} ${v}`)
    }
    for (const [name, rows] of samples) {
      if (help[name]) lines.push(`# HELP ${name} ${help[name]}`)
      lines.push(`# TYPE ${name} counter`, ...rows)
    }
    lines.push('# HELP funnelbeam_http_request_duration_seconds Request latency by route', '# TYPE funnelbeam_http_request_duration_seconds histogram')
    for (const [route, h] of this.latency) {
      this.buckets.forEach((b, i) => lines.push(`funnelbeam_http_request_duration_seconds_bucket${labelText({ route, le: String(b) })} ${h.counts[i]}`))
      lines.push(`funnelbeam_http_request_duration_seconds_bucket${labelText({ route, le: '+Inf' })} ${h.n}`)
      lines.push(`funnelbeam_http_request_duration_seconds_sum${labelText({ route })} ${h.sum}`)
      lines.push(`funnelbeam_http_request_duration_seconds_count${labelText({ route })} ${h.n}`)
    }
    return lines.join('\n') + '\n'
  }
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}
