// Load generator for the ingest benchmark, run as its own process so that making requests
// does not compete with the server for the same event loop. Plain JS: no loader needed.
// Usage: node load.mjs <port> <path> <eventsPerRequest> <durationMs> <concurrency>
import { Agent, request } from 'node:http'
import { randomUUID } from 'node:crypto'

const [port, path, perRequest, durationMs, concurrency] = process.argv.slice(2).map((v, i) => (i === 1 ? v : Number(v)))

function uuidv7(ms) {
  const hex = ms.toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${randomUUID().slice(15)}`
}

function body() {
  const now = Date.now()
  return JSON.stringify({ s: 'bench', t: now, e: Array.from({ length: perRequest }, (_, k) => ({
    i: uuidv7(now), y: 'p', n: 'pageview', t: now, u: `http://localhost/p/${k % 20}?utm_source=google&utm_medium=cpc`, c: 1,
    v: `v${Math.floor(Math.random() * 5000)}`,
  })) })
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
function post(payload) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(payload), origin: 'http://localhost' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', reject)
    req.end(payload)
  })
}

const latencies = []
let errors = 0
const end = performance.now() + durationMs
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (performance.now() < end) {
    const payload = body()
    const t0 = performance.now()
    const status = await post(payload).catch(() => 0)
    latencies.push(performance.now() - t0)
    if (status !== 200) errors++
  }
}))
agent.destroy()
process.stdout.write(JSON.stringify({ latencies, errors }))
