/** @jsxImportSource hono/jsx */
/**
 * The dashboard's report sections. Every value from events (names, paths, campaign
 * parameters) is rendered as text by hono/jsx, which escapes it.
 */
import type { Child } from 'hono/jsx'
import type {
  AttributionReport, CampaignMetrics, CampaignsReport, ChannelsReport, ExperimentReport, FunnelReport, SummaryReport, Money,
} from '../reports/types.ts'
import type { HealthData } from './health.ts'
import { fmtAgo, fmtCount, fmtDuration, fmtLift, fmtMoney, fmtMoneyRatio, fmtMultiple, fmtPercent } from './format.ts'
import { blendedRoas, breakdownRows, consentRows, experimentVerdict, funnelBars, healthVerdict, hourBars, MODELS, stepLabel } from './view-model.ts'
import type { AttributionModel } from '../reports/types.ts'

/** A report that loaded, or the reason it did not; one failing report never blanks the page. */
export type Loaded<T> = { ok: true; value: T } | { ok: false; error: string }

export function Card(props: { id: string; title: string; subtitle?: Child; actions?: Child; children?: Child; class?: string }) {
  return (
    <section class={`card ${props.class ?? ''}`} id={props.id} aria-labelledby={`${props.id}-title`}>
      <header class="card-head">
        <div>
          <h2 id={`${props.id}-title`}>{props.title}</h2>
          {props.subtitle ? <p class="muted small">{props.subtitle}</p> : null}
        </div>
        {props.actions}
      </header>
      {props.children}
    </section>
  )
}

export function Unavailable(props: { error: string }) {
  return <p class="notice notice-warn">This report is unavailable: {props.error}</p>
}

function Show<T>(props: { data: Loaded<T>; render: (v: T) => Child }) {
  return <>{props.data.ok ? props.render(props.data.value) : <Unavailable error={props.data.error} />}</>
}

export function Tiles(props: { summary: Loaded<SummaryReport>; spend: Money | null }) {
  return (
    <Show data={props.summary} render={(s) => {
      const tiles: [string, string, string?][] = [
        ['Visitors', fmtCount(s.visitors)],
        ['Sessions', fmtCount(s.sessions), `${fmtCount(s.pageviews)} pageviews`],
        ['Conversions', fmtCount(s.conversions), `${fmtCount(s.convertingVisitors)} converting visitors`],
        ['Conversion rate', fmtPercent(s.conversionRate, 2), 'converting visitors / visitors'],
        ['Revenue', fmtMoney(s.revenue)],
      ]
      if (props.spend && Object.keys(props.spend).length) {
        tiles.push(['Ad spend', fmtMoney(props.spend)])
        tiles.push(['Blended ROAS', fmtMultiple(blendedRoas(s.revenue, props.spend)), 'all revenue / ad spend'])
      }
      return (
        <section class="tiles" aria-label="Summary">
          {tiles.map(([label, value, hint]) => (
            <div class="tile">
              <p class="tile-label">{label}</p>
              <p class="tile-value">{value}</p>
              {hint ? <p class="tile-hint">{hint}</p> : null}
            </div>
          ))}
        </section>
      )
    }} />
  )
}

const BAR_W = 92
const GAP = 28
const CHART_H = 200

