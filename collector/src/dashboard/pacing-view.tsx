/** @jsxImportSource hono/jsx */
/** Budget pacing: each budget against its spend to date, and the reallocation hints with their rule. */
import type { PacingReport } from '../reports/pacing-service.ts'
import { scopeLabel } from '../reports/budgets.ts'
import { fmtAmount, fmtCount, fmtMultiple, fmtPercent } from './format.ts'

/** Pacing outside 90–110% is called out, in words as well as colour. */
function paceClass(p: number | null): string {
  if (p === null) return ''
  return p > 1.1 ? 'pace-over' : p < 0.9 ? 'pace-under' : ''
}

const money = (n: number | null, cur: string) => (n === null ? '—' : fmtAmount(n, cur))

export function PacingTable(props: { report: PacingReport; site: string }) {
  const r = props.report
  if (!r.rows.length) {
    return (
      <p class="empty">
        No budgets for {r.month}. Add them with <code>PUT /api/sites/{props.site}/budgets</code>, e.g.{' '}
        <code>{`[{"month":"${r.month}","channel":"Paid Search","amount":3000,"targetCpa":40}]`}</code>.
      </p>
    )
  }
  return (
    <>
      <div class="table-scroll">
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Budget</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Spend</th>
              <th scope="col" class="num">Expected</th><th scope="col" class="num">Pacing</th><th scope="col" class="num">Projected</th>
              <th scope="col" class="num">Conv.</th><th scope="col" class="num">CPA (target)</th><th scope="col" class="num">ROAS (target)</th>
            </tr>
          </thead>
          <tbody>
            {r.rows.map((row) => {
              const scope = { channel: row.channel ?? null, source: row.source ?? null, medium: row.medium ?? null, campaign: row.campaign ?? null }
              const cls = paceClass(row.pacing)
              return (
                <tr>
                  <th scope="row">{scopeLabel(scope)}</th>
                  <td class="num">{fmtAmount(row.amount, row.currency)}</td>
                  <td class="num">{fmtAmount(row.spend, row.currency)}</td>
                  <td class="num">{fmtAmount(row.expected, row.currency)}</td>
                  <td class={`num ${cls}`}>{fmtPercent(row.pacing, 0)}{cls === 'pace-over' ? ' (over)' : cls === 'pace-under' ? ' (under)' : ''}</td>
                  <td class="num">{money(row.projected, row.currency)}</td>
                  <td class="num">{fmtCount(Math.round(row.conversions * 10) / 10)}</td>
                  <td class="num">{money(row.cpa, row.currency)} ({money(row.targetCpa, row.currency)})</td>
                  <td class="num">{fmtMultiple({ [row.currency]: row.roas })} ({row.targetRoas === null ? '—' : `${row.targetRoas}×`})</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <h3>Reallocation hints</h3>
      <p class="muted small">{r.rule}</p>
      {r.hints.length ? (
        <ul class="hints">
          {r.hints.map((h) => {
            const label = scopeLabel({ channel: h.scope.channel ?? null, source: h.scope.source ?? null, medium: h.scope.medium ?? null, campaign: h.scope.campaign ?? null })
            return (
              <li>
                <strong>{h.action === 'cut' ? 'Cut' : 'Raise'} {label}</strong> by {fmtAmount(h.change, h.currency)} (to {fmtAmount(h.newAmount, h.currency)}): {h.reason}.
              </li>
            )
          })}
        </ul>
      ) : <p class="empty">No budget needs moving by this rule.</p>}
    </>
  )
}
