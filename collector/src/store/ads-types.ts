/**
 * Ad platform destinations and the durable outbox of conversions to send them. Stores
 * persist and query; the worker (`exports/outbox.ts`) decides what to send and when.
 */
import type { ConversionClick } from './report-types.ts'

/** A site's connection to one platform's API; `secret` (token) is never shown again once stored. */
export interface Destination {
  site: string
  platform: string
  /** Non-secret settings: pixel id, customer id and conversion action, counter id. */
  config: Record<string, string>
  secret: string
  /** Only conversions of this name, or every conversion. */
  conversion: string | null
  created: number
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed'

/** One conversion waiting for (or done with) one destination. */
export interface OutboxItem {
  eventId: string
  conversion: ConversionClick
  attempts: number
}

export interface Delivery {
  eventId: string
  /** The conversion's name and time. */
  name: string
  ts: number
  status: DeliveryStatus
  attempts: number
  lastError: string | null
  sentAt: number | null
}

/** A conversion's hashed user (see `exports/user-hashes.ts`). */
export interface UserHashRow {
  eventId: string
  emailSha256: string | null
  phoneSha256: string | null
  phoneDigitsSha256: string | null
}

export interface AdsStore {
  /** Keeps hashed users of conversions; an event's first hashes stay (as its first copy does). */
  putUserHashes(site: string, rows: UserHashRow[]): Promise<void>
  /** Creates or replaces a site's destination for a platform. */
  putDestination(d: Destination): Promise<void>
  /** One site's destinations, or every site's. */
  destinations(site?: string): Promise<Destination[]>
  deleteDestination(site: string, platform: string): Promise<boolean>
  /** Adds conversions to a destination's outbox; one already there is left alone. Answers how many were new. */
  enqueue(site: string, platform: string, conversions: ConversionClick[], now: number): Promise<number>
  /**
   * Claims pending items whose next attempt is due, oldest first: their next attempt moves
   * to `now + leaseMs`, so another collector process sharing the database skips them, and
   * a process that dies while sending leaves them to be retried once the lease ends.
   */
  claim(site: string, platform: string, now: number, leaseMs: number, limit: number): Promise<OutboxItem[]>
  markSent(site: string, platform: string, eventIds: string[], now: number): Promise<void>
  /** Counts a failed attempt; items reaching `maxAttempts` become `failed`, the rest wait until `nextAt`. */
  markRetry(site: string, platform: string, eventIds: string[], error: string, nextAt: number, maxAttempts: number): Promise<void>
  /** A destination's deliveries, newest conversion first. */
  deliveries(site: string, platform: string, limit: number): Promise<Delivery[]>
  /** Items per platform and status for a site. */
  deliveryCounts(site: string): Promise<{ platform: string; status: DeliveryStatus; n: number }[]>
}