export function FunnelChart(props: { report: FunnelReport }) {
  const bars = funnelBars(props.report.steps)
  const width = bars.length * (BAR_W + GAP) - GAP
  const y = (h: number) => CHART_H - h * CHART_H
  return (
    <figure class="funnel">
      <svg class="funnel-svg" viewBox={`0 -28 ${width} ${CHART_H + 30}`} role="img" aria-label="Funnel: visitors per step">
        <line x1="0" x2={width} y1={CHART_H} y2={CHART_H} class="axis" />
        {bars.map((b, i) => {
          const x = i * (BAR_W + GAP)
          return (
            <g>
              {b.lostHeight > 0 ? <rect x={x} y={y(b.height + b.lostHeight)} width={BAR_W} height={b.lostHeight * CHART_H} class="bar-lost" /> : null}
              <rect x={x} y={y(b.height)} width={BAR_W} height={Math.max(1, b.height * CHART_H)} rx="4" class="bar" />
              <text x={x + BAR_W / 2} y={y(b.height + b.lostHeight) - 8} class="bar-label" text-anchor="middle">{i === 0 ? '100%' : fmtPercent(b.fromStart)}</text>
              <title>{`${b.label}: ${fmtCount(b.visitors)} (${fmtPercent(b.fromStart)} of step 1)`}</title>
            </g>
          )
        })}
      </svg>
      <div class="funnel-steps">
        {bars.map((b, i) => (
          <div class="funnel-step">
            <p class="funnel-step-name"><span class="step-no">{i + 1}</span>{b.label}</p>
            <p class="funnel-step-value">{fmtCount(b.visitors)}</p>
            {i > 0 ? (
              <p class="muted small">
                {fmtPercent(b.fromPrevious)} of previous · <span class="loss">−{fmtCount(b.dropoff)}</span>
                {b.medianSeconds != null ? <> · median {fmtDuration(b.medianSeconds)}</> : null}
              </p>
            ) : <p class="muted small">entered the funnel</p>}
          </div>
        ))}
      </div>
      <figcaption class="muted small">
        {props.report.unit === 'visitor' ? 'Visitors' : 'Sessions'} who did step 1 in the range and the next steps in order within {fmtDuration(props.report.windowSeconds)}. The light part of a bar is the drop-off since the previous step.
      </figcaption>
    </figure>
  )
}

