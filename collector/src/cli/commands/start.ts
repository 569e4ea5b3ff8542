/** `funnelbeam start`: the collector server, as `npm start` runs it. */
import { UsageError, str, type Command } from '../command.ts'
import { runServer } from '../../run-server.ts'
import { relaunchWithHugePages } from '../../huge-pages.ts'

export const startCommand: Command = {
  path: ['start'],
  summary: 'Starts the collector. HTTP on PORT (default 8787), data in DATA_DIR\'s SQLite file or DATABASE_URL.',
  args: [],
  options: {
    port: { type: 'string', value: '<port>', description: 'HTTP port (default: PORT or 8787)' },
  },
  details: 'Without the demo shop that npm start adds in a checkout of the repository.\nEnvironment: PORT, DATA_DIR, DATABASE_URL, FUNNELBEAM_ADMIN_TOKEN, TRUST_PROXY, FUNNELBEAM_LOG_LEVEL and the\n' +
    'others in the README. SIGTERM stops it cleanly.',
  async run(inv) {
    const port = str(inv, 'port')
    if (port !== undefined) {
      if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(port)}`)
      process.env.PORT = port
    }
    // Where glibc's huge pages pay, the collector runs as a child started with them.
    const relaunched = await relaunchWithHugePages()
    if (relaunched !== null) return relaunched
    await runServer()
    // The server keeps the process alive and exits on SIGTERM itself.
    return new Promise<never>(() => {})
  },
}
