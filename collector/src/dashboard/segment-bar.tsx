/** @jsxImportSource hono/jsx */
/**
 * The dashboard's segment: the active filters as removable chips, and a form to add
 * filters. Every section of the page, its CSV links and its date presets answer for the
 * segment (issue 11: "and on mobile?", "for new visitors?").
 */
import { filterParams, SEGMENT_LABELS, type Filters } from './filters.ts'

/** The filter form's fields: a few known values as choices, the rest typed in. */
const CHOICES: Record<string, string[]> = {
  channel: ['Paid Search', 'Organic Search', 'Paid Social', 'Organic Social', 'Email', 'Referral', 'Direct', 'Display', 'Affiliates', 'Organic Video', 'Paid Video', 'Cross-network', 'Unassigned'],
  device: ['desktop', 'mobile', 'tablet'],
}
const TYPED: { key: string; placeholder: string }[] = [
  { key: 'source', placeholder: 'google' }, { key: 'medium', placeholder: 'cpc' }, { key: 'campaign', placeholder: 'brand_search' },
  { key: 'browser', placeholder: 'Chrome' }, { key: 'country', placeholder: 'DE' }, { key: 'landing', placeholder: '/pricing or /blog/**' },
  { key: 'variant', placeholder: 'experiment:variant' },
]

/**
 * @example
 * <SegmentBar site="shop" f={filters} />
 */
export function SegmentBar(props: { site: string; f: Filters }) {
  const { f, site } = props
  const href = (segment: [string, string][]) => `/dashboard/${encodeURIComponent(site)}?${filterParams(f, { segment })}`
  return (
    <section class="segment card" aria-label="Segment">
      {f.segment.length ? (
        <ul class="segment-chips">
          <li class="muted small">Segment:</li>
          {f.segment.map(([k, v], i) => (
            <li>
              <a class="chip active" href={href(f.segment.filter((_, j) => j !== i))} title="Remove this filter">
                {SEGMENT_LABELS[k]}: {v} <span aria-hidden="true">✕</span><span class="visually-hidden"> (remove)</span>
              </a>
            </li>
          ))}
          <li><a class="chip" href={href([])}>Clear segment</a></li>
        </ul>
      ) : <p class="muted small">All sessions. Add a segment to see any report for one slice of traffic.</p>}
      <details class="segment-editor">
        <summary>Add a filter</summary>
        <form method="get" action={`/dashboard/${encodeURIComponent(site)}`} class="filters">
          {[...new URLSearchParams(filterParams(f)).entries()].map(([k, v]) => <input type="hidden" name={k} value={v} />)}
          {Object.entries(CHOICES).map(([k, vs]) => (
            <label>{SEGMENT_LABELS[k]}
              <select name={k}><option value="" selected>any</option>{vs.map((v) => <option value={v}>{v}</option>)}</select>
            </label>
          ))}
          <label>{SEGMENT_LABELS.visitor}
            <select name="visitor"><option value="" selected>all</option><option value="new">new (first session)</option><option value="returning">returning</option></select>
          </label>
          {TYPED.map((t) => (
            <label>{SEGMENT_LABELS[t.key]} <input name={t.key} placeholder={t.placeholder} maxlength={t.key === 'variant' ? 401 : 200} size={14} /></label>
          ))}
          <button class="button" type="submit">Add</button>
        </form>
        <p class="muted small">Filters of different kinds combine (mobile <em>and</em> Paid Search); two of one kind mean either. A filter keeps the sessions whose entry matches, and every event in them.</p>
      </details>
    </section>
  )
}
