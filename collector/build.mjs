// Builds the publishable collector package in dist/collector (`npm run build:collector`;
// `npm publish dist/collector`): the TypeScript compiled to ESM with declarations, the files
// the code reads at run time, the SDK script it serves, and a package.json whose version
// and dependencies are the repository's, so the two cannot drift.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist/collector')
const sdkScript = join(root, 'dist/funnelbeam.js')
if (!existsSync(sdkScript)) throw new Error('dist/funnelbeam.js is missing: build the SDK first (npm run build)')

rmSync(out, { recursive: true, force: true })
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'collector/tsconfig.build.json')], { stdio: 'inherit' })
for (const file of ['collector/src/worker-boot.mjs', 'collector/src/dashboard/dashboard.css', 'collector/data/ga4-source-categories.csv', 'collector/data/README.md']) {
  mkdirSync(dirname(join(out, file)), { recursive: true })
  cpSync(join(root, file), join(out, file))
}
mkdirSync(join(out, 'dist'), { recursive: true })
cpSync(sdkScript, join(out, 'dist/funnelbeam.js'))
cpSync(join(root, 'collector/README.package.md'), join(out, 'README.md'))
const repo = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const pkg = JSON.parse(readFileSync(join(root, 'collector/package.publish.json'), 'utf8'))
// The declarations name better-sqlite3's and pg's types (SqliteStore.db, PostgresStore.pool),
// so TypeScript users get those too.
const typeDeps = Object.fromEntries(['@types/better-sqlite3', '@types/pg'].map((n) => [n, repo.devDependencies[n]]))
writeFileSync(join(out, 'package.json'), JSON.stringify({ ...pkg, version: repo.version, dependencies: { ...repo.dependencies, ...typeDeps } }, null, 2) + '\n')
