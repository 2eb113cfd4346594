// iamspec's driver for @cloud-copilot/iam-simulate (AGPL-3.0-or-later), which it imports unmodified and runs
// in this separate Node process. Protocol, JSON Lines on stdin/stdout, one answer per request line, in order:
//   {"op": "version"}                            -> {"version": "<iam-simulate version>"}
//   {"id": ..., "simulation": {...}, "options"?} -> {"id", "resultType", "overallResult", "layers", "blockedBy", "errors"?}
// "layers" gives the result of each policy layer the engine analysed (identity, session, boundary, resource,
// scp, rcp, vpce), so the Python side can say which kinds denied. A request the engine throws on is answered
// {"id", "exception": "..."}; a line that is not JSON is answered {"exception": "..."}.
import { createRequire } from 'node:module'
import readline from 'node:readline'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const require = createRequire(import.meta.url)

function packageVersion() {
  try {
    return require('@cloud-copilot/iam-simulate/package.json').version
  } catch {
    // the package's "exports" map may hide package.json; read it from disk instead
    const fs = require('node:fs')
    const path = require('node:path')
    const main = require.resolve('@cloud-copilot/iam-simulate')
    let dir = path.dirname(main)
    while (dir !== path.dirname(dir)) {
      const candidate = path.join(dir, 'package.json')
      if (fs.existsSync(candidate)) {
        const meta = JSON.parse(fs.readFileSync(candidate, 'utf8'))
        if (meta.name === '@cloud-copilot/iam-simulate') return meta.version
      }
      dir = path.dirname(dir)
    }
    return null
  }
}

function layerResults(analysis) {
  if (!analysis) return {}
  const pick = (a) => (a && typeof a.result === 'string' ? a.result : undefined)
  const layers = {
    identity: pick(analysis.identityAnalysis),
    session: pick(analysis.sessionAnalysis),
    boundary: pick(analysis.permissionBoundaryAnalysis),
    resource: pick(analysis.resourceAnalysis),
    scp: pick(analysis.scpAnalysis),
    rcp: pick(analysis.rcpAnalysis),
    vpce: pick(analysis.endpointAnalysis),
  }
  for (const key of Object.keys(layers)) if (layers[key] === undefined) delete layers[key]
  return layers
}

async function answer(request) {
  if (request.op === 'version') return { version: packageVersion() }
  const result = await runSimulation(request.simulation, request.options || {})
  const out = { id: request.id, resultType: result.resultType, overallResult: result.overallResult ?? null }
  if (result.resultType === 'error') {
    out.errors = result.errors
  } else if (result.resultType === 'single') {
    out.layers = layerResults(result.result && result.result.analysis)
    out.blockedBy = (result.result && result.result.analysis && result.result.analysis.blockedBy) || []
  } else if (result.resultType === 'wildcard') {
    out.results = (result.results || []).map((r) => ({
      resourcePattern: r.resourcePattern,
      result: r.analysis && r.analysis.result,
      layers: layerResults(r.analysis),
    }))
  }
  return out
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (!line.trim()) continue
  let out
  let request = null
  try {
    request = JSON.parse(line)
    out = await answer(request)
  } catch (e) {
    out = { exception: String((e && e.stack) || e) }
    if (request && request.id !== undefined) out.id = request.id
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}
