/** @jsxImportSource hono/jsx */
/** The dashboard page: filters, summary tiles and every report section. */
import type {
  AttributionModel, AttributionReport, CampaignsReport, ChannelsReport, ExperimentReport, FunnelReport, SummaryReport,
} from '../reports/types.ts'
import type { Catalog, HealthData } from './health.ts'
import type { RefusalCount } from '../http/refusals.ts'
import { Layout, Logo } from './layout.tsx'
import { Card, Tiles, Unavailable, type Loaded } from './sections.tsx'
import { FunnelBreakdown, FunnelChart } from './funnel-view.tsx'
import { AttributionCompare, CampaignsTable, ChannelsTable } from './tables.tsx'
import { ExperimentReadout } from './experiment-view.tsx'
import { HealthPanel } from './health-panel.tsx'
import { TrendCharts } from './trend-view.tsx'
import { PacingTable } from './pacing-view.tsx'
import type { TimeseriesReport } from '../reports/timeseries.ts'
import type { PacingReport } from '../reports/pacing-service.ts'
import { BREAKDOWNS, csvLinks, filterParams, MAX_STEPS, MODELS, presets, type Filters } from './filters.ts'
import { spendTotal, stepSuggestions } from './view-model.ts'
import { SegmentBar } from './segment-bar.tsx'
import { UNKNOWN } from '../reports/dimensions.ts'

export interface DashboardData {
  site: string
  today: string
  now: number
  filters: Filters
  catalog: Catalog
  summary: Loaded<SummaryReport>
  funnel: Loaded<FunnelReport>
  channels: Loaded<ChannelsReport>
  campaigns: Loaded<CampaignsReport>
  attribution: Partial<Record<AttributionModel, AttributionReport>>
  attributionError: string | null
  experiment: Loaded<ExperimentReport> | null
  health: Loaded<HealthData>
  /** The summary of the period of equal length before the range, for the tiles' changes. */
  previousSummary: Loaded<SummaryReport>
  trends: Loaded<TimeseriesReport>
  pacing: Loaded<PacingReport>
  /** Requests this collector process refused (403, 429) since it started, by reason; all sites. */
  refusals?: RefusalCount[]
  /** When the oldest figure taken from the dashboard's short cache was computed; null when all are fresh. */
  cachedAt: number | null
  /** How long figures are cached. */
  cacheSeconds: number
}

const utcTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')

/** Says whether the figures are live or from the short cache, and how old they may be. */
function CacheNote(props: { d: Pick<DashboardData, 'cachedAt' | 'cacheSeconds'> }) {
  const { cachedAt, cacheSeconds } = props.d
  if (cachedAt === null) return <span class="cache-note">figures computed now; reused for {cacheSeconds} s</span>
  return <span class="cache-note">some figures cached, computed {utcTime(cachedAt)} UTC; they refresh after {cacheSeconds} s</span>
}

/** Hidden inputs carrying every filter except the ones a form edits itself. */
function Keep(props: { f: Filters; omit: (keyof Filters)[] }) {
  const p = filterParams(props.f)
  const skip = new Set<string>(props.omit)
  return <>{[...p.entries()].filter(([k]) => !skip.has(k === 'step' ? 'steps' : k)).map(([k, v]) => <input type="hidden" name={k} value={v} />)}</>
}

