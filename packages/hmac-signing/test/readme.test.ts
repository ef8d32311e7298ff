import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/test-support/readme-example.js';

// The README's five-minute example must run as written.
describe('README', () => {
  it('the five-minute example runs and the backend receives a signed call', () => {
    const output = runReadmeExample(join(import.meta.dirname, '..'));
    expect(output).toMatch(
      /signature-input: agentguard=\("@method" "@target-uri" "content-digest" "content-type" "agentguard-subject" "agentguard-tenant" "agentguard-roles" "agentguard-decision-id" "agentguard-tool"\);created=\d+;expires=\d+;nonce="[\w-]{22}";keyid="orders-2026-11";alg="hmac-sha256"/,
    );
    expect(output).toContain('for: ana%40acme.example in acme');
    expect(output).toContain('{ placed: true }');
  });
});
