/**
 * Slow clients are cut off by Node's HTTP server itself: a request whose headers, or whose
 * whole body, take too long to arrive is answered 408 and its socket closed, and a socket
 * that goes quiet is destroyed. Without them one client trickling a byte a minute holds a
 * connection (and the body reader's buffer) for ever.
 */
import type { Server } from 'node:http'

export interface ClientTimeouts {
  /** Time allowed for the request line and headers. */
  headersMs: number
  /** Time allowed for the whole request, headers and body. */
  requestMs: number
  /** A socket with no traffic for this long is destroyed (also between keep-alive requests). */
  idleMs: number
}

/**
 * A whole request may take a minute: the largest body (a 4 MiB spend file from the
 * dashboard) still arrives over a 0.6 Mbit/s link. Idle is longer than the slowest cold
 * report, during which the socket is quiet while the answer is computed.
 */
export const DEFAULT_TIMEOUTS: ClientTimeouts = { headersMs: 10_000, requestMs: 60_000, idleMs: 120_000 }

/**
 * The `http.createServer` options for these timeouts. Node checks them on a timer
 * (`connectionsCheckingInterval`, 30 s by default), so it runs at a tenth of the shortest.
 *
 * @example
 * serve({ fetch: app.fetch, port, serverOptions: timeoutOptions(DEFAULT_TIMEOUTS) })
 */
export function timeoutOptions(t: ClientTimeouts): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(t.headersMs, t.requestMs) / 10))),
  }
}

/**
 * Sets the idle timeout on a started server (no listener: Node destroys the socket).
 *
 * @example
 * idleTimeout(server, DEFAULT_TIMEOUTS)
 */
export function idleTimeout(server: Pick<Server, 'setTimeout'>, t: ClientTimeouts): void {
  server.setTimeout(t.idleMs)
}
