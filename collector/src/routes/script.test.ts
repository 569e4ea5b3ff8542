import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, type Config } from '../config.ts'
import { errorHandler } from '../http/errors.ts'
import { SiteCache } from '../http/site-cache.ts'
import { scriptRoutes } from './script.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function setup(content?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fb-script-'))
  dirs.push(dir)
  if (content != null) writeFileSync(join(dir, 'funnelbeam.js'), content)
  const config: Config = { ...DEFAULT_CONFIG, adminToken: 't', sdkDir: dir }
  // No sites here: the per-site variant is tested with the whole app (test/privacy/consent-regions.test.ts).
  const app = scriptRoutes(config, new SiteCache(async () => null, Date.now))
  app.onError(errorHandler(() => {}))
  return { app, dir }
}

describe('GET /funnelbeam.js', () => {
  it('serves the built script as JavaScript with an ETag and an hour of caching', async () => {
    const { app } = setup('console.log(1)')
    const res = await app.request('/funnelbeam.js')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600')
    expect(res.headers.get('etag')).toMatch(/^"[\w-]{32}"$/)
    expect(await res.text()).toBe('console.log(1)')
  })

  it('answers 304 without a body when the browser already has this version', async () => {
    const { app } = setup('console.log(1)')
    const etag = (await app.request('/funnelbeam.js')).headers.get('etag')!
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await app.request('/funnelbeam.js', { headers: { 'if-none-match': inm } })
      expect(res.status).toBe(304)
      expect(await res.text()).toBe('')
      expect(res.headers.get('etag')).toBe(etag)
    }
    const stale = await app.request('/funnelbeam.js', { headers: { 'if-none-match': '"stale"' } })
    expect(stale.status).toBe(200)
  })

  it('gives different content a different ETag', async () => {
    const a = (await setup('a()').app.request('/funnelbeam.js')).headers.get('etag')
    const b = (await setup('b()').app.request('/funnelbeam.js')).headers.get('etag')
    expect(a).not.toBe(b)
  })

  it('reads the file once and keeps serving it from memory', async () => {
    const { app, dir } = setup('first()')
    await app.request('/funnelbeam.js')
    writeFileSync(join(dir, 'funnelbeam.js'), 'second()')
    expect(await (await app.request('/funnelbeam.js')).text()).toBe('first()')
  })

  it('answers a JSON 503 while the SDK is not built, and serves it once it is', async () => {
    const { app, dir } = setup()
    const res = await app.request('/funnelbeam.js')
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ error: { code: 'sdk_not_built' } })
    writeFileSync(join(dir, 'funnelbeam.js'), 'late()')
    expect(await (await app.request('/funnelbeam.js')).text()).toBe('late()')
  })
})
