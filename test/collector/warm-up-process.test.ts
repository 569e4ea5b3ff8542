/**
 * The real server entry warms its report workers on start where a site has data
 * (`report-runner/warm-up.ts`), and FUNNELBEAM_REPORT_WARM_UP=0 turns that off.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'
import { readEnvConfig } from '../../collector/src/config.ts'
import { serverProcesses } from '../helpers/server-process.ts'

const servers = serverProcesses()
afterEach(() => servers.stopAll())

async function waitFor(output: () => string, text: string, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (output().includes(text)) return true
  return false
}

describe('report warm-up', () => {
  it('is on unless FUNNELBEAM_REPORT_WARM_UP says 0', () => {
    expect(readEnvConfig({}).reportWarmUp).toBe(true)
    expect(readEnvConfig({ FUNNELBEAM_REPORT_WARM_UP: '0' }).reportWarmUp).toBe(false)
    expect(readEnvConfig({ FUNNELBEAM_REPORT_WARM_UP: '1' }).reportWarmUp).toBe(true)
  })

  it('logs the sites it warmed once a restarted server has data, and warms nothing on an empty one', { timeout: 90_000 }, async () => {
    const first = await servers.start({ env: { FUNNELBEAM_ALLOW_BOTS: '1' } })
    const now = Date.now() - 3_600_000
    const events = Array.from({ length: 20 }, (_, k) => ({ i: uuidv7(now + k), y: 'p', n: 'pageview', t: now + k * 1000, u: `http://localhost:3000/p${k % 4}`, c: 3, v: `visitor-${k % 5}` }))
    const res = await fetch(`${first.url}/collect`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://localhost:3000' }, body: JSON.stringify({ s: 'demo', t: Date.now(), e: events }) })
    expect(res.status).toBe(200)
    // The demo site had no event when this server started: nothing to warm.
    expect(first.output()).not.toContain('report workers warmed')
    const stopped = new Promise((r) => first.child.once('exit', r))
    first.child.kill('SIGTERM')
    await stopped
    const again = await servers.start({ existing: first.dir, env: { FUNNELBEAM_ALLOW_BOTS: '1' } })
    expect(await waitFor(again.output, '"msg":"report workers warmed"', 60_000), again.output()).toBe(true)
    expect(again.output()).toMatch(/"msg":"report workers warmed","sites":"demo","ms":\d+/)
  })
})
