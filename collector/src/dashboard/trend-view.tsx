/** @jsxImportSource hono/jsx */
/**
 * Trends: small SVG line charts of this period against the previous one (drawn on the
 * server, readable without JavaScript: each has a title and a description in words) and
 * the same numbers as a table for screen readers and copying.
 */
import type { TimeseriesReport, TrendFigures } from '../reports/timeseries.ts'
import { fmtCount, fmtLift, fmtMoney, fmtMoneyRatio, fmtMultiple } from './format.ts'
import { tickIndexes, trendLines } from './trend-geometry.ts'

const W = 560
const H = 140
const LEFT = 44
const BOTTOM = 22

interface Series {
  id: string
  label: string
  current: number[]
  previous: (number | null)[]
  format: (n: number) => string
}

/** The currency with the most revenue in either period: revenue is charted in one currency only. */
function mainCurrency(r: TimeseriesReport): string | null {
  const all = { ...r.totals.previous.revenue, ...r.totals.current.revenue }
  const best = Object.entries(all).sort((a, b) => b[1] - a[1])[0]
  return best ? best[0] : null
}

function seriesOf(r: TimeseriesReport): Series[] {
  const pick = (f: (x: TrendFigures) => number) => ({ current: r.points.map(f), previous: r.points.map((p) => (p.previous ? f(p.previous) : null)) })
  const out: Series[] = [
    { id: 'sessions', label: 'Sessions', ...pick((x) => x.sessions), format: fmtCount },
    { id: 'conversions', label: 'Conversions', ...pick((x) => x.conversions), format: fmtCount },
  ]
  const cur = mainCurrency(r)
  if (cur) out.push({ id: 'revenue', label: `Revenue (${cur})`, ...pick((x) => x.revenue[cur] ?? 0), format: (n) => fmtMoney({ [cur]: n }) })
  return out
}

function Chart(props: { s: Series; r: TimeseriesReport }) {
  const { s, r } = props
  const unit = r.granularity === 'hour' ? 'hour' : 'day'
  const lines = trendLines(s.current, s.previous, W - LEFT, H - BOTTOM)
  const total = s.current.reduce((a, b) => a + b, 0)
  const prevTotal = s.previous.reduce<number>((a, b) => a + (b ?? 0), 0)
  const peak = s.current.indexOf(Math.max(...s.current))
  const desc = `${s.label} per ${unit} from ${r.from} to ${r.to}: ${s.format(total)} in all, against ${s.format(prevTotal)} from ${r.previousFrom} to ${r.previousTo}` +
    (prevTotal ? ` (${fmtLift((total - prevTotal) / prevTotal)})` : '') +
    (total > 0 ? `; highest ${s.format(s.current[peak])} on ${r.points[peak].start}.` : '.')
  const id = `trend-${s.id}`
  return (
    <figure class="trend">
      <svg class="trend-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{`${s.label} per ${unit}, this period and the previous one`}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {[0, 0.5, 1].map((f) => {
          const y = (H - BOTTOM) * (1 - f)
          return (
            <g>
              <line x1={LEFT} x2={W} y1={y} y2={y} class="axis" />
              <text x={LEFT - 6} y={y + 4} class="tick" text-anchor="end">{s.format(lines.max * f)}</text>
            </g>
          )
        })}
        <g transform={`translate(${LEFT} 0)`}>
          <path d={lines.previous} class="line-previous" fill="none" stroke-dasharray="5 4" />
          <path d={lines.current} class="line-current" fill="none" />
          {tickIndexes(r.points.length, 7).map((i) => (
            <text x={lines.xs[i]} y={H - 6} class="tick" text-anchor={i === 0 ? 'start' : i === r.points.length - 1 ? 'end' : 'middle'}>
              {r.granularity === 'hour' ? r.points[i].start.slice(11) : r.points[i].start.slice(5)}
            </text>
          ))}
        </g>
      </svg>
      <figcaption class="small"><strong>{s.label}</strong> <span class="muted">{s.format(total)} · previous {s.format(prevTotal)}</span></figcaption>
    </figure>
  )
}

export function TrendCharts(props: { report: TimeseriesReport }) {
  const r = props.report
  return (
    <>
      <p class="legend-inline small muted">
        <span class="key key-current">━</span> {r.from} to {r.to} · <span class="key key-previous">┅</span> previous period, {r.previousFrom} to {r.previousTo}
      </p>
      <div class="trend-grid">{seriesOf(r).map((s) => <Chart s={s} r={r} />)}</div>
      <details class="trend-table">
        <summary>The numbers behind the charts</summary>
        <div class="table-scroll">
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">{r.granularity === 'hour' ? 'Hour' : 'Day'}</th>
                <th scope="col" class="num">Sessions</th><th scope="col" class="num">Conversions</th>
                <th scope="col" class="num">Revenue</th><th scope="col" class="num">Spend</th>
                <th scope="col" class="num">CPA</th><th scope="col" class="num">ROAS</th>
                <th scope="col">Previous</th><th scope="col" class="num">Sessions</th><th scope="col" class="num">Conversions</th><th scope="col" class="num">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {r.points.map((p) => (
                <tr>
                  <th scope="row">{p.start}</th>
                  <td class="num">{fmtCount(p.sessions)}</td><td class="num">{fmtCount(p.conversions)}</td>
                  <td class="num">{fmtMoney(p.revenue)}</td><td class="num">{p.spend === null ? 'daily only' : fmtMoney(p.spend)}</td>
                  <td class="num">{fmtMoneyRatio(p.cpa)}</td><td class="num">{fmtMultiple(p.roas)}</td>
                  <td>{p.previous?.start ?? '—'}</td>
                  <td class="num">{fmtCount(p.previous?.sessions)}</td><td class="num">{fmtCount(p.previous?.conversions)}</td>
                  <td class="num">{fmtMoney(p.previous?.revenue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  )
}
