import type { MiddlewareHandler } from 'hono'

/**
 * CORS for `/collect`: any origin may read the answer (the route's own allowlist refuses
 * other sites with a 403, which the SDK must be able to read, like a 429's Retry-After).
 * The headers are set on the finished response in place: setting them before the handler
 * ran made Hono rebuild every response to merge them, a visible share of a single-event
 * request.
 *
 * @example
 * app.use('/collect', collectCors())
 */
export function collectCors(): MiddlewareHandler {
  return async function cors(c, next) {
    const origin = c.req.header('origin')
    if (c.req.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin ?? '*', 'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type', 'access-control-max-age': '86400', vary: 'Origin',
        },
      })
    }
    await next()
    if (!origin) return
    const h = c.res.headers
    h.set('access-control-allow-origin', origin)
    h.set('access-control-expose-headers', 'Retry-After')
    h.append('vary', 'Origin')
  }
}
