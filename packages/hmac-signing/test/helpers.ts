import type { SignerIdentity } from '../src/index.js';

export const SECRET = Buffer.from('0123456789abcdef0123456789abcdef-test-secret', 'utf8');

export const IDENTITY: SignerIdentity = {
  subject: 'ana@example.com',
  tenantId: 'tenant-a',
  roles: ['sales lead', 'viewer'],
  agentId: 'agent-7',
  decisionId: 'dec_123',
  tool: 'crm/get_customer',
};
