/** @jsxImportSource hono/jsx */
/** The funnel as SVG bars with conversion and drop-off, and its breakdown table. */
import { FilterLink } from './tables.tsx'
import type { FunnelReport } from '../reports/types.ts'
import { fmtCount, fmtDuration, fmtPercent } from './format.ts'
import { breakdownRows, funnelBars, stepLabel } from './view-model.ts'

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
export function FunnelBreakdown(props: { report: FunnelReport; label: string; filterHref?: (value: string) => string | undefined }) {
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
              <th scope="row"><FilterLink label={r.value} href={props.filterHref?.(r.value)} /></th>
              {r.counts.map((n) => <td class="num">{fmtCount(n)}</td>)}
              <td class="num strong">{fmtPercent(r.rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
