// Profiling aid, not a benchmark: runs the engine (from dist/, as users run it) on the bench
// scenario in a tight loop. Usage, from the repository root:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx packages/policy/bench/profile.ts [rules] [seconds]
import { policyEngine, type PolicyDefinition } from '@agentguard/policy';
import { makeRequests, makeRules, toInput, toJsonLogic } from './scenario.js';

const count = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 5);
const rules = makeRules(count, count === 20 ? 7 : 13);
const policies: PolicyDefinition[] = rules.map((r) => ({
  id: r.id,
  condition: { and: r.conds.map(toJsonLogic) },
  action: r.effect,
}));
const engine = policyEngine({ policies, defaultDecision: 'deny' });
const inputs = makeRequests(2000, 11).map(toInput);
let allowed = 0;
let calls = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  for (const input of inputs) {
    if ((engine.evaluate(input) as { ok: boolean }).ok) allowed += 1;
  }
  calls += inputs.length;
}
const rate = Math.round(calls / seconds);
console.log(`${count} rules: ${calls} calls (${allowed} allowed), ${rate} calls/s`);
