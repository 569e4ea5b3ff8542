/**
 * What the privacy and access features need of a store: salts and retention on a
 * schedule, one person's data (export and erasure), report tokens and dashboard sessions.
 * The store persists and queries; which rows belong to a person is decided in
 * `privacy/subject.ts`, and who may do what in `http/access.ts`.
 */
import type { DerivedSession, EnrichedEvent, QuarantineRow } from '../model.ts'

/** A data subject on one site: a visitor id, or a user id (see `privacy/subject.ts`). */
export type Subject = { kind: 'visitor'; id: string } | { kind: 'user'; id: string }

/** Everything stored about a subject. */
export interface SubjectData {
  /** The visitor ids the erasure covers: the visitor itself, or every visitor seen with the user id. */
  visitors: string[]
  /** Derived events (in `events`). */
  events: EnrichedEvent[]
  sessions: DerivedSession[]
  /** Accepted events still waiting in the inbox for derivation. */
  pending: EnrichedEvent[]
  /** Quarantined (rejected) payloads that name one of the ids. */
  quarantine: QuarantineRow[]
  /** Hashed e-mail and phone of the subject's conversions (enhanced conversions). */
  userHashes: Record<string, unknown>[]
  /** The subject's conversions queued for or sent to ad platforms. */
  outbox: Record<string, unknown>[]
}

/** Rows removed by an erasure, per table. */
export interface Erased {
  events: number
  sessions: number
  pending: number
  quarantine: number
  userHashes: number
  outbox: number
}

/** Rows removed by the retention limit, per table. */
export interface Purged {
  events: number
  sessions: number
  quarantine: number
  /** Outbox rows of old conversions and the hashed users of purged events. */
  outbox: number
  userHashes: number
}

/** A report token as listed (its secret is never stored, only its SHA-256). */
export interface ReportToken {
  id: string
  site: string
  label: string | null
  created: number
}

/** A dashboard sign-in: `site` null for the admin, else the one site a report token may read. */
export interface DashboardSession {
  site: string | null
  tokenId: string | null
  expires: number
}

export interface TrustStore {
  /** Destroys the salts created before `before`; answers how many went. */
  dropSalts(before: number): Promise<number>
  /** Deletes events (by event time) with their hashed users, sessions (by last event), outbox rows (by conversion time) and quarantine rows (by receipt) older than `before`. */
  purge(before: number): Promise<Purged>
  exportSubject(site: string, subject: Subject): Promise<SubjectData>
  /** Erases everything {@link exportSubject} finds, in one transaction. */
  eraseSubject(site: string, subject: Subject): Promise<Erased>
  addToken(token: ReportToken & { hash: string }): Promise<void>
  tokens(site: string): Promise<ReportToken[]>
  token(id: string): Promise<(ReportToken & { hash: string }) | null>
  /** Revokes a token and every dashboard session signed in with it; false when there was none. */
  revokeToken(site: string, id: string): Promise<boolean>
  addSession(hash: string, session: DashboardSession): Promise<void>
  /** The live session with this id hash (expired ones are deleted and answer null). */
  session(hash: string, now: number): Promise<DashboardSession | null>
  dropSession(hash: string): Promise<void>
  /** Deletes sessions expired by `now` (ones never visited again would otherwise stay). */
  dropExpiredSessions(now: number): Promise<number>
}
