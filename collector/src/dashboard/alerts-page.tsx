/** @jsxImportSource hono/jsx */
/**
 * The dashboard's alerts page: the site's rules and the history of their incidents, each
 * with when it opened and resolved and how its webhook messages fared.
 */
import { Layout, SiteTopbar } from './layout.tsx'
import { Card } from './sections.tsx'
import type { AlertRule, IncidentHistory } from '../store/alert-types.ts'

export interface AlertsPageData {
  site: string
  rules: AlertRule[]
  incidents: IncidentHistory[]
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}`

/** A rule's thresholds in words, without its webhook (a secret URL). */
function thresholds(r: AlertRule): string {
  const { type: _type, webhook: _webhook, ...rest } = r.definition
  return Object.entries(rest).map(([k, v]) => `${k} ${v}`).join(', ')
}

export function AlertsPage(props: { d: AlertsPageData }) {
  const { d } = props
  return (
    <Layout title={`${d.site} · Alerts · Funnelbeam`} wide>
      <SiteTopbar site={d.site} />
      <main class="wrap">
        <Card id="alert-rules" title="Alert rules" subtitle="Judged every minute; set them with PUT /api/sites/:site/alerts/:id">
          {d.rules.length === 0 ? <p class="muted">No alert rules.</p> : (
            <table>
              <thead><tr><th>Rule</th><th>Type</th><th>Thresholds</th></tr></thead>
              <tbody>{d.rules.map((r) => <tr><td>{r.id}</td><td>{r.definition.type}</td><td class="small">{thresholds(r)}</td></tr>)}</tbody>
            </table>
          )}
        </Card>
        <Card id="alert-history" title="Incidents" subtitle="Newest first; one message when an incident opens and one when it resolves">
          {d.incidents.length === 0 ? <p class="muted">No incidents yet.</p> : (
            <table>
              <thead><tr><th>Rule</th><th>Opened (UTC)</th><th>Resolved (UTC)</th><th>What happened</th><th>Messages</th></tr></thead>
              <tbody>
                {d.incidents.map((i) => (
                  <tr>
                    <td>{i.rule}</td>
                    <td>{utc(i.opened)}</td>
                    <td>{i.resolved === null ? <strong>open</strong> : utc(i.resolved)}</td>
                    <td class="small">{i.text}</td>
                    <td class="small">{i.messages.map((m) => `${m.state}: ${m.status}${m.attempts > 1 ? ` after ${m.attempts} attempts` : ''}${m.lastError ? ` (${m.lastError})` : ''}`).join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </main>
    </Layout>
  )
}
