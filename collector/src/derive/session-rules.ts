export const SESSION_IDLE_MS = 30 * 60_000

export interface SessionState {
  id: string
  started: number
  lastTs: number
  campaignKey: string | null
}

/**
 * Whether an event continues the visitor's latest session (the one that started at or
 * before it) or starts a new one: after 30 minutes without events, or when a different
 * campaign arrives. Events that arrive late but fall inside the session stay in it.
 *
 * @example
 * continuesSession({ id: 's1', started: 0, lastTs: 60_000, campaignKey: null }, 120_000, null) // true
 */
export function continuesSession(prev: SessionState | null, ts: number, campaignKey: string | null): boolean {
  if (!prev) return false
  if (ts - prev.lastTs > SESSION_IDLE_MS) return false
  if (campaignKey && campaignKey !== prev.campaignKey) return false
  return true
}
