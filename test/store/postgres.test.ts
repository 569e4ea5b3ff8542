import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { event, storeContract } from './contract.ts'
import type { PostgresStore } from '../../collector/src/store/postgres.ts'
import { openTestPostgres, probePostgres } from '../helpers/postgres.ts'

const noPostgres = await probePostgres()
if (noPostgres) console.warn(`Skipping the PostgreSQL store contract: ${noPostgres}`)

describe.skipIf(noPostgres !== null)('PostgreSQL store', () => {
  storeContract('PostgreSQL', {
    async open() {
      const { store, drop } = await openTestPostgres()
      return {
        store,
        async sessions(site) {
          return (await store.pool.query('SELECT id, pageviews, channel FROM sessions WHERE site = $1 ORDER BY started', [site])).rows
        },
        async eventSessions(site) {
          return (await store.pool.query<{ session_id: string | null }>('SELECT session_id FROM events WHERE site = $1 ORDER BY seq', [site]))
            .rows.map((r) => r.session_id)
        },
        cleanup: drop,
      }
    },
  })
})

describe.skipIf(noPostgres !== null)('PostgreSQL store: text PostgreSQL cannot hold', () => {
  let store: PostgresStore
  let drop: () => Promise<void>
  beforeEach(async () => { ({ store, drop } = await openTestPostgres()) })
  afterEach(async () => { await drop() })

  it('stores NUL and lone surrogates cleaned, without failing the requests sharing its transaction', async () => {
    const odd = event({ name: 'cta\u0000click', type: 'event', props: { label: 'x\ud800y', 'k\u0000': 1 } })
    const plain = event({ visitor: 'v2' })
    expect(await Promise.all([store.insertEvents('shop', [odd]), store.insertEvents('shop', [plain])])).toEqual([['accepted'], ['accepted']])
    expect(store.commits).toBe(1)
    const row = (await store.pool.query('SELECT name, props FROM events WHERE id = $1', [odd.id])).rows[0]
    expect(row).toEqual({ name: 'ctaclick', props: { label: 'x\ufffdy', k: 1 } })
    await store.quarantine([{ site: 'shop', received: 0, origin: 'browser', reason: 'invalid_json', message: 'm', payload: '{"a":"\u0000"}' }])
    expect(await store.reports.quarantineCounts('shop', 0)).toEqual({ invalid_json: 1 })
  })
})
