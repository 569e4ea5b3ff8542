import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '../..')

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface ServerProcess {
  /** The process started; where huge pages pay it only waits for the server it started (`huge-pages.ts`). */
  child: ChildProcess
  /** The process that serves, as its start line names it. */
  pid: number
  url: string
  dir: string
  output: () => string
}

/**
 * Starts the real server entry as child processes, as `npm start` runs it, each on a data
 * directory of its own (or `existing`); `start` resolves once it logs that it listens.
 * `stopAll` kills what is left and removes the directories.
 *
 * @example
 * const servers = serverProcesses()
 * const { url } = await servers.start()
 * await fetch(`${url}/healthz`)
 * servers.stopAll()
 */
export function serverProcesses() {
  const dirs: string[] = []
  const children: ChildProcess[] = []
  return {
    async start(o: { existing?: string; env?: Record<string, string> } = {}): Promise<ServerProcess> {
      const dir = o.existing ?? mkdtempSync(join(tmpdir(), 'funnelbeam-proc-'))
      if (!o.existing) dirs.push(dir)
      const port = await freePort()
      const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/server.ts'], {
        cwd: root, env: { ...process.env, PORT: String(port), DATA_DIR: dir, FUNNELBEAM_RATE_LIMIT: '1000000', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.push(child)
      let out = ''
      child.stdout!.on('data', (d) => { out += d })
      child.stderr!.on('data', (d) => { out += d })
      const url = `http://127.0.0.1:${port}`
      for (let i = 0; i < 600; i++) {
        const listening = /"msg":"listening".*?"pid":(\d+)/.exec(out)
        if (listening) return { child, pid: Number(listening[1]), url, dir, output: () => out }
        if (child.exitCode !== null) throw new Error(`server exited: ${out}`)
        await new Promise((r) => setTimeout(r, 50))
      }
      throw new Error(`server did not start: ${out}`)
    },
    stopAll(): void {
      for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
    },
  }
}
