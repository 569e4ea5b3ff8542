import type { WireProps } from '../wire.js'

interface Hooks {
  track(name: string, props?: WireProps): unknown
  convert(name: string): unknown
  flush(): unknown
  fill(root: ParentNode): void
}

const FILE = /\.(pdf|docx?|xlsx?|pptx?|csv|txt|zip|rar|7z|gz|dmg|exe|msi|apk|iso|mp[34])$/i

/**
 * Tracks tagged clicks (`data-fb-event` + `data-fb-prop-*`), outbound links (`outbound`)
 * and file downloads (`download`), both with the link as `props.url`, and converts `data-fb-convert` forms on submit (after filling their
 * `data-fb-attribution` inputs). Listens in the capture phase so a host's
 * stopPropagation cannot hide a click, and never calls preventDefault: the batch leaves at
 * once with a keepalive request, so navigation needs no delay.
 */
export function autocapture(h: Hooks): void {
  const onClick = (e: MouseEvent) => {
    // The nearest tagged element or link wins: tag the link itself to name its click.
    // (The target may be the document or a text node, which have no closest().)
    const el = (e.target as Element).closest?.('[data-fb-event],a[href]') as HTMLAnchorElement | null
    if (!el) return
    let name = el.getAttribute('data-fb-event')
    let p: WireProps = { url: el.href }
    if (name) {
      p = {}
      for (const at of el.attributes) if (!at.name.indexOf('data-fb-prop-')) p[at.name.slice(13)] = at.value
    } else {
      // mailto:, tel: and javascript: links have no host.
      name = FILE.test(el.pathname) || el.hasAttribute('download') ? 'download' : el.host && el.host != location.host ? 'outbound' : ''
    }
    if (name) h.track(name, p), h.flush()
  }
  const onSubmit = (e: Event) => {
    const f = e.target as HTMLFormElement
    const name = f.getAttribute?.('data-fb-convert')
    h.fill(f)
    if (name) h.convert(name), h.flush()
  }
  // (Middle clicks, which fire auxclick, are not counted: the size budget wins.)
  addEventListener('click', onClick, true)
  addEventListener('submit', onSubmit, true)
}
