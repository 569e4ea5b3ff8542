import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { threadDeriver } from '../../collector/src/derive/background.ts'
import { event } from './contract.ts'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

describe('derivation on its own thread', () => {
  it('derives what the ingest thread appended, while that thread keeps appending', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'funnelbeam-thread-'))
    dirs.push(dir)
    const file = join(dir, 'funnelbeam.db')
    const store = new SqliteStore(file)
    const derivation = threadDeriver(store, file, () => {})
    const T0 = Date.parse('2026-11-20T12:00:00Z')
    for (let b = 0; b < 50; b++) {
      const outcomes = await store.insertEvents('shop', Array.from({ length: 40 }, (_, i) => event({ id: `e-${b}-${i}`, ts: T0 + b * 1000 + i, visitor: `v${i % 7}` })))
      expect(outcomes.every((o) => o === 'accepted')).toBe(true)
      derivation.poke()
    }
    await derivation.settle(20_000)
    expect(store.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2000)
    expect(store.db.prepare('SELECT count(*) FROM inbox').pluck().get()).toBe(0)
    // Seven visitors, each active for under a minute: one session each.
    expect(store.db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(7)
    expect(await store.derivationBacklog()).toMatchObject({ events: 0, oldestSeq: null })
    await derivation.close()
    await store.close()
  })
})
