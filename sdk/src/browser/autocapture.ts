import type { WireProps } from '../wire'

interface Hooks {
  track(name: string, props?: WireProps): unknown
  convert(name: string): unknown
  flush(): unknown
  fill(root: ParentNode): void
}

const FILE = /\.(pdf|docx?|xlsx?|pptx?|csv|txt|zip|rar|7z|gz|dmg|exe|msi|apk|iso|mp[34])$/i

/**
 * Tracks tagged clicks (`data-fb-event` + `data-fb-prop-*`), outbound links and file
 * downloads, and converts `data-fb-convert` forms on submit (after filling their
 * `data-fb-attribution` inputs). Listens in the capture phase so a host's
 * stopPropagation cannot hide a click, and never calls preventDefault: the batch leaves at
 * once with a keepalive request, so navigation needs no delay.
 */
export function autocapture(h: Hooks): void {
  const onClick = (e: MouseEvent) => {
    // The nearest tagged element or link wins: tag the link itself to name its click.
    const el = (e.target as Element).closest('[data-fb-event],a[href]') as HTMLAnchorElement | null
    const name = el?.getAttribute('data-fb-event')
    if (e.button > 1 || !el) return
    if (name) {
      const p: WireProps = {}
      for (const at of el.attributes) if (!at.name.indexOf('data-fb-prop-')) p[at.name.slice(13)] = at.value
      h.track(name, p)
    } else {
      // mailto:, tel: and javascript: links have no host.
      const kind = FILE.test(el.pathname) || el.hasAttribute('download') ? 'file_download' : el.host && el.host != location.host ? 'outbound_click' : ''
      if (!kind) return
      h.track(kind, { url: el.href })
    }
    h.flush()
  }
  const onSubmit = (e: Event) => {
    const f = e.target as HTMLFormElement
    const name = f.getAttribute('data-fb-convert')
    h.fill(f)
    if (name) h.convert(name), h.flush()
  }
  // A middle click (auxclick, button 1) opens a link in a new tab: still a click to count.
  for (const type of ['click', 'auxclick'] as const) addEventListener(type, guard(onClick), true)
  addEventListener('submit', guard(onSubmit), true)
}

/** Listener errors must never reach the host page. */
const guard = <E>(f: (e: E) => void) => (e: E) => { try { f(e) } catch { /* never into the host page */ } }
