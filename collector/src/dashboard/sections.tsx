/** @jsxImportSource hono/jsx */
/**
 * Building blocks of the dashboard page: cards, the "unavailable" notice and the summary
 * tiles. Every value from events is rendered as text by hono/jsx, which escapes it.
 */
import type { Child } from 'hono/jsx'
import type { Money, MoneyRatio, SummaryReport } from '../reports/types.ts'
import { daysBetween } from '../reports/dates.ts'
import { moneyChange, relChange } from '../reports/timeseries.ts'
import { fmtCount, fmtLift, fmtMoney, fmtMultiple, fmtPercent } from './format.ts'
import { blendedRoas } from './view-model.ts'

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

export function Show<T>(props: { data: Loaded<T>; render: (v: T) => Child }) {
  return <>{props.data.ok ? props.render(props.data.value) : <Unavailable error={props.data.error} />}</>
}

/** The change of one tile against the previous period, in words and an arrow, not colour alone. */
function Delta(props: { change: number | null | undefined; days: number }) {
  if (props.change === undefined) return null
  const c = props.change
  const dir = c === null || c === 0 ? '' : c > 0 ? 'delta-up' : 'delta-down'
  return (
    <p class="tile-hint">
      <span class={`delta ${dir}`}>{c === null ? 'new' : `${c > 0 ? '▲' : c < 0 ? '▼' : ''} ${fmtLift(c)}`}</span> vs previous {props.days} days
    </p>
  )
}

/**
 * Summary tiles; with `previous` (the summary of the period of equal length before) each
 * shows its change. Money changes are shown for a single currency only, never mixed.
 */
export function Tiles(props: { summary: Loaded<SummaryReport>; spend: Money | null; previous?: SummaryReport | null; spendChange?: MoneyRatio | null }) {
  return (
    <Show data={props.summary} render={(s) => {
      const p = props.previous ?? null
      const days = daysBetween(s.from, s.to) + 1
      const one = (m: MoneyRatio | null | undefined) => { const v = Object.values(m ?? {}); return v.length === 1 ? v[0] : undefined }
      const tiles: [string, string, string?, (number | null)?][] = [
        ['Visitors', fmtCount(s.visitors), undefined, p ? relChange(s.visitors, p.visitors) : undefined],
        ['Sessions', fmtCount(s.sessions), `${fmtCount(s.pageviews)} pageviews`, p ? relChange(s.sessions, p.sessions) : undefined],
        ['Conversions', fmtCount(s.conversions), `${fmtCount(s.convertingVisitors)} converting visitors`, p ? relChange(s.conversions, p.conversions) : undefined],
        ['Conversion rate', fmtPercent(s.conversionRate, 2), 'converting visitors / visitors',
          p && s.conversionRate !== null && p.conversionRate !== null ? relChange(s.conversionRate, p.conversionRate) : undefined],
        ['Revenue', fmtMoney(s.revenue), undefined, p ? one(moneyChange(s.revenue, p.revenue, true)) : undefined],
      ]
      if (props.spend && Object.keys(props.spend).length) {
        tiles.push(['Ad spend', fmtMoney(props.spend), undefined, one(props.spendChange)])
        tiles.push(['Blended ROAS', fmtMultiple(blendedRoas(s.revenue, props.spend)), 'all revenue / ad spend'])
      }
      return (
        <section class="tiles" aria-label="Summary">
          {tiles.map(([label, value, hint, change]) => (
            <div class="tile">
              <p class="tile-label">{label}</p>
              <p class="tile-value" data-metric={label.toLowerCase().replace(/ /g, '-')}>{value}</p>
              {hint ? <p class="tile-hint">{hint}</p> : null}
              <Delta change={change} days={days} />
            </div>
          ))}
        </section>
      )
    }} />
  )
}
