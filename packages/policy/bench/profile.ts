// Profiling aid, not a benchmark: runs the engine, or the compiled conditions alone on prepared
// evaluation contexts (from dist/, as users run them) on the bench scenario in a tight loop.
// Usage, from the repository root:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx packages/policy/bench/profile.ts \
//     [engine|compiler] [rules] [seconds]
import {
  compileJsonLogic,
  evaluationContext,
  policyEngine,
  type PolicyDefinition,
} from '@agentguard/policy';
import { makeRequests, makeRules, toInput, toJsonLogic } from './scenario.js';

const mode = process.argv[2] ?? 'engine';
const count = Number(process.argv[3] ?? 20);
const seconds = Number(process.argv[4] ?? 5);
const rules = makeRules(count, count === 20 ? 7 : 13);
const conditions = rules.map((r) => ({ and: r.conds.map(toJsonLogic) }));
const inputs = makeRequests(2000, 11).map((r) => toInput(r));
let decide: (i: number) => boolean;
if (mode === 'compiler') {
  const compiled = conditions.map((c) => compileJsonLogic(c));
  const contexts = inputs.map(evaluationContext);
  decide = (i) => {
    const data = contexts[i]!;
    let allow = false;
    let deny = false;
    for (let r = 0; r < compiled.length; r += 1) {
      const value = compiled[r]!(data);
      if (value === true || (Array.isArray(value) ? value.length > 0 : Boolean(value))) {
        if (rules[r]!.effect === 'deny') deny = true;
        else allow = true;
      }
    }
    return allow && !deny;
  };
} else {
  const policies: PolicyDefinition[] = rules.map((r, i) => ({
    id: r.id,
    condition: conditions[i],
    action: r.effect,
  }));
  const engine = policyEngine({ policies, defaultDecision: 'deny' });
  decide = (i) => (engine.evaluate(inputs[i]!) as { ok: boolean }).ok;
}
let allowed = 0;
let calls = 0;
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  for (let i = 0; i < inputs.length; i += 1) if (decide(i)) allowed += 1;
  calls += inputs.length;
}
const rate = Math.round(calls / seconds);
console.log(`${mode}, ${count} rules: ${calls} calls (${allowed} allowed), ${rate} calls/s`);
