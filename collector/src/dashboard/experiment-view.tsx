/** @jsxImportSource hono/jsx */
/** The experiment readout: verdict, per-variant table and sample-ratio check. */
import type { ExperimentReport } from '../reports/types.ts'
import { fmtCount, fmtLift, fmtPercent } from './format.ts'
import { experimentVerdict } from './view-model.ts'

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

/** `control 60 : b 40`, or `equal` when every weight is the same. */
function plannedSplit(weights: Record<string, number>): string {
  const entries = Object.entries(weights)
  if (new Set(entries.map(([, w]) => w)).size <= 1) return '(equal)'
  return entries.map(([v, w]) => `${v} ${w}`).join(' : ')
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
        Sample ratio check against the planned split {plannedSplit(r.srm.weights)}: {r.srm.pValue == null ? 'not enough data' : `p = ${r.srm.pValue < 0.001 ? '< 0.001' : r.srm.pValue.toFixed(3)}`}
        {r.srm.warning ? ' — the split does not match the planned weights.' : ' — the split matches the planned weights.'}
        {' '}Conversion: {r.conversion ?? 'any'}.
      </p>
    </>
  )
}
