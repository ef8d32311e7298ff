import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guardConfigJsonSchema } from '@agentguard/core';

// Writes packages/core/agentguard.schema.json from the zod config schema; with --check, fails
// when the committed file is out of date (CI runs the check).
const file = join(import.meta.dirname, '..', 'packages', 'core', 'agentguard.schema.json');
const schema = {
  $id: 'https://agentguard.dev/schema/agentguard.schema.json',
  title: 'AgentGuard configuration',
  ...guardConfigJsonSchema(),
};
const text = JSON.stringify(schema, null, 2) + '\n';
if (process.argv.includes('--check')) {
  const committed = readFileSync(file, 'utf8');
  if (committed !== text) {
    console.error('agentguard.schema.json is out of date: run `pnpm generate:schema`');
    process.exit(1);
  }
  console.log('agentguard.schema.json is up to date');
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
