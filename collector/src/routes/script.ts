import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Hono } from 'hono'
import type { Config } from '../config.ts'
import { apiError } from '../http/errors.ts'

interface Script {
  body: Uint8Array
  etag: string
}

/**
 * `GET /funnelbeam.js`: the script-tag build of the SDK, read once from `config.sdkDir`
 * and kept in memory, with a strong ETag (a hash of the bytes).
 *
 * Browsers may reuse it for an hour without asking (every page of a site loads it, so
 * this saves a request per page view); after that a conditional request answers 304
 * until the file changes. An hour bounds how long an SDK update takes to reach visitors.
 *
 * @example
 * app.route('/', scriptRoutes(config))
 */
export function scriptRoutes(config: Config): Hono {
  let cached: Promise<Script> | undefined
  const load = (): Promise<Script> =>
    (cached ??= readFile(join(config.sdkDir, 'funnelbeam.js')).then(
      (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` }),
      (err) => {
        // Not built yet: answer 503 now, and look again on the next request.
        cached = undefined
        throw apiError(503, 'sdk_not_built', `The SDK build is missing (${(err as Error).message}); run npm run build`)
      },
    ))

  const app = new Hono()
  app.get('/funnelbeam.js', async function script(c) {
    const { body, etag } = await load()
    const headers = {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
      etag,
      // Sites that isolate themselves (COEP) may still embed the script from our origin.
      'cross-origin-resource-policy': 'cross-origin',
    }
    const ifNoneMatch = c.req.header('if-none-match')
    if (ifNoneMatch && (ifNoneMatch.trim() == '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') == etag))) {
      return c.body(null, 304, headers)
    }
    return c.body(body as Uint8Array<ArrayBuffer>, 200, headers)
  })
  return app
}
