/**
 * The script-tag build: reads the `data-*` attributes of its own `<script>`, starts the
 * tracker, replaces the stub `window.funnelbeam` and replays the calls the stub queued.
 */
import { createTracker, type Api } from './browser/tracker.js'

type Stub = ((...a: unknown[]) => unknown) & { q?: Iterable<unknown>[] } & Partial<Api>

const w = window as unknown as { funnelbeam?: Stub }
const s = document.currentScript as HTMLScriptElement | null
const attr = (k: string) => s?.getAttribute('data-' + k)
const queued = w.funnelbeam?.q || []
let api: Api | undefined
try {
  api = createTracker({
    site: attr('site')!,
    endpoint: attr('endpoint') || new URL(s!.src).origin,
    consent: attr('consent') as 'opt-in',
    // Attributes that default to on are turned off by "false".
    spa: attr('spa') != 'false',
    autocapture: attr('autocapture') != 'false',
    respectDnt: attr('respect-dnt') != null,
    debug: attr('debug') != null,
  })
} catch { /* never into the host page */ }

const fb: Stub = (cmd: unknown, ...args: unknown[]) => (api?.[cmd as keyof Api] as ((...a: unknown[]) => unknown) | undefined)?.(...args)
Object.assign(fb, api)
w.funnelbeam = fb
// Each queued call runs on its own, so one bad call cannot stop the rest.
for (const c of queued) {
  try {
    fb(...c)
  } catch { /* never into the host page */ }
}
