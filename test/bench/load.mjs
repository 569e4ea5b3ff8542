// Load generator for the benchmarks, run as its own process so that making requests does
// not compete with the server for the same event loop. Plain JS: no loader needed.
// Usage: node load.mjs <port> <path> <eventsPerRequest> <durationMs> <concurrency> [dupShare] [ratePerSecond] [site]
//   dupShare: share of events that repeat an id sent before (0..1)
//   ratePerSecond: 0 = closed loop (each client sends again when answered); >0 = open loop
//     at that request rate, whatever the answers take (latency then includes queueing)
import { Agent, request } from 'node:http'
import { randomUUID } from 'node:crypto'

const [port, path, perRequest, durationMs, concurrency, dupShare = 0, rate = 0] = process.argv.slice(2, 9).map((v, i) => (i === 1 ? v : Number(v)))
const site = process.argv[9] ?? 'bench'

function uuidv7(ms) {
  const hex = ms.toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${randomUUID().slice(15)}`
}

const sent = []
function id(now) {
  if (dupShare > 0 && sent.length > 100 && Math.random() < dupShare) return sent[Math.floor(Math.random() * sent.length)]
  const v = uuidv7(now)
  if (sent.length < 100_000) sent.push(v)
  return v
}

function body() {
  const now = Date.now()
  return JSON.stringify({ s: site, t: now, e: Array.from({ length: perRequest }, (_, k) => ({
    i: id(now), y: 'p', n: 'pageview', t: now, u: `http://localhost/p/${k % 20}?utm_source=google&utm_medium=cpc`, c: 1,
    v: `v${Math.floor(Math.random() * 5000)}`,
  })) })
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
function post(payload) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(payload), origin: 'http://localhost' } }, (res) => {
      let text = ''
      res.on('data', (d) => { text += d })
      res.on('end', () => resolve({ status: res.statusCode, text }))
    })
    req.on('error', reject)
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')))
    req.end(payload)
  })
}

const latencies = []
let errors = 0
let accepted = 0
let duplicates = 0
const errorKinds = {}
async function one() {
  const payload = body()
  const t0 = performance.now()
  try {
    const r = await post(payload)
    latencies.push(performance.now() - t0)
    if (r.status !== 200) { errors++; errorKinds[`http ${r.status}`] = (errorKinds[`http ${r.status}`] ?? 0) + 1; return }
    const j = JSON.parse(r.text)
    accepted += j.accepted ?? 0
    duplicates += j.duplicates ?? 0
  } catch (err) {
    latencies.push(performance.now() - t0)
    errors++
    errorKinds[err.code ?? err.message] = (errorKinds[err.code ?? err.message] ?? 0) + 1
  }
}

const end = performance.now() + durationMs
if (rate > 0) {
  const inflight = []
  const gap = 1000 / rate
  for (let next = performance.now(); next < end; next += gap) {
    const wait = next - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    inflight.push(one())
  }
  await Promise.all(inflight)
} else {
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) await one()
  }))
}
agent.destroy()
process.stdout.write(JSON.stringify({ latencies, errors, errorKinds, accepted, duplicates, durationMs }))
