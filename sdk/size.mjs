// Prints raw, gzip and brotli sizes of both SDK builds (`npm run size`), like Plausible's
// tracker does, and fails when the script tag is over its budget (also checked by
// sdk/test/size.test.ts).
import { readFileSync } from 'node:fs'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

/** The script-tag budget in gzipped bytes (DESIGN.md asks to beat comparable trackers). */
export const SCRIPT_BUDGET_GZIP = 3000

/** Raw, gzip (level 9) and brotli (quality 11) byte counts of a buffer. */
export function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let over = false
  for (const file of ['dist/funnelbeam.js', 'dist/esm/index.js']) {
    const s = sizes(readFileSync(file))
    console.log(`${file.padEnd(20)} raw ${String(s.raw).padStart(6)}  gzip ${String(s.gzip).padStart(5)}  brotli ${String(s.brotli).padStart(5)}`)
    if (file == 'dist/funnelbeam.js' && s.gzip > SCRIPT_BUDGET_GZIP) over = true
  }
  console.log(`script-tag budget: ${SCRIPT_BUDGET_GZIP} bytes gzipped${over ? ' — OVER' : ''}`)
  if (over) process.exitCode = 1
}
