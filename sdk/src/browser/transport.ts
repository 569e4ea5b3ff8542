/**
 * POSTs one batch and resolves to `[status, Retry-After]`; status 0 means the network failed.
 * `text/plain` is a CORS-safelisted type, so the browser sends no preflight; `keepalive`
 * lets the request outlive the page (a link click or tab close never loses it).
 * When fetch fails (network error, keepalive quota used up), sendBeacon gets a copy, which
 * the browser may still deliver in the background; the batch still counts as failed and is
 * retried, and the collector deduplicates whatever arrives twice.
 */
export function post(url: string, body: string): Promise<[number, string | null]> {
  // A string body gets `text/plain;charset=UTF-8` from the browser itself.
  return fetch(url, { method: 'POST', body, keepalive: true }).then(
    (r): [number, string | null] => [r.status, r.headers.get('retry-after')],
    () => (navigator.sendBeacon?.(url, body), [0, null]),
  )
}
