// The ceiling for the ingest benchmark: a bare Hono no-op route on @hono/node-server,
// served by its own process exactly as the collector is. Usage: node bare.mjs <port>
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono().post('/collect', async (c) => { await c.req.text(); return c.json({ ok: true }) })
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.argv[2]) }, () => console.log('listening'))
