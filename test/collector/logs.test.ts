import { afterEach, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeTestApp } from '../helpers/app.ts'
import { createApp } from '../../collector/src/app.ts'
import { createLogger, parseLogLevel } from '../../collector/src/log.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'

const root = join(import.meta.dirname, '../..')

describe('log levels', () => {
  it('writes JSON lines at or above the level, and refuses a level it does not know', () => {
    const lines: string[] = []
    const log = createLogger({ level: 'warn', write: (l) => lines.push(l), now: () => Date.parse('2026-11-20T12:00:00Z') })
    log.info('hidden')
    log.warn('shown', { n: 1 })
    log.errors('failed', new Error('boom'))
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: '2026-11-20T12:00:00.000Z', level: 'warn', msg: 'shown', n: 1 },
      expect.objectContaining({ level: 'error', msg: 'failed', error: 'boom' }),
    ])
    expect([parseLogLevel(undefined), parseLogLevel('DEBUG')]).toEqual(['info', 'debug'])
    expect(() => parseLogLevel('verbose')).toThrow('FUNNELBEAM_LOG_LEVEL must be one of debug, info, warn, error')
  })
})

describe('request log', () => {
  it('logs method, route pattern, status, latency and site for each request, and nothing a client sent', async () => {
    const t = await makeTestApp()
    try {
      const lines: string[] = []
      const app = createApp({ store: t.store, config: t.config, log: () => {}, logger: createLogger({ write: (l) => lines.push(l) }) })
      const { secret } = await t.createSite('shop', { origins: ['https://shop.example'] })
      const now = Date.now()
      const ip = '203.0.113.77'
      await app.request('/collect?email=jane%40example.com', {
        method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://shop.example', 'x-forwarded-for': ip },
        body: JSON.stringify({ s: 'shop', t: now, e: [{ i: uuidv7(now), y: 'p', n: 'pageview', t: now, u: 'https://shop.example/?email=jane@example.com', c: 3, v: 'visitor-secret-id' }] }),
      })
      await app.request('/api/events', { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ type: 'event', name: 'x', userId: 'user-42' }] }) })
      await app.request('/api/sites/shop/summary', { headers: { authorization: `Bearer ${t.adminToken}` } })
      await app.request('/api/sites/shop/summary', { headers: { authorization: 'Bearer wrong-token' } })
      await app.request('/no/such/path')
      const logged = lines.map((l) => JSON.parse(l))
      expect(logged.map(({ msg, method, route, status, site }) => ({ msg, method, route, status, site }))).toEqual([
        { msg: 'request', method: 'POST', route: '/collect', status: 200, site: 'shop' },
        { msg: 'request', method: 'POST', route: '/api/events', status: 200, site: 'shop' },
        { msg: 'request', method: 'GET', route: '/api/sites/:site/summary', status: 200, site: 'shop' },
        { msg: 'request', method: 'GET', route: '/api/sites/:site/summary', status: 403, site: 'shop' },
        { msg: 'request', method: 'GET', route: '/*', status: 404, site: null },
      ])
      for (const l of logged) expect(l.ms).toBeGreaterThanOrEqual(0)
      const all = lines.join('')
      for (const secretish of [ip, 'jane', 'visitor-secret-id', 'user-42', t.adminToken, 'wrong-token', secret, 'email']) expect(all).not.toContain(secretish)
    } finally {
      await t.close()
    }
  })
})

describe('the server process logs', () => {
  const dirs: string[] = []
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('off a terminal: a JSON start line, one per request, and stop lines; FUNNELBEAM_LOG_LEVEL=warn keeps only warnings', { timeout: 60_000 }, async () => {
    const run = async (level: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'funnelbeam-logs-'))
      dirs.push(dir)
      const port = 20_000 + Math.floor(Math.random() * 20_000)
      const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/server.ts'], {
        cwd: root, env: { ...process.env, PORT: String(port), DATA_DIR: dir, FUNNELBEAM_LOG_LEVEL: level, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.push(child)
      let out = ''
      child.stdout!.on('data', (d) => { out += d })
      // Up when /healthz answers (with the level at warn nothing says so).
      for (let i = 0; i < 600 && child.exitCode === null; i++) {
        if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break
        await new Promise((r) => setTimeout(r, 50))
      }
      await fetch(`http://127.0.0.1:${port}/api/sites/demo`, { headers: { authorization: `Bearer ${readFileSync(join(dir, 'admin-token'), 'utf8').trim()}` } })
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      return out.split('\n').filter(Boolean).map((l) => JSON.parse(l))
    }
    const info = await run('info')
    expect(info.map((l) => [l.level, l.msg, l.route ?? null])).toEqual([
      ['info', 'listening', null], ['info', 'site created', null],
      ...info.filter((l) => l.route === '/healthz').map(() => ['info', 'request', '/healthz']), ['info', 'request', '/api/sites/:site'],
      ['info', 'stopping', null], ['info', 'stopped', null],
    ])
    expect(info[0]).toMatchObject({ url: expect.stringContaining('http://localhost:'), store: expect.stringContaining('SQLite') })
    expect(info[3]).toMatchObject({ status: 200, site: 'demo' })
    expect(await run('warn')).toEqual([])
  })
})