/** Per value of the breakdown: how many entered, reached each step, and the end-to-end rate. */
export function FunnelBreakdown(props: { report: FunnelReport; label: string }) {
  const rows = breakdownRows(props.report.breakdown)
  if (!rows.length) return <p class="empty">Nothing to break down in this range.</p>
  return (
    <div class="table-scroll">
      <table class="compact">
        <thead>
          <tr>
            <th scope="col">{props.label}</th>
            {props.report.steps.map((s, i) => <th scope="col" class="num" title={stepLabel(s.step)}>Step {i + 1}</th>)}
            <th scope="col" class="num">Conversion</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.value}</th>
              {r.counts.map((n) => <td class="num">{fmtCount(n)}</td>)}
              <td class="num strong">{fmtPercent(r.rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function MetricCells(props: { m: CampaignMetrics }) {
  const m = props.m
  return (
    <>
      <td class="num">{fmtCount(m.sessions)}</td>
      <td class="num">{fmtCount(m.conversions)}</td>
      <td class="num">{fmtPercent(m.conversionRate)}</td>
      <td class="num">{fmtMoney(m.revenue)}</td>
      <td class="num">{fmtMoney(m.cost)}</td>
      <td class="num">{fmtMoneyRatio(m.cpa)}</td>
      <td class="num strong">{fmtMultiple(m.roas)}</td>
    </>
  )
}

const METRIC_HEADS = ['Sessions', 'Conversions', 'Conv. rate', 'Revenue', 'Spend', 'CPA', 'ROAS']

export function ChannelsTable(props: { report: ChannelsReport }) {
  const rows = [...props.report.rows].sort((a, b) => b.sessions - a.sessions)
  if (!rows.length) return <p class="empty">No sessions in this range.</p>
  return (
    <div class="table-scroll">
      <table>
        <thead><tr><th scope="col">Channel</th>{METRIC_HEADS.map((h) => <th scope="col" class="num">{h}</th>)}</tr></thead>
        <tbody>
          {rows.map((r) => <tr><th scope="row">{r.channel}</th><MetricCells m={r} /></tr>)}
        </tbody>
      </table>
    </div>
  )
}

export function CampaignsTable(props: { report: CampaignsReport }) {
  const rows = [...props.report.rows].sort((a, b) => sumMoney(b.cost) - sumMoney(a.cost) || b.sessions - a.sessions)
  if (!rows.length) return <p class="empty">No campaigns in this range.</p>
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col" class="num">Clicks</th><th scope="col" class="num">CPC</th>
            {METRIC_HEADS.map((h) => <th scope="col" class="num">{h}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.campaign || '(none)'}<span class="sub">{r.source || '(none)'} / {r.medium || '(none)'}</span></th>
              <td class="num">{r.clicks ? fmtCount(r.clicks) : '—'}</td>
              <td class="num">{fmtMoneyRatio(r.cpc)}</td>
              <MetricCells m={r} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function sumMoney(m: Money): number {
  return Object.values(m).reduce((s, v) => s + v, 0)
}

/** Conversions credited per channel under every model side by side; the chosen one is highlighted. */
export function AttributionCompare(props: { reports: Partial<Record<AttributionModel, AttributionReport>>; selected: AttributionModel }) {
  const models = MODELS.filter((m) => props.reports[m.id])
  const values = new Map<string, number>()
  for (const m of models) for (const r of props.reports[m.id]!.rows) values.set(r.value, Math.max(values.get(r.value) ?? 0, r.conversions))
  const channels = [...values.keys()].sort((a, b) => (values.get(b) ?? 0) - (values.get(a) ?? 0))
  if (!channels.length) return <p class="empty">No conversions to attribute in this range.</p>
  const cell = (model: AttributionModel, channel: string) => props.reports[model]!.rows.find((r) => r.value === channel)
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Channel</th>
            {models.map((m) => <th scope="col" class={m.id === props.selected ? 'num selected' : 'num'}>{m.label}</th>)}
            <th scope="col" class="num">Revenue ({MODELS.find((m) => m.id === props.selected)?.label})</th>
          </tr>
        </thead>
        <tbody>
          {channels.map((ch) => (
            <tr>
              <th scope="row">{ch}</th>
              {models.map((m) => <td class={m.id === props.selected ? 'num selected' : 'num'}>{fmtCount(round1(cell(m.id, ch)?.conversions ?? 0))}</td>)}
              <td class="num">{fmtMoney(props.reports[props.selected] ? cell(props.selected, ch)?.revenue : null)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * The difference in conversion rate in percentage points with its interval. The interval
 * of the absolute difference is the one that agrees with the z-test's p-value, so a
 * "significant" verdict never sits next to an interval that crosses zero.
 */
function fmtPoints(diff: number | null, ci: [number, number] | null): string {
  if (diff == null) return '—'
  const pts = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(1)}`
  return ci ? `${pts(diff)} pts (${pts(ci[0])} … ${pts(ci[1])})` : `${pts(diff)} pts`
}

function round1(n: number): number {
  return Math.round(n * 10) / 10
}

export function ExperimentReadout(props: { report: ExperimentReport }) {
  const r = props.report
  const verdict = experimentVerdict(r)
  return (
    <>
      <p class={`verdict verdict-${verdict.level}`}>{verdict.message}</p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Variant</th><th scope="col" class="num">Exposed visitors</th><th scope="col" class="num">Converted</th>
              <th scope="col" class="num">Rate</th><th scope="col" class="num">Lift vs {r.control ?? 'control'}</th>
              <th scope="col" class="num">Difference (95% interval)</th><th scope="col" class="num">p-value</th>
            </tr>
          </thead>
          <tbody>
            {r.variants.map((v) => (
              <tr>
                <th scope="row">{v.variant}{v.variant === r.control ? <span class="tag">control</span> : null}</th>
                <td class="num">{fmtCount(v.visitors)}</td>
                <td class="num">{fmtCount(v.conversions)}</td>
                <td class="num strong">{fmtPercent(v.rate, 2)}</td>
                <td class="num">{fmtLift(v.relativeLift)}</td>
                <td class="num">{fmtPoints(v.absoluteLift, v.absoluteLiftCI)}</td>
                <td class="num">{v.pValue == null ? '—' : v.pValue < 0.001 ? '< 0.001' : v.pValue.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">
        Sample ratio check: {r.srm.pValue == null ? 'not enough data' : `p = ${r.srm.pValue < 0.001 ? '< 0.001' : r.srm.pValue.toFixed(3)}`}
        {r.srm.warning ? ' — the split does not match the planned weights.' : ' — the split matches the planned weights.'}
        {' '}Conversion: {r.conversion ?? 'any'}.
      </p>
    </>
  )
}

const HOUR_W = 20

export function HealthPanel(props: { health: Loaded<HealthData>; now: number }) {
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