export function DashboardPage(props: { d: DashboardData }) {
  const { d } = props
  const f = d.filters
  const modelLabel = MODELS.find((m) => m.id === f.model)!.label
  const spend = d.campaigns.ok ? spendTotal(d.campaigns.value.rows) : null
  const conversions = [...new Set([...d.catalog.conversions, ...(f.conversion ? [f.conversion] : [])])]
  const experiments = [...new Set([...d.catalog.experiments, ...(f.experiment ? [f.experiment] : [])])]
  // Clicking a row of a table or breakdown narrows the whole page to it: "and on mobile?".
  const addFilter = (k: string, v: string) => f.segment.some(([k2, v2]) => k2 === k && v2 === v) ? undefined
    : `/dashboard/${encodeURIComponent(d.site)}?${filterParams(f, { segment: [...f.segment, [k, v]] })}`
  const breakdownFilter = (v: string) => {
    // A landing filter names a path: `(unknown)` has none to name.
    if (!f.breakdown || (f.breakdown === 'landing' && v === UNKNOWN)) return undefined
    if (f.breakdown !== 'variant') return addFilter(f.breakdown, v)
    return f.experiment ? addFilter('variant', `${f.experiment}:${v}`) : undefined
  }
  const stepInputs = [...f.steps, ...Array(Math.max(0, MAX_STEPS - f.steps.length)).fill('')].slice(0, MAX_STEPS)
  return (
    <Layout title={`${d.site} · Funnelbeam dashboard`} wide>
      <header class="topbar">
        <div class="topbar-inner">
          <Logo />
          <span class="site-name">{d.site}</span>
          <nav class="presets" aria-label="Date range">
            {presets(d.site, f, d.today).map((p) => <a href={p.href} class={p.active ? 'chip active' : 'chip'} aria-current={p.active ? 'true' : undefined}>{p.label}</a>)}
          </nav>
          <a class="signout" href="/dashboard/logout">Sign out</a>
        </div>
      </header>
      <main class="wrap">
        <form class="filters card" method="get" action={`/dashboard/${encodeURIComponent(d.site)}`} aria-label="Filters">
          <label>From <input type="date" name="from" value={f.from} max={d.today} /></label>
          <label>To <input type="date" name="to" value={f.to} max={d.today} /></label>
          <label>Attribution model
            <select name="model">{MODELS.map((m) => <option value={m.id} selected={m.id === f.model}>{m.label}</option>)}</select>
          </label>
          <label>Conversion
            <select name="conversion">
              <option value="all" selected={f.conversion == null}>All conversions</option>
              {conversions.map((c) => <option value={c} selected={c === f.conversion}>{c}</option>)}
            </select>
          </label>
          {experiments.length ? (
            <label>Experiment
              <select name="experiment">{experiments.map((x) => <option value={x} selected={x === f.experiment}>{x}</option>)}</select>
            </label>
          ) : null}
          {experiments.length ? (
            <label>Planned split
              <input name="weights" value={f.weights ?? ''} placeholder="equal, or control:60,b:40" maxlength={200} size={16} />
            </label>
          ) : null}
          <Keep f={f} omit={['from', 'to', 'model', 'conversion', 'experiment', 'weights']} />
          <button class="button" type="submit">Apply</button>
        </form>

        <SegmentBar site={d.site} f={f} />

        <Tiles summary={d.summary} spend={spend} previous={d.previousSummary.ok ? d.previousSummary.value : null}
          spendChange={d.trends.ok ? d.trends.value.totals.change.spend : null} />

        <Card id="trends" title="Trends" subtitle={`Per ${d.trends.ok && d.trends.value.granularity === 'hour' ? 'hour' : 'day'} against the previous period of equal length${f.conversion ? ` · conversions: ${f.conversion}` : ''}`}>
          {d.trends.ok ? <TrendCharts report={d.trends.value} /> : <Unavailable error={d.trends.error} />}
        </Card>

        <div class="grid-2">
          <Card id="funnel" title="Funnel" subtitle={`${f.from} to ${f.to}`}>
            {d.funnel.ok ? <FunnelChart report={d.funnel.value} /> : <Unavailable error={d.funnel.error} />}
            <form method="get" action={`/dashboard/${encodeURIComponent(d.site)}#funnel`} class="inline-form">
              <Keep f={f} omit={['breakdown']} />
              <label for="breakdown">Break down by</label>
              <select id="breakdown" name="breakdown">
                <option value="" selected={!f.breakdown}>Nothing</option>
                {BREAKDOWNS.filter((b) => b.id !== 'variant' || f.experiment).map((b) => <option value={b.id} selected={b.id === f.breakdown}>{b.id === 'variant' ? `Variant of ${f.experiment}` : b.label}</option>)}
              </select>
              <button class="button button-small" type="submit">Show</button>
            </form>
            {d.funnel.ok && f.breakdown ? <FunnelBreakdown report={d.funnel.value} label={BREAKDOWNS.find((b) => b.id === f.breakdown)!.label} filterHref={breakdownFilter} /> : null}
            <details class="step-editor">
              <summary>Edit funnel steps</summary>
              <form method="get" action={`/dashboard/${encodeURIComponent(d.site)}`} class="stack">
                <Keep f={f} omit={['steps']} />
                {stepInputs.map((s, i) => (
                  <label class="step-input"><span class="step-no">{i + 1}</span>
                    <input name="step" value={s} list="step-suggestions" placeholder={i < 2 ? 'required, e.g. pageview:/pricing' : 'optional, e.g. conversion:purchase'} maxlength={300} />
                  </label>
                ))}
                <datalist id="step-suggestions">{stepSuggestions(d.catalog).map((x) => <option value={x} />)}</datalist>
                <p class="muted small">A step is <code>type:name</code>: <code>pageview:/blog/*</code> (a path glob), <code>event:cta_click?plan=pro</code>, <code>conversion:purchase</code>.</p>
                <button class="button" type="submit">Update funnel</button>
              </form>
            </details>
          </Card>
          <Card id="health" title="Tracking health" subtitle={<>Is the tag working today? <a href={`/dashboard/${encodeURIComponent(d.site)}/alerts`}>Alerts</a></>}>
            <HealthPanel health={d.health} now={d.now} refusals={d.refusals ?? []} />
          </Card>
        </div>

        <Card id="channels" title="Channels" subtitle={`Conversions credited by ${modelLabel.toLowerCase()}${f.conversion ? ` · ${f.conversion}` : ''}`}>
          {d.channels.ok ? <ChannelsTable report={d.channels.value} filterHref={(c) => addFilter('channel', c)} /> : <Unavailable error={d.channels.error} />}
          {d.channels.ok && d.channels.value.spendNote ? <p class="muted small">{d.channels.value.spendNote}</p> : null}
        </Card>

        <Card id="pacing" title="Budget pacing" subtitle={d.pacing.ok ? `${d.pacing.value.month} as of ${d.pacing.value.asOf} (${d.pacing.value.elapsedDays} of ${d.pacing.value.daysInMonth} days) · conversions by last non-direct` : 'Monthly budgets against spend'}>
          {d.pacing.ok ? <PacingTable report={d.pacing.value} site={d.site} /> : <Unavailable error={d.pacing.error} />}
        </Card>

        <Card id="campaigns" title="Campaigns" subtitle={<>Spend from the <a href={`/dashboard/${encodeURIComponent(d.site)}/ads`}>spend upload</a>; CPA = spend / conversions, ROAS = revenue / spend</>}>
          {d.campaigns.ok ? <CampaignsTable report={d.campaigns.value} /> : <Unavailable error={d.campaigns.error} />}
        </Card>

        <Card id="attribution" title="Attribution models compared" subtitle={`Conversions per channel under each model (lookback 30 days)${f.conversion ? ` · ${f.conversion}` : ''}`}
          actions={
            <nav class="model-switch" aria-label="Attribution model">
              {MODELS.map((m) => <a class={m.id === f.model ? 'chip active' : 'chip'} href={`/dashboard/${encodeURIComponent(d.site)}?${filterParams(f, { model: m.id })}#attribution`}>{m.label}</a>)}
            </nav>
          }>
          {d.attributionError ? <Unavailable error={d.attributionError} /> : <AttributionCompare reports={d.attribution} selected={f.model} />}
        </Card>

        <Card id="experiment" title={f.experiment ? `Experiment: ${f.experiment}` : 'Experiments'} subtitle={f.conversion ? `Conversion: ${f.conversion}` : 'Any conversion'}>
          {d.experiment == null ? <p class="empty">No experiment exposures yet. Call <code>experiment(name, variants)</code> in the SDK to start one.</p>
            : d.experiment.ok ? <ExperimentReadout report={d.experiment.value} /> : <Unavailable error={d.experiment.error} />}
        </Card>

        <Card id="downloads" title="Download CSV" subtitle="The same rows as the tables, for spreadsheets">
          <ul class="downloads">
            {csvLinks(d.site, f).map((l) => <li><a class="chip" href={l.href} download>{l.label}.csv</a></li>)}
          </ul>
        </Card>
      </main>
      <footer class="foot muted small">Funnelbeam · dates in the site's timezone · generated {utcTime(d.now)} UTC · <CacheNote d={d} /></footer>
    </Layout>
  )
}
