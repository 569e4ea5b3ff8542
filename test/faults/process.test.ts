import { afterEach, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'
import { decodeGroup } from '../../collector/src/store/inbox-codec.ts'
import { serverProcesses } from '../helpers/server-process.ts'

// These tests run the real server entry as a child process, as `npm start` does.
const servers = serverProcesses()
afterEach(() => servers.stopAll())
const startServer = (existing?: string) => servers.start({ existing })

function batch(n: number) {
  const now = Date.now()
  return { s: 'demo', t: now, e: Array.from({ length: n }, () => ({ i: uuidv7(now), y: 'e', n: 'load', t: now, u: 'http://localhost/', c: 0 })) }
}

// A request cut off by the shutdown may never settle on the client side; the timeout makes
// it count as unacknowledged instead of hanging the test.
const post = (url: string, body: unknown) => fetch(`${url}/collect`, {
  method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://localhost:3000' }, body: JSON.stringify(body),
  signal: AbortSignal.timeout(15_000),
})

/** Ids in `events` (derived), and those acknowledged but still waiting in the inbox. */
const storedIds = (dir: string) => {
  const db = new Database(join(dir, 'funnelbeam.db'), { readonly: true })
  try {
    const derived = new Set((db.prepare('SELECT id FROM events').all() as { id: string }[]).map((r) => r.id))
    const pending = new Set((db.prepare('SELECT events FROM inbox').all() as { events: string }[])
      .flatMap((r) => decodeGroup(r.events).map((e) => e.id)))
    return { derived, pending, all: new Set([...derived, ...pending]) }
  } finally {
    db.close()
  }
}

describe('the server process', () => {
  // Starting a TypeScript entry under a busy test run can take many seconds on two cores.
  it('logs its URL and where the admin token is on first start, creates the demo site, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const { child, url, dir, output } = await startServer()
    expect(output()).toContain(url.replace('127.0.0.1', 'localhost'))
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim()
    // Off a terminal the start is a JSON log line: it names the token's file, never the token.
    expect(output()).toContain(join(dir, 'admin-token'))
    expect(output()).not.toContain(token)
    // In-flight requests when SIGTERM arrives still commit and get their answer.
    const batches = Array.from({ length: 20 }, () => batch(10))
    // Settled from the start: a request refused at connect after the close must not count as an unhandled rejection.
    const settled = Promise.allSettled(batches.map((b) => post(url, b).then((r) => r.json())))
    await new Promise((r) => setTimeout(r, 5))
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const code = await exited
    const results = await settled
    if (code !== 0) console.error(output())
    expect(code).toBe(0)
    const ids = storedIds(dir).all
    results.forEach((r, i) => {
      if (r.status === 'fulfilled' && r.value.accepted) for (const e of batches[i].e) expect(ids.has(e.i)).toBe(true)
    })
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0)
  })

  it('loses no acknowledged event when killed with SIGKILL under load', { timeout: 60_000 }, async () => {
    const { child, pid, url, dir } = await startServer()
    const acked: string[] = []
    let stop = false
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const b = batch(20)
        try {
          const res = await post(url, b)
          if (res.status === 200 && (await res.json()).accepted === 20) acked.push(...b.e.map((e) => e.i))
        } catch {
          return // the process is gone
        }
      }
    })
    await new Promise((r) => setTimeout(r, 700))
    // The process that serves (the one started may only wait for it: huge-pages.ts), which
    // the process started then follows out.
    const exited = new Promise((r) => child.once('exit', r))
    process.kill(pid, 'SIGKILL')
    stop = true
    await Promise.all(workers)
    await exited
    expect(acked.length).toBeGreaterThan(100)
    // Durable at the kill: every acknowledged event is derived or waiting in the inbox.
    const atKill = storedIds(dir)
    expect(acked.filter((id) => !atKill.all.has(id))).toEqual([])
    // After a restart, derivation finishes what the killed process had not derived.
    const again = await startServer(dir)
    for (let i = 0; i < 300; i++) {
      const h = await (await fetch(`${again.url}/healthz`)).json() as { derivation: { pendingEvents: number } }
      if (h.derivation.pendingEvents === 0) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const after = storedIds(dir)
    expect(after.pending.size).toBe(0)
    expect(acked.filter((id) => !after.derived.has(id))).toEqual([])
    again.child.kill('SIGTERM')
  })
})
