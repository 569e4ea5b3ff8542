/** `funnelbeam rebuild` (also `npm run rebuild`): re-derives sessions and channels from the stored events. */
import { rebuildDerived } from '../../derive/rebuild.ts'
import type { Command } from '../command.ts'
import { withStore } from '../context.ts'

export const rebuildCommand: Command = {
  path: ['rebuild'],
  summary: 'Re-derives sessions and channels from the stored events. Uses the channel rules of this version.',
  args: [],
  options: {},
  details: 'Stop the collector first (same DATA_DIR / DATABASE_URL). Works in one-transaction chunks; if interrupted, run it again.',
  async run(inv) {
    const started = Date.now()
    let phase = ''
    const n = await withStore(inv, ({ store }) => rebuildDerived(store, (p) => {
      if (p.phase !== phase) inv.progress.start((phase = p.phase), p.total)
      inv.progress.update(p.done)
    }))
    inv.progress.stop()
    const seconds = (Date.now() - started) / 1000
    inv.out.result(`Rebuilt sessions and channels of ${n.toLocaleString('en')} events in ${seconds.toFixed(1)} s.`, { events: n, seconds })
  },
}
