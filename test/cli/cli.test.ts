import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { funnelbeam, root } from './run.ts'
import { seededDataDir, SEEDED } from './seed.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { hashMatches } from '../../collector/src/http/auth.ts'
import { parseCsv } from '../../collector/src/http/csv.ts'
import { COMMANDS } from '../../collector/src/cli/main.ts'
import { createApp } from '../../collector/src/app.ts'
import { DEFAULT_CONFIG } from '../../collector/src/config.ts'

// Every test runs `funnelbeam` as a process; each start of a TypeScript entry takes a
// second or two on a busy machine.
const T = { timeout: 60_000 }
const dirs: string[] = []
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'funnelbeam-cli-')); dirs.push(d); return d }
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

describe('funnelbeam: help and bad arguments', () => {
  it('lists every command in --help (exit 0); no command is exit 2', T, async () => {
    const help = await funnelbeam(['--help'])
    expect(help.code).toBe(0)
    for (const c of COMMANDS) expect(help.stdout).toContain(c.path.join(' '))
    const none = await funnelbeam([])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('Usage: funnelbeam <command>')
  })

  it('has --help on each command, naming its usage and options', T, async () => {
    for (const c of COMMANDS) {
      const r = await funnelbeam([...c.path, '--help'])
      expect(r.code, c.path.join(' ')).toBe(0)
      expect(r.stdout).toContain(`Usage: funnelbeam ${[...c.path, ...c.args].join(' ')}`)
      for (const o of Object.keys(c.options)) expect(r.stdout).toContain(`--${o}`)
    }
  })

  it('answers exit 2 naming the problem for an unknown command, an unknown option and a missing argument', T, async () => {
    const dir = tempDir()
    const unknown = await funnelbeam(['sites'], { DATA_DIR: dir })
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown command "sites"')])
    const option = await funnelbeam(['site', 'list', '--colour'], { DATA_DIR: dir })
    expect([option.code, option.stderr]).toEqual([2, expect.stringContaining("'--colour'")])
    const missing = await funnelbeam(['site', 'show'], { DATA_DIR: dir })
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('missing <id>')])
    const json = await funnelbeam(['export', 'shop', '--from', '2026-13-01', '--to', '2026-11-02', '--json'], { DATA_DIR: dir })
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stderr).error.message).toContain('--from must be a date')
    expect(json.stdout).toBe('')
  })
})

describe('funnelbeam start', () => {
  it('serves the collector on --port and stops cleanly on SIGTERM', T, async () => {
    const dir = tempDir()
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/cli/main.ts', 'start', '--port', String(port)], {
      cwd: root, env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    try {
      for (let i = 0; i < 600 && !out.includes('listening'); i++) await new Promise((r) => setTimeout(r, 50))
      expect(out).toContain(`localhost:${port}`)
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      expect(health.status).toBe(200)
      const exited = new Promise((r) => child.on('exit', r))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})

describe('funnelbeam site', () => {
  it('adds a site and prints its secret once, which then authorizes the site; lists and shows it without the secret', T, async () => {
    const env = { DATA_DIR: tempDir() }
    const add = await funnelbeam(['site', 'add', 'shop', '--origin', 'https://shop.example', '--origin', 'https://*.shop.example', '--currency', 'USD', '--timezone', 'America/New_York', '--json'], env)
    expect(add.code).toBe(0)
    const made = JSON.parse(add.stdout)
    expect(made.secret).toMatch(/^shop\./)
    const store = new SqliteStore(join(env.DATA_DIR, 'funnelbeam.db'))
    expect(hashMatches(made.secret, (await store.getSite('shop'))!.secretHash)).toBe(true)
    await store.close()

    const list = await funnelbeam(['site', 'list', '--json'], env)
    expect(JSON.parse(list.stdout)).toEqual([{ id: 'shop', origins: ['https://shop.example', 'https://*.shop.example'], currency: 'USD', timezone: 'America/New_York', created: expect.any(String), consentRegions: null }])
    const show = await funnelbeam(['site', 'show', 'shop'], env)
    expect(show.stdout).toContain('America/New_York')
    for (const out of [list.stdout, show.stdout]) expect(out).not.toContain(made.secret.split('.')[1])

    const again = await funnelbeam(['site', 'add', 'shop', '--origin', 'https://shop.example'], env)
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('already exists')])
    const bad = await funnelbeam(['site', 'add', 'Bad Id', '--currency', 'euro'], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/id: .*currency: an ISO 4217 code/)
    const none = await funnelbeam(['site', 'show', 'nope'], env)
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining('no site "nope"')])
  })
})

