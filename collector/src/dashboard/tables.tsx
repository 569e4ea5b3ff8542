/** @jsxImportSource hono/jsx */
/** Channel, campaign and attribution-model tables with spend, CPA and ROAS. */
import type { AttributionModel, AttributionReport, CampaignMetrics, CampaignsReport, ChannelsReport, Money } from '../reports/types.ts'
import { fmtCount, fmtMoney, fmtMoneyRatio, fmtMultiple, fmtPercent } from './format.ts'
import { MODELS } from './filters.ts'

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

/** A row's label, linked to the same page filtered to that value when a link is given. */
export function FilterLink(props: { label: string; href?: string }) {
  return props.href ? <a href={props.href} class="filter-link" title={`Show only ${props.label}`}>{props.label}</a> : <>{props.label}</>
}

export function ChannelsTable(props: { report: ChannelsReport; filterHref?: (channel: string) => string | undefined }) {
  const rows = [...props.report.rows].sort((a, b) => b.sessions - a.sessions)
  if (!rows.length) return <p class="empty">No sessions in this range.</p>
  return (
    <div class="table-scroll">
      <table>
        <thead><tr><th scope="col">Channel</th>{METRIC_HEADS.map((h) => <th scope="col" class="num">{h}</th>)}</tr></thead>
        <tbody>
          {rows.map((r) => <tr><th scope="row"><FilterLink label={r.channel} href={props.filterHref?.(r.channel)} /></th><MetricCells m={r} /></tr>)}
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

function round1(n: number): number {
  return Math.round(n * 10) / 10
}
