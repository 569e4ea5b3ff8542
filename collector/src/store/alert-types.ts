/**
 * Alerts (issue 11): per-site rules, the incidents they open and resolve, and the webhook
 * messages about them, kept in a durable queue so a restart resumes delivery. The rules
 * and the judgement live in `alerts/`; the stores persist and query.
 */
import type { AlertDefinition } from '../alerts/rules.ts'

export interface AlertRule {
  site: string
  id: string
  definition: AlertDefinition
  created: number
}

export interface Incident {
  id: number
  site: string
  rule: string
  type: AlertDefinition['type']
  opened: number
  /** Null while open. */
  resolved: number | null
  /** What the opening message said. */
  text: string
}

export type MessageState = 'open' | 'resolved'
export type DeliveryStatus = 'pending' | 'sent' | 'failed'

/** A webhook message about an incident opening or resolving. */
export interface AlertMessage {
  id: number
  site: string
  incident: number
  state: MessageState
  url: string
  body: string
  status: DeliveryStatus
  attempts: number
  nextAt: number
  lastError: string | null
  sentAt: number | null
}

/** An incident with the delivery of its messages, for the history. */
export interface IncidentHistory extends Incident {
  messages: Pick<AlertMessage, 'state' | 'status' | 'attempts' | 'lastError' | 'sentAt'>[]
}

export interface AlertStore {
  /** A site's rules (or every site's, with null), by site and id. */
  rules(site: string | null): Promise<AlertRule[]>
  /** Inserts or replaces a rule; answers whether it was new. */
  putRule(rule: AlertRule): Promise<boolean>
  /** Removes a rule and closes its open incident without a message; false when there was none. */
  deleteRule(site: string, id: string, now: number): Promise<boolean>
  /** The rule's open incident, if any. */
  openIncident(site: string, rule: string): Promise<Incident | null>
  /** Opens an incident and queues its message (whose body names the incident's id), in one transaction; answers the id. */
  open(incident: Omit<Incident, 'id' | 'resolved'>, message: { url: string; body: (id: number) => string }): Promise<number>
  /** Resolves an incident and queues its message, in one transaction. */
  resolve(incident: number, at: number, message: { url: string; body: string }): Promise<void>
  /** Messages due for (another) delivery attempt, oldest first. */
  dueMessages(now: number, limit: number): Promise<AlertMessage[]>
  markSent(id: number, at: number): Promise<void>
  /** Records a failed attempt: retried at `nextAt`, or failed for good when `final`. */
  markRetry(id: number, error: string, nextAt: number, final: boolean): Promise<void>
  /** The site's latest incidents, newest first, with their messages. */
  history(site: string, limit: number): Promise<IncidentHistory[]>
  /** Events received (acknowledged, derived or not) in `start <= received < end`; goal conversions are not received. */
  receivedCount(site: string, start: number, end: number): Promise<number>
  /**
   * Runs `work` only if no other process runs alerts at the moment (PostgreSQL: an advisory
   * lock); `evaluate` tells it whether `minute` is the first this lock holder sees (each
   * minute is evaluated once across processes). Answers whether it ran.
   */
  exclusively(minute: number, work: (evaluate: boolean) => Promise<void>): Promise<boolean>
}
