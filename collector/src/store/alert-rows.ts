/** Alert rows as the model's types, for both stores (same column names; PostgreSQL bigints arrive as numbers or strings). */
import type { AlertMessage, AlertRule, Incident, IncidentHistory } from './alert-types.ts'

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v))

export function ruleFromRow(r: Record<string, unknown>): AlertRule {
  return {
    site: r.site as string, id: r.id as string, created: Number(r.created),
    definition: typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition as AlertRule['definition'],
  }
}

export function incidentFromRow(r: Record<string, unknown>): Incident {
  return {
    id: Number(r.id), site: r.site as string, rule: r.rule as string, type: r.type as Incident['type'], opened: Number(r.opened),
    resolved: n(r.resolved), text: r.text as string,
  }
}

export function messageFromRow(r: Record<string, unknown>): AlertMessage {
  return {
    id: Number(r.id), site: r.site as string, incident: Number(r.incident), state: r.state as AlertMessage['state'], url: r.url as string,
    body: r.body as string, status: r.status as AlertMessage['status'], attempts: Number(r.attempts), nextAt: Number(r.next_at),
    lastError: (r.last_error ?? null) as string | null, sentAt: n(r.sent_at),
  }
}

/**
 * Incidents (newest first) with their messages, from the two row sets.
 *
 * @example
 * historyOf(incidentRows, messageRows) // [{ id: 3, …, messages: [{ state: 'open', status: 'sent', … }] }]
 */
export function historyOf(incidents: Record<string, unknown>[], messages: Record<string, unknown>[]): IncidentHistory[] {
  const byIncident = new Map<number, IncidentHistory['messages']>()
  for (const r of messages.map(messageFromRow)) {
    let list = byIncident.get(r.incident)
    if (!list) byIncident.set(r.incident, (list = []))
    list.push({ state: r.state, status: r.status, attempts: r.attempts, lastError: r.lastError, sentAt: r.sentAt })
  }
  return incidents.map(incidentFromRow).map((i) => ({ ...i, messages: byIncident.get(i.id) ?? [] }))
}
