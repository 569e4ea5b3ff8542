/**
 * After a 413 the rest of the body is not wanted: the answer says `Connection: close`, so
 * Node closes the socket once the answer is out instead of reading (and discarding) the
 * remaining gigabytes to keep the connection alive for another request.
 */
import type { MiddlewareHandler } from 'hono'

/**
 * Middleware closing the connection after a 413.
 *
 * @example
 * app.use('*', closeAfterTooLarge())
 */
export function closeAfterTooLarge(): MiddlewareHandler {
  return async function closeAfterTooLarge(c, next) {
    await next()
    if (c.res.status === 413) c.res.headers.set('connection', 'close')
  }
}
