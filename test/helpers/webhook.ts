import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A webhook receiver on 127.0.0.1 (a real HTTP server): records every JSON body it is
 * sent and answers `status()` (200 unless a test says otherwise).
 *
 * @example
 * const hook = await webhookReceiver()
 * hook.fail(2, 503) // the next two requests get 503
 * hook.bodies       // [{ text: '…' }, …]
 */
export async function webhookReceiver(): Promise<{ url: string; bodies: any[]; fail(times: number, status: number): void; close(): Promise<void> }> {
  const bodies: any[] = []
  let failures: { times: number; status: number } = { times: 0, status: 200 }
  const server: Server = createServer((req, res) => {
    let data = ''
    req.on('data', (c) => { data += c })
    req.on('end', () => {
      bodies.push(JSON.parse(data))
      if (failures.times > 0) {
        failures.times--
        res.writeHead(failures.status).end('busy')
        return
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    fail(times, status) { failures = { times, status } },
    close: () => new Promise((r) => server.close(() => r())),
  }
}
