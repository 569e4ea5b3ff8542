#!/usr/bin/env node
// The `funnelbeam` bin of the collector package (compiled to bin.js).
import { runCli } from './main.ts'

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
