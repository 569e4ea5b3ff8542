/**
 * Which stored rows belong to a data subject. For a visitor id: that visitor's events and
 * sessions. For a user id (a login the site sends), GDPR speaks of the data of the person:
 * every event carrying the user id, and everything of each visitor id (browser) seen with
 * it, since those events describe the same person before and after signing in. A visitor
 * id seen with two user ids (a shared computer) is therefore erased with either.
 */
import type { EnrichedEvent } from '../model.ts'
import type { Subject } from '../store/trust-types.ts'

/**
 * A predicate for a subject's events, given the visitor ids found for it.
 *
 * @example
 * const mine = subjectEvents({ kind: 'user', id: 'u1' }, new Set(['v1']))
 * mine({ visitor: 'v1', userId: null }) // true
 */
export function subjectEvents(subject: Subject, visitors: ReadonlySet<string>): (e: Pick<EnrichedEvent, 'visitor' | 'userId'>) => boolean {
  return (e) => (e.visitor != null && visitors.has(e.visitor)) || (subject.kind === 'user' && e.userId === subject.id)
}

/**
 * The visitor ids a subject covers: its own for a visitor; for a user id, those of the
 * stored events with it plus those of pending events with it.
 *
 * @example
 * subjectVisitors({ kind: 'visitor', id: 'v1' }, [], []) // Set { 'v1' }
 */
export function subjectVisitors(subject: Subject, storedWithUser: string[], pending: Pick<EnrichedEvent, 'visitor' | 'userId'>[]): Set<string> {
  if (subject.kind === 'visitor') return new Set([subject.id])
  const out = new Set(storedWithUser)
  for (const e of pending) if (e.userId === subject.id && e.visitor) out.add(e.visitor)
  return out
}

/**
 * The strings a quarantined payload must contain (as a whole JSON string) to name the
 * subject: a rejected event was never parsed into fields, so its raw text is searched
 * for the ids as quoted JSON strings (user id "42" does not match "420").
 *
 * @example
 * quarantineNeedles({ kind: 'user', id: '42' }, new Set(['v1'])) // ['"42"', '"v1"']
 */
export function quarantineNeedles(subject: Subject, visitors: ReadonlySet<string>): string[] {
  const ids = new Set([subject.id, ...visitors])
  return [...ids].map((id) => JSON.stringify(id))
}

/**
 * Splits an inbox row's events into those that stay and the subject's.
 *
 * @example
 * const { keep, gone } = splitPending(events, mine)
 */
export function splitPending(events: EnrichedEvent[], mine: (e: EnrichedEvent) => boolean): { keep: EnrichedEvent[]; gone: EnrichedEvent[] } {
  const keep: EnrichedEvent[] = []
  const gone: EnrichedEvent[] = []
  for (const e of events) (mine(e) ? gone : keep).push(e)
  return { keep, gone }
}
