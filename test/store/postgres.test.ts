import { describe } from 'vitest'
import { storeContract } from './contract.ts'
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
