/** A stored `sessions` row as the segment tests read it back (column names as in both stores). */
export interface SessionRow {
  id: string
  visitor: string
  started: number
  last_ts: number
  channel: string
  source: string | null
  medium: string | null
  campaign: string | null
  click_id_type: string | null
  referrer_host: string | null
  device: string | null
  browser: string | null
  country: string | null
  landing_path: string | null
}
