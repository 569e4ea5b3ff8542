/**
 * Rebuilds all derived data from the stored events: after a change to the channel rules
 * or to what derivation writes, one command makes the past match the present.
 */
import type { EnrichedEvent } from '../model.ts'
import type { DerivationStore } from '../store/types.ts'
import { channelOf } from '../ingest/channel.ts'
import { Deriver } from './deriver.ts'

/** An event re-enriched with today's rules from what was stored (the channel from its touch). */
export function reenrich(e: EnrichedEvent): EnrichedEvent {
  return { ...e, channel: channelOf(e.touch) }
}

export interface RebuildProgress {
  phase: 'requeue' | 'derive'
  done: number
  total: number
}

/**
 * Moves every event back to the inbox with its channel recomputed, then derives until
 * nothing is pending. Stop the collectors writing to the store first.
 *
 * @example
 * const n = await rebuildDerived(store, (p) => console.log(p.phase, p.done, p.total))
 */
export async function rebuildDerived(store: DerivationStore, onProgress: (p: RebuildProgress) => void = () => {}): Promise<number> {
  const total = await store.requeueAll(reenrich, (done, all) => onProgress({ phase: 'requeue', done, total: all }))
  const deriver = new Deriver(store, { chunkEvents: 5000 })
  let done = 0
  for (;;) {
    const n = await deriver.step()
    if (n === 0) {
      if ((await store.derivationBacklog()).events === 0) break
      // Another process holds the derivation lock (PostgreSQL): wait for it.
      await new Promise((r) => setTimeout(r, 100))
      continue
    }
    done += n
    onProgress({ phase: 'derive', done, total })
  }
  return total
}
