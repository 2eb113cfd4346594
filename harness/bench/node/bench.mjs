// iamspec's benchmark loop for @cloud-copilot/iam-simulate (AGPL-3.0-or-later), which it loads unmodified from
// the harness's Node tool folder and runs in this separate process. No code of the package is copied here.
//
//   node bench.mjs TOOL_FOLDER CASES.jsonl RUNS WARMUP
//
// CASES.jsonl holds identity-only decision cases (iamspec's formats/decision-case.md). Each is turned into the
// package's Simulation input the way harness/translate/iam_simulate.py does for such cases (identity policies
// one for one, the context as given, the principal's account as the resource's account).
// A first end-to-end pass over every case is the warm-up (timed on its own).
// End to end: JSON.parse of the case line + translation + runSimulation. Loaded: the simulations built once with
// their policies validated once (createValidatedPolicy, the package's own way to skip re-validation), then
// runSimulation alone. Prints one JSON object: seconds per run, decisions of the first run, peak RSS.
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

const [folder, casesPath, runsArg, warmupArg] = process.argv.slice(2)
const require = createRequire(path.join(path.resolve(folder), 'package.json'))
const simulate = require('@cloud-copilot/iam-simulate')
const policyLib = require('@cloud-copilot/iam-policy')
const runs = Number(runsArg || 3)
const warmup = Number(warmupArg || 50)

const lines = fs.readFileSync(casesPath, 'utf8').split('\n').filter((l) => l.trim())
const DECISIONS = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' }

function accountOf(arn) {
  const parts = typeof arn === 'string' ? arn.split(':') : []
  return parts.length > 4 && /^\d{12}$/.test(parts[4]) ? parts[4] : '123456789012'
}

function toSimulation(c, validated) {
  const req = c.request
  const docs = [...(c.identity_policies || []), ...(c.group_policies || [])]
  const policy = (doc, name) =>
    validated ? policyLib.createValidatedPolicy(doc, policyLib.validateIdentityPolicy, { name }) : doc
  return {
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource ?? '*', accountId: req.resource_account || accountOf(req.principal) },
      contextVariables: req.context || {},
    },
    identityPolicies: docs.map((doc, i) => ({ name: `identity_policies[${i}]`, policy: policy(doc, `p${i}`) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }
}

function decisionOf(result) {
  if (result.resultType === 'error') return 'error:' + ((result.errors && result.errors.message) || 'policy')
  return DECISIONS[result.overallResult] || 'error:unexpected'
}

// A simulation the engine throws on counts as an answer ("error:exception"), as the harness's target counts it.
async function simulateOne(sim) {
  try {
    return decisionOf(await simulate.runSimulation(sim, {}))
  } catch {
    return 'error:exception'
  }
}

async function decideLine(line) {
  return simulateOne(toSimulation(JSON.parse(line), false))
}

// [wall-clock seconds, CPU seconds of this process (user + system), result]
async function timed(fn) {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const out = await fn()
  const wall = (performance.now() - t0) / 1000
  const c = process.cpuUsage(c0)
  return [wall, (c.user + c.system) / 1e6, out]
}

// the warm-up: a whole first pass, every policy new to the process
const [firstPass, firstPassCpu, decisions] = await timed(async () => {
  const out = []
  for (const line of lines) out.push(await decideLine(line))
  return out
})
const e2e = []
const e2eCpu = []
for (let r = 0; r < runs; r++) {
  const [s, cpu] = await timed(async () => {
    for (const line of lines) await decideLine(line)
  })
  e2e.push(s)
  e2eCpu.push(cpu)
}
const [loadS, , sims] = await timed(async () => lines.map((l) => toSimulation(JSON.parse(l), true)))
for (const sim of sims.slice(0, warmup)) await simulateOne(sim)
const evals = []
const evalsCpu = []
let loadedDecisions = null
for (let r = 0; r < runs; r++) {
  const [s, cpu, got] = await timed(async () => {
    const out = []
    for (const sim of sims) out.push(await simulateOne(sim))
    return out
  })
  evals.push(s)
  evalsCpu.push(cpu)
  loadedDecisions = loadedDecisions || got
}
// Peak resident memory of this process: VmHWM (Linux), else Node's maxRSS (which on Linux also counts the
// parent's size at fork time).
function peakMb() {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) / 1024
  } catch {}
  return process.resourceUsage().maxRSS / 1024
}
const meta = JSON.parse(fs.readFileSync(require.resolve('@cloud-copilot/iam-simulate').replace(/dist[\\/].*$/, 'package.json'), 'utf8'))
process.stdout.write(
  JSON.stringify({
    version: meta.version,
    node: process.version,
    cases: lines.length,
    first_pass_s: firstPass,
    first_pass_cpu_s: firstPassCpu,
    e2e_s: e2e,
    e2e_cpu_s: e2eCpu,
    eval_s: evals,
    eval_cpu_s: evalsCpu,
    load_s: loadS,
    decisions,
    loaded_agree: decisions.every((d, i) => d === loadedDecisions[i]),
    peak_mb: peakMb(),
  }) + '\n',
)
