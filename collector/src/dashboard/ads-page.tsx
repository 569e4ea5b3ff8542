/** @jsxImportSource hono/jsx */
/**
 * The dashboard's ad platform page: upload a spend file as the platform exported it, and
 * download each platform's conversions file per conversion, with the count each holds.
 */
import { Layout, SiteTopbar } from './layout.tsx'
import { Card } from './sections.tsx'
import { fmtCount } from './format.ts'
import type { SpendImportResult } from '../spend/import.ts'
import type { ExportPlatform } from '../exports/formats.ts'
import type { Delivery } from '../store/ads-types.ts'

export const PLATFORM_LABELS: Record<ExportPlatform, string> = {
  'google-ads': 'Google Ads (CSV upload)',
  'google-data-manager': 'Google Data Manager (JSON)',
  meta: 'Meta Conversions API (JSON)',
  'yandex-metrica': 'Yandex Metrica (CSV)',
}

export interface AdsPageData {
  site: string
  from: string
  to: string
  today: string
  /** Per conversion name, the count in each platform's file. */
  exports: { conversion: string; counts: Record<ExportPlatform, number> }[]
  /** Each destination with its delivery counts and latest deliveries. */
  destinations: { platform: string; conversion: string | null; counts: Record<string, number>; latest: Delivery[] }[]
  /** The last upload's outcome, when the page answers one. */
  upload?: { ok: true; result: SpendImportResult } | { ok: false; error: string }
}

function UploadOutcome(props: { upload: NonNullable<AdsPageData['upload']> }) {
  const u = props.upload
  if (!u.ok) return <p class="notice notice-bad" role="alert">Nothing was imported: {u.error}</p>
  const r = u.result
  return (
    <div class="notice" role="status">
      <p>Imported {fmtCount(r.upserted)} spend rows from a <strong>{r.format}</strong> file.</p>
      {r.skipped.length ? <p class="muted small">Skipped: {r.skipped.map((s) => `line ${s.line} (${s.reason})`).join(', ')}</p> : null}
      {r.unmatchedCampaigns.length ? (
        <p class="small">No tracked session matches yet (check their UTM tags): {r.unmatchedCampaigns.map((c) => `${c.source} / ${c.medium} / ${c.campaign}`).join('; ')}</p>
      ) : null}
    </div>
  )
}

export function AdsPage(props: { d: AdsPageData }) {
  const { d } = props
  const site = encodeURIComponent(d.site)
  const platforms = Object.keys(PLATFORM_LABELS) as ExportPlatform[]
  return (
    <Layout title={`${d.site} · Ad platforms · Funnelbeam`} wide>
      <SiteTopbar site={d.site} />
      <main class="wrap">
        <Card id="spend-upload" title="Spend" subtitle="Upload the file as Google Ads, Meta Ads Manager or Yandex Direct exported it, or Funnelbeam's own CSV">
          {d.upload ? <UploadOutcome upload={d.upload} /> : null}
          <form method="post" action={`/dashboard/${site}/spend`} enctype="multipart/form-data" class="stack">
            <label>Spend file <input type="file" name="file" required accept=".csv,.tsv,.txt,.json,text/csv" /></label>
            <label>Format
              <select name="format">
                <option value="">Detect from the header</option>
                <option value="google-ads">Google Ads</option>
                <option value="meta">Meta Ads Manager</option>
                <option value="yandex">Yandex Direct</option>
                <option value="canonical">Funnelbeam CSV</option>
              </select>
            </label>
            <label>Source (optional) <input name="source" maxlength={100} placeholder="google, facebook, yandex by default" /></label>
            <label>Medium (optional) <input name="medium" maxlength={100} placeholder="cpc or paid by default" /></label>
            <button class="button" type="submit">Upload</button>
          </form>
        </Card>

        <Card id="exports" title="Ad platform exports" subtitle={`Conversions from ${d.from} to ${d.to} whose last ad click of that platform (within 90 days) carried its click id, with ads consent`}>
          <form method="get" action={`/dashboard/${site}/ads#exports`} class="inline-form">
            <label>From <input type="date" name="from" value={d.from} max={d.today} /></label>
            <label>To <input type="date" name="to" value={d.to} max={d.today} /></label>
            <button class="button button-small" type="submit">Show</button>
          </form>
          {d.exports.length === 0 ? <p class="muted">No conversions recorded in the last 90 days.</p> : (
            <table>
              <thead><tr><th>Conversion</th>{platforms.map((p) => <th>{PLATFORM_LABELS[p]}</th>)}</tr></thead>
              <tbody>
                {d.exports.map((e) => (
                  <tr>
                    <td>{e.conversion}</td>
                    {platforms.map((p) => (
                      <td class="num">
                        <a href={`/api/sites/${site}/exports/${p}?${new URLSearchParams({ conversion: e.conversion, from: d.from, to: d.to })}`}>
                          {fmtCount(e.counts[p])} ↓
                        </a>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>

        <Card id="destinations" title="Sent to ad platforms" subtitle="Sites with destinations (PUT /api/sites/:site/destinations/:platform) send new conversions in the background">
          {d.destinations.length === 0 ? <p class="muted">No destinations: conversions are only in the downloads above.</p> : d.destinations.map((x) => (
            <div>
              <h3>{PLATFORM_LABELS[x.platform as ExportPlatform] ?? x.platform}{x.conversion ? ` · ${x.conversion}` : ''}</h3>
              <p class="small">{['sent', 'pending', 'failed'].map((s) => `${fmtCount(x.counts[s] ?? 0)} ${s}`).join(' · ')}</p>
              {x.latest.length ? (
                <table>
                  <thead><tr><th>Conversion</th><th>Time (UTC)</th><th>Status</th><th>Attempts</th><th>Last error</th></tr></thead>
                  <tbody>
                    {x.latest.map((l) => (
                      <tr><td>{l.name}</td><td>{new Date(l.ts).toISOString().slice(0, 16).replace('T', ' ')}</td><td>{l.status}</td><td class="num">{l.attempts}</td><td class="small">{l.lastError ?? ''}</td></tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </div>
          ))}
        </Card>
      </main>
    </Layout>
  )
}
