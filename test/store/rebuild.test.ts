import { afterEach, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import { event } from './contract.ts'

const run = promisify(execFile)
const root = join(import.meta.dirname, '../..')
const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

const T0 = Date.parse('2026-11-20T12:00:00Z')
const MIN = 60_000

/** A store whose events were classified by older rules: a Google Ads visit stored as Other. */
async function storeWithStaleChannels(): Promise<{ dir: string; store: SqliteStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'funnelbeam-rebuild-'))
  dirs.push(dir)
  const store = new SqliteStore(join(dir, 'funnelbeam.db'))
  const google = { ...event().touch, source: 'google', medium: 'cpc', campaign: 'brand' }
  await store.insertEvents('shop', [
    event({ id: 'a1', ts: T0, touch: google, channel: 'Other', path: '/pricing' }),
    event({ id: 'a2', ts: T0 + 5 * MIN, type: 'conversion', name: 'purchase', value: 10, currency: 'EUR', props: { plan: 'pro' } }),
    event({ id: 'b1', ts: T0 + 90 * MIN }),
    event({ id: 'c1', ts: T0, visitor: 'v2' }),
    event({ id: 'n1', ts: T0, visitor: null }),
  ])
  await new Deriver(store, { log: () => {} }).settle()
  return { dir, store }
}

const snapshot = (store: SqliteStore) => ({
  sessions: store.db.prepare('SELECT id, visitor, started, last_ts, channel, landing_path, events, pageviews FROM sessions ORDER BY visitor, started').all(),
  events: store.db.prepare('SELECT id, type, name, ts, visitor, session_id, channel, value, props FROM events ORDER BY ts, id').all(),
})

describe('rebuilding derived data', () => {
  it('recomputes channels with the current rules and gives the same sessions and events otherwise', async () => {
    const { store } = await storeWithStaleChannels()
    const before = snapshot(store) as { sessions: { channel: string }[]; events: { channel: string }[] }
    expect(before.sessions.map((s) => s.channel)).toEqual(['Other', 'Direct', 'Direct'])
    const { rebuildDerived } = await import('../../collector/src/derive/rebuild.ts')
    expect(await rebuildDerived(store)).toBe(5)
    const after = snapshot(store) as typeof before
    expect(after.sessions.map((s) => s.channel)).toEqual(['Paid Search', 'Direct', 'Direct'])
    const fix = <T extends { channel: string }>(rows: T[]) => rows.map((r) => ({ ...r, channel: r.channel === 'Other' ? 'Paid Search' : r.channel }))
    expect(after.sessions).toEqual(fix(before.sessions))
    expect(after.events).toEqual(fix(before.events))
    expect(store.db.prepare('SELECT count(*) FROM inbox').pluck().get()).toBe(0)
    await store.close()
  })

  it('runs as `npm run rebuild` (funnelbeam rebuild) on the data directory', { timeout: 60_000 }, async () => {
    const { dir, store } = await storeWithStaleChannels()
    await store.close()
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'collector/src/cli/main.ts', 'rebuild'], { cwd: root, env: { ...process.env, DATA_DIR: dir } })
    expect(stdout).toMatch(/Rebuilt sessions and channels of 5 events/)
    const reopened = new SqliteStore(join(dir, 'funnelbeam.db'))
    expect(reopened.db.prepare(`SELECT channel FROM sessions WHERE visitor = 'v1' ORDER BY started`).pluck().all()).toEqual(['Paid Search', 'Direct'])
    await reopened.close()
  })
})
