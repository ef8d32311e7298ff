import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../scripts/test-support/readme-example.js';

// The README's approval-task example must run as written.
describe('README', () => {
  it('the approval-task example runs: the task waits, the approver approves, the call completes', () => {
    const output = runReadmeExample(
      join(import.meta.dirname, '..'),
      '### Waiting for approvers as an MCP task (1.x SDK)',
    );
    const id = /approval id (apr_[\w-]+)/.exec(output)?.[1];
    expect(id).toBeDefined();
    expect(output).toContain(
      `working - approval required: waiting for approvers (approval id ${id})`,
    );
    expect(output).toContain(`completed {"refunded":"o-1","amount":500,"by":"${id}"}`);
  });
});
