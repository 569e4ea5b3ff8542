/** @jsxImportSource hono/jsx */
/**
 * Building blocks of the dashboard page: cards, the "unavailable" notice and the summary
 * tiles. Every value from events is rendered as text by hono/jsx, which escapes it.
 */
import type { Child } from 'hono/jsx'
import type { Money, SummaryReport } from '../reports/types.ts'
import { fmtCount, fmtMoney, fmtMultiple, fmtPercent } from './format.ts'
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
