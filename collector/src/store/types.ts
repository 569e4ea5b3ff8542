import type { ReportStore } from './report-types.ts'

export type { EventType, EventOrigin, Props, Touch, EnrichedEvent, InsertOutcome, Site, QuarantineRow } from '../model.ts'
import type { EnrichedEvent, InsertOutcome, QuarantineRow, Site } from '../model.ts'

/** Ingest and site storage; reports live behind `reports`. Every method is async so a networked store fits. */
export interface Store {
  createSite(site: Site): Promise<boolean>
  getSite(id: string): Promise<Site | null>
  updateSite(id: string, patch: Partial<Pick<Site, 'origins' | 'currency' | 'timezone'>>): Promise<void>
  /** The salt for a UTC day (YYYY-MM-DD), made on first use; salts older than 48 h are destroyed. */
  dailySalt(day: string, now: number): Promise<string>
  /** Stores events exactly once (by id, and by name + order id for conversions), assigning sessions. */
  insertEvents(site: string, events: EnrichedEvent[]): Promise<InsertOutcome[]>
  quarantine(rows: QuarantineRow[]): Promise<void>
  quarantineCounts(site: string, since: number): Promise<Record<string, number>>
  readonly reports: ReportStore
  close(): Promise<void>
}
