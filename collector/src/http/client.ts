import type { Context } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { ipCountryDb } from '../geo/ip-country.ts'

/**
 * The client's IP: the socket's address, or with TRUST_PROXY the first address of
 * X-Forwarded-For (the one the proxy saw). Never stored; only hashed and rate-limited.
 */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const fwd = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
    if (fwd) return fwd.slice(0, 64)
  }
  try {
    return getConnInfo(c).remote.address ?? null
  } catch {
    // app.request() in tests has no socket.
    return null
  }
}

/** The visitor's country when a trusted proxy or CDN tells it (see `requestCountry` for the rest). */
export function clientCountry(c: Context, trustProxy: boolean): string | null {
  if (!trustProxy) return null
  const v = c.req.header('cf-ipcountry') ?? c.req.header('x-country-code') ?? c.req.header('x-vercel-ip-country')
  return v && /^[A-Za-z]{2}$/.test(v) ? v.toUpperCase() : null
}

/**
 * The visitor's country: a trusted proxy's header, else the client IP looked up in the
 * shipped whois country database (`@ip-location-db/geo-whois-asn-country`). The IP is
 * only looked up, never kept. Null for private and unknown addresses.
 *
 * @example
 * const country = await requestCountry(c, config.trustProxy, clientIp(c, config.trustProxy))
 */
export async function requestCountry(c: Context, trustProxy: boolean, ip: string | null): Promise<string | null> {
  const told = clientCountry(c, trustProxy)
  if (told || !ip) return told
  return (await ipCountryDb()).country(ip)
}

/**
 * The origin a browser request came from: the Origin header, else the Referer's origin
 * (an `<img>` pixel sends no Origin). Null for non-browser clients.
 */
export function requestOrigin(c: Context): string | null {
  const o = c.req.header('origin')
  if (o && o !== 'null') return o
  const ref = c.req.header('referer')
  if (!ref) return null
  try {
    return new URL(ref).origin
  } catch {
    return null
  }
}

/**
 * Whether an origin is on a site's allowlist. An entry is an origin (`https://shop.example`),
 * a wildcard subdomain (`https://*.shop.example`), or an origin without a port, which
 * allows any port (`http://localhost` allows `http://localhost:5173`).
 *
 * @example
 * originAllowed('https://www.shop.example', ['https://*.shop.example']) // true
 */
export function originAllowed(origin: string, allowlist: string[]): boolean {
  let o: URL
  try {
    o = new URL(origin)
  } catch {
    return false
  }
  return allowlist.some((entry) => {
    if (entry === '*') return true
    const m = entry.match(/^(https?):\/\/(\*\.)?([^/:]+)(?::(\d+))?\/?$/i)
    if (!m) return false
    const [, scheme, wildcard, host, port] = m
    if (`${scheme.toLowerCase()}:` !== o.protocol) return false
    const h = o.hostname.toLowerCase()
    const hostOk = wildcard ? h.endsWith(`.${host.toLowerCase()}`) : h === host.toLowerCase()
    return hostOk && (!port || port === (o.port || (o.protocol === 'https:' ? '443' : '80')))
  })
}
