/**
 * A local stand-in for the three ad platform APIs the outbox sends to, checking each
 * request against the documented contract (Meta Conversions API, Google Data Manager
 * `events:ingest`, Yandex Metrica offline conversions upload) and recording what arrived.
 * A request that breaks the contract gets the 400 the platform would answer, and the
 * problem is kept in `violations` so a test can fail on it.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  /** Meta event_ids, in arrival order. */
  meta: string[]
  /** Google transactionIds. */
  google: string[]
  /** Yandex rows as `yclid,target`. */
  yandex: string[]
}

export interface StandIn {
  urls: { meta: string; googleDataManager: string; yandexMetrica: string }
  received: Received
  violations: string[]
  /** The next request to that platform answers this status instead. */
  failNext(platform: keyof Received, status: number): void
  close(): Promise<void>
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6}|\.\d{9})?(Z|[+-]\d{2}:\d{2})$/

/**
 * Starts the stand-in on 127.0.0.1 and a free port.
 *
 * @example
 * const api = await startAdPlatforms({ meta: 'meta-token', google: 'google-token', yandex: 'yandex-token' }, () => clock.now())
 * config.adPlatforms = api.urls
 */
export async function startAdPlatforms(tokens: { meta: string; google: string; yandex: string }, now: () => number): Promise<StandIn> {
  const received: Received = { meta: [], google: [], yandex: [] }
  const violations: string[] = []
  const failures: Partial<Record<keyof Received, number>> = {}

  function check(ok: boolean, problem: string, problems: string[]) {
    if (!ok) problems.push(problem)
  }

  async function handle(req: IncomingMessage, body: Buffer): Promise<[number, unknown]> {
    const url = new URL(req.url ?? '/', 'http://x')
    const problems: string[] = []
    let platform: keyof Received
    let accept: () => unknown
    let m: RegExpExecArray | null
    if ((m = /^\/v\d+\.\d+\/(\d+)\/events$/.exec(url.pathname)) && req.method === 'POST') {
      platform = 'meta'
      const b = JSON.parse(body.toString('utf8'))
      check(b.access_token === tokens.meta, 'meta: wrong access_token', problems)
      check(Array.isArray(b.data) && b.data.length >= 1 && b.data.length <= 1000, 'meta: data must hold 1 to 1000 events', problems)
      for (const e of b.data ?? []) {
        check(typeof e.event_name === 'string' && e.event_name.length > 0, 'meta: event_name', problems)
        check(Number.isInteger(e.event_time) && e.event_time <= now() / 1000 + 60 && e.event_time >= now() / 1000 - 7 * 86400, 'meta: event_time must be Unix seconds within the last 7 days', problems)
        check(e.action_source === 'website', 'meta: action_source must be website', problems)
        check(typeof e.event_source_url === 'string', 'meta: website events need event_source_url', problems)
        check(typeof e.event_id === 'string', 'meta: event_id', problems)
        check(/^fb\.1\.\d{13}\.\S+$/.test(e.user_data?.fbc ?? ''), 'meta: user_data.fbc must be fb.1.<ms>.<fbclid>', problems)
        if (e.custom_data?.value !== undefined) check(typeof e.custom_data.value === 'number' && /^[A-Z]{3}$/.test(e.custom_data.currency), 'meta: value needs a currency', problems)
      }
      accept = () => { received.meta.push(...b.data.map((e: { event_id: string }) => e.event_id)); return { events_received: b.data.length, fbtrace_id: 'standin' } }
    } else if (url.pathname === '/v1/events:ingest' && req.method === 'POST') {
      platform = 'google'
      const b = JSON.parse(body.toString('utf8'))
      check(req.headers.authorization === `Bearer ${tokens.google}`, 'google: wrong bearer token', problems)
      const dest = b.destinations?.[0]
      check(dest?.operatingAccount?.accountType === 'GOOGLE_ADS' && /^\d{10}$/.test(dest?.operatingAccount?.accountId ?? ''), 'google: operatingAccount', problems)
      check(/^\d+$/.test(dest?.productDestinationId ?? ''), 'google: productDestinationId', problems)
      check(Array.isArray(b.events) && b.events.length >= 1 && b.events.length <= 2000, 'google: 1 to 2000 events', problems)
      for (const e of b.events ?? []) {
        check(typeof e.transactionId === 'string' && RFC3339.test(e.eventTimestamp ?? ''), 'google: transactionId and RFC 3339 eventTimestamp', problems)
        const ids = Object.keys(e.adIdentifiers ?? {})
        check(ids.length === 1 && ['gclid', 'gbraid', 'wbraid'].includes(ids[0]), 'google: exactly one of gclid, gbraid, wbraid', problems)
        if (e.conversionValue !== undefined) check(typeof e.conversionValue === 'number' && /^[A-Z]{3}$/.test(e.currency), 'google: conversionValue needs a currency', problems)
      }
      accept = () => { received.google.push(...b.events.map((e: { transactionId: string }) => e.transactionId)); return { requestId: 'standin' } }
    } else if ((m = /^\/management\/v1\/counter\/(\d+)\/offline_conversions\/upload$/.exec(url.pathname)) && req.method === 'POST') {
      platform = 'yandex'
      check(req.headers.authorization === `OAuth ${tokens.yandex}`, 'yandex: wrong OAuth token', problems)
      check(url.searchParams.get('client_id_type') === 'YCLID', 'yandex: client_id_type=YCLID', problems)
      const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: body as unknown as BodyInit }).formData()
      const file = form.get('file')
      const lines = file instanceof Blob ? (await file.text()).trim().split(/\r?\n/) : []
      check(lines[0] === 'Yclid,Target,DateTime,Price,Currency', 'yandex: header must be Yclid,Target,DateTime,Price,Currency', problems)
      const rows = lines.slice(1).map((l) => l.split(','))
      for (const r of rows) check(r.length === 5 && /^\d+$/.test(r[0]) && /^\d{10}$/.test(r[2]), 'yandex: rows of yclid, target, Unix seconds, price, currency', problems)
      accept = () => {
        received.yandex.push(...rows.map((r) => `${r[0]},${r[1]}`))
        return { uploading: { id: 1, source_quantity: rows.length, line_quantity: rows.length, client_id_type: 'YCLID', status: 'UPLOADED' } }
      }
    } else return [404, { error: 'no such endpoint' }]
    const fail = failures[platform]
    if (fail) {
      delete failures[platform]
      return [fail, { error: { message: 'stand-in failure' } }]
    }
    if (problems.length) {
      violations.push(...problems)
      return [400, { error: { message: problems.join('; ') } }]
    }
    return [200, accept()]
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      handle(req, Buffer.concat(chunks)).then(([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      }, (err: Error) => {
        violations.push(`unreadable request: ${err.message}`)
        res.writeHead(400).end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    urls: { meta: base, googleDataManager: base, yandexMetrica: base },
    received, violations,
    failNext(platform, status) { failures[platform] = status },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
