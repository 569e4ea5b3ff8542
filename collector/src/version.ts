import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The collector's version: from the nearest package.json above this file (the repository's
 * in a checkout, the collector package's once installed).
 *
 * @example
 * collectorVersion() // '0.1.0'
 */
export function collectorVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0'
    if (dirname(dir) === dir) return '0.0.0'
  }
}
