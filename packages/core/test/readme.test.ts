import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/test-support/readme-example.js';

// The README's five-minute example must run as written.
describe('README', () => {
  it('the quick-start example runs and prints what the README says', () => {
    const output = runReadmeExample(join(import.meta.dirname, '..'));
    expect(output).toContain('"outcome":"allowed"');
    expect(output).toContain("code: 'invalid_input'");
    expect(output).toContain('unknown key: admin');
  });
});