describe('funnelbeam token', () => {
  it('creates a report token that opens the site\'s reports, lists it by id and label, and revokes it', T, async () => {
    const env = { DATA_DIR: tempDir() }
    await funnelbeam(['site', 'add', 'shop', '--origin', 'https://shop.example'], env)
    const made = JSON.parse((await funnelbeam(['token', 'create', 'shop', '--label', 'CFO sheet', '--json'], env)).stdout)
    expect(made).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{16}$/), token: expect.any(String), site: 'shop', label: 'CFO sheet' })
    const summary = async () => {
      const store = new SqliteStore(join(env.DATA_DIR, 'funnelbeam.db'))
      const app = createApp({ store, config: { ...DEFAULT_CONFIG, dataDir: env.DATA_DIR, adminToken: 'admin-token-for-this-test' }, log: () => {} })
      try {
        return (await app.request('/api/sites/shop/summary', { headers: { authorization: `Bearer ${made.token}` } })).status
      } finally {
        await store.close()
      }
    }
    expect(await summary()).toBe(200)
    const list = await funnelbeam(['token', 'list', 'shop', '--json'], env)
    expect(JSON.parse(list.stdout)).toEqual([{ id: made.id, label: 'CFO sheet', created: made.created }])
    expect(list.stdout).not.toContain(made.token)
    expect((await funnelbeam(['token', 'revoke', 'shop', made.id], env)).code).toBe(0)
    expect(await summary()).not.toBe(200)
    const again = await funnelbeam(['token', 'revoke', 'shop', made.id], env)
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining(`no token ${made.id}`)])
    expect((await funnelbeam(['token', 'revoke', 'shop', 'nope'], env)).code).toBe(2)
  })
})

describe('funnelbeam on a data dir with history', () => {
  let dir: string
  beforeAll(async () => { dir = await seededDataDir() }, 60_000)

  it('exports NDJSON to stdout: every event in the range, in time order, including one acknowledged but not yet derived', T, async () => {
    const r = await funnelbeam(['export', 'shop', '--from', SEEDED.days[0], '--to', SEEDED.days[2]], { DATA_DIR: dir })
    expect(r.code).toBe(0)
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(events).toHaveLength(SEEDED.days.length * SEEDED.eventsPerDay + SEEDED.late)
    expect(events.map((e) => e.ts)).toEqual(events.map((e) => e.ts).sort())
    expect(events.at(-1)).toMatchObject({ visitor: 'late', path: '/late', sessionId: expect.any(String) })
    expect(events.find((e) => e.type === 'conversion')).toMatchObject({ value: 49.9, currency: 'EUR', channel: expect.any(String), bot: false })
    expect(events.find((e) => e.props)?.props).toEqual({ plan: 'pro, "annual"' })
  })

  it("exports CSV to a file for days of the site's time zone, with a JSON summary for scripts", T, async () => {
    const out = join(tempDir(), 'day.csv')
    const r = await funnelbeam(['export', 'shop', '--from', SEEDED.days[1], '--to', SEEDED.days[1], '--format', 'csv', '--out', out, '--json'], { DATA_DIR: dir })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ site: 'shop', from: SEEDED.days[1], to: SEEDED.days[1], format: 'csv', events: SEEDED.eventsPerDay, file: out })
    const table = parseCsv(readFileSync(out, 'utf8')) as string[][]
    expect(table[0].slice(0, 5)).toEqual(['id', 'type', 'name', 'ts', 'received'])
    expect(table).toHaveLength(1 + SEEDED.eventsPerDay)
    expect(table.slice(1).every((row) => row[3].startsWith(SEEDED.days[1]))).toBe(true)
    const props = table[0].indexOf('props')
    expect(table.slice(1).map((row) => row[props])).toContain('{"plan":"pro, \\"annual\\""}')
  })

  it('imports a platform export as downloaded, detecting its format; a bad row names its line and writes nothing', T, async () => {
    const work = tempDir()
    const r = await funnelbeam(['spend', 'import', 'shop', join(root, 'test/fixtures/spend/google-ads-en.csv'), '--source', 'Google', '--medium', 'cpc', '--json'], { DATA_DIR: dir })
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ site: 'shop', format: 'google-ads', upserted: expect.any(Number) })
    expect(out.upserted).toBeGreaterThan(0)
    const bad = join(work, 'bad.json')
    writeFileSync(bad, JSON.stringify([{ date: '2026-11-05', source: 'meta', medium: 'paid', campaign: 'x', cost: 1, impressions: 1, clicks: 1 }, { date: '2026-11-31', source: 'meta', medium: 'paid', campaign: 'x', cost: 1 }]))
    const r2 = await funnelbeam(['spend', 'import', 'shop', bad], { DATA_DIR: dir })
    expect([r2.code, r2.stderr]).toEqual([1, expect.stringContaining('row 2, column date: not a calendar date')])
    const db = new Database(join(dir, 'funnelbeam.db'), { readonly: true })
    const sources = db.prepare("SELECT DISTINCT source, medium FROM spend WHERE site = 'shop' ORDER BY source").all()
    db.close()
    expect(sources).toEqual([{ source: 'google', medium: 'cpc' }])
    const unknown = await funnelbeam(['spend', 'import', 'shop', bad, '--format', 'xls'], { DATA_DIR: dir })
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown --format xls (known: canonical, google-ads, meta, yandex)')])
  })

  it('rebuilds derived data and reports how many events', T, async () => {
    const r = await funnelbeam(['rebuild', '--json'], { DATA_DIR: dir })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).events).toBe(SEEDED.days.length * SEEDED.eventsPerDay + SEEDED.late)
  })
})
