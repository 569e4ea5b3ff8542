/** @jsxImportSource hono/jsx */
/** The tracking-health panel: events per hour, rejected events and refused requests by reason, consent shares. */
import type { HealthData } from './health.ts'
import type { RefusalCount } from '../http/refusals.ts'
import { fmtAgo, fmtCount, fmtPercent } from './format.ts'
import { consentRows, healthVerdict, hourBars } from './view-model.ts'
import { Show, type Loaded } from './sections.tsx'

const HOUR_W = 20

export function HealthPanel(props: { health: Loaded<HealthData>; now: number; refusals: RefusalCount[] }) {
  return (
    <Show data={props.health} render={(h) => {
      const verdict = healthVerdict(h, props.now)
      const bars = h.hourly ? hourBars(h.hourly) : null
      const consent = h.consent ? consentRows(h.consent) : null
      const total = h.hourly?.reduce((s, x) => s + x.events, 0) ?? null
      return (
        <>
          <p class={`verdict verdict-${verdict.level === 'ok' ? 'win' : verdict.level === 'warn' ? 'flat' : 'lose'}`}>{verdict.message}</p>
          <div class="health-grid">
            <div>
              <h3>Events per hour, last 24 hours (UTC)</h3>
              {bars ? (
                <>
                  <svg class="hourly" viewBox={`0 0 ${24 * HOUR_W} 96`} role="img" aria-label={`Events per hour: ${fmtCount(total)} in the last 24 hours`}>
                    {bars.map((b, i) => (
                      <g>
                        <rect x={i * HOUR_W + 2} y={80 - Math.max(b.events ? 2 : 0, b.height * 76)} width={HOUR_W - 4} height={Math.max(b.events ? 2 : 0, b.height * 76)} rx="2" class={b.events ? 'bar' : 'bar-empty'} />
                        <title>{`${b.label}: ${fmtCount(b.events)} events`}</title>
                      </g>
                    ))}
                    {bars.map((b, i) => (i % 6 === 0 ? <text x={i * HOUR_W + 2} y="94" class="tick">{b.label}</text> : null))}
                  </svg>
                  <p class="muted small">{fmtCount(total)} events · last received {fmtAgo(h.lastReceived, props.now)}</p>
                </>
              ) : <p class="muted small">Hourly counts need the SQLite store.</p>}
            </div>
            <div>
              <h3>Rejected events by reason</h3>
              {h.rejected.length ? (
                <table class="compact">
                  <thead><tr><th scope="col">Reason</th><th scope="col" class="num">24 h</th><th scope="col" class="num">7 days</th></tr></thead>
                  <tbody>{h.rejected.map((r) => <tr><th scope="row"><code>{r.reason}</code></th><td class="num">{fmtCount(r.day)}</td><td class="num">{fmtCount(r.week)}</td></tr>)}</tbody>
                </table>
              ) : <p class="empty">None in the last 7 days.</p>}
            </div>
            <div>
              <h3>Refused requests (403, 429)</h3>
              {props.refusals.length ? (
                <table class="compact" id="refusals">
                  <thead><tr><th scope="col">Reason</th><th scope="col" class="num">Requests</th></tr></thead>
                  <tbody>{props.refusals.map((r) => <tr><th scope="row"><code>{r.reason}</code></th><td class="num">{fmtCount(r.count)}</td></tr>)}</tbody>
                </table>
              ) : <p class="empty">None since this collector process started.</p>}
              <p class="muted small">All sites, this process, since it started: a wrong origin allowlist shows here at once.</p>
            </div>
            <div>
              <h3>Visitors by consent, last 7 days</h3>
              {consent && consent.length ? (
                <>
                  <svg class="consent-bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="Share of visitors per consent state">
                    {consent.map((c, i) => {
                      const x = consent.slice(0, i).reduce((s, p) => s + p.share * 100, 0)
                      return <rect x={x} y="0" width={c.share * 100} height="8" class={`consent-${c.key}`} />
                    })}
                  </svg>
                  <ul class="legend">
                    {consent.map((c) => <li><span class={`swatch consent-${c.key}`} aria-hidden="true"></span>{c.label}: <strong>{fmtPercent(c.share)}</strong> <span class="muted">({fmtCount(c.visitors)})</span></li>)}
                  </ul>
                </>
              ) : <p class="empty">{consent ? 'No visitors in the last 7 days.' : 'Consent shares need the SQLite store.'}</p>}
            </div>
          </div>
        </>
      )
    }} />
  )
}
