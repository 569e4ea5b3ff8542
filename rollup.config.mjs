// The SDK's two builds, no more (`rollup -c`):
// - dist/funnelbeam.js: the script-tag IIFE, minified, size-budgeted (test/sdk/size.test.ts).
//   It is bundled by esbuild, called from here: esbuild's bundler inlines constants across
//   modules, which rollup + a minifier cannot, and that is worth ~60 bytes gzipped.
// - dist/esm/: the ESM build for `npm install funnelbeam` (rollup), declarations by tsc,
//   the script tag file (for CDNs serving the package), and the publishable package.json
//   (`npm publish dist/esm`).
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync } from 'node:fs'
import { build } from 'esbuild'
import esbuild from 'rollup-plugin-esbuild'
import resolve from '@rollup/plugin-node-resolve'

/** Builds the script tag beside the ESM build, then the declarations and package files. */
const scriptTagAndDeclarations = {
  name: 'funnelbeam-script-tag-and-declarations',
  async writeBundle() {
    await build({
      entryPoints: ['sdk/src/script.ts'],
      outfile: 'dist/funnelbeam.js',
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2021',
      legalComments: 'none',
      // In the script tag, options are internal (script.ts fills them from data-* attributes),
      // so their names may shrink; the ESM build keeps them, they are its public API.
      mangleProps: /^(site|endpoint|spa|autocapture|respectDnt|debug)$/,
      logLevel: 'warning',
      // The IIFE needs no "use strict" prologue (tsconfig's strict would add one).
      tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    })
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'sdk/tsconfig.build.json'], { stdio: 'inherit' })
    mkdirSync('dist/esm', { recursive: true })
    copyFileSync('sdk/package.json', 'dist/esm/package.json')
    copyFileSync('sdk/README.md', 'dist/esm/README.md')
    copyFileSync('dist/funnelbeam.js', 'dist/esm/funnelbeam.js')
  },
}

export default {
  input: 'sdk/src/index.ts',
  output: { file: 'dist/esm/index.js', format: 'es' },
  plugins: [resolve({ extensions: ['.ts', '.js'] }), esbuild({ target: 'es2021' }), scriptTagAndDeclarations],
}
