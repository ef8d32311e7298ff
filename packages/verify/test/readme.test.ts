import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/test-support/readme-example.js';

// The README's five-minute example must run as written.
describe('README', () => {
  it('the five-minute example runs: the backend verifies the guarded call and refuses an unsigned one', () => {
    const output = runReadmeExample(join(import.meta.dirname, '..'));
    expect(output).toContain('verified: ana@acme.example acme orders.place');
    expect(output).toContain("{ placed: { sku: 'A-1', qty: 2 } }");
    expect(output).toContain("401 { error: 'invalid_signature', reason: 'missing_signature' }");
  });
});
