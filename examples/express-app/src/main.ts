import { randomBytes } from 'node:crypto';
import { createDevIdentityProvider } from '@agentguard-examples/mcp-server';
import { startExpressApp } from './app.js';

const idp = await createDevIdentityProvider();
const secret = process.env['BACKEND_KEY']
  ? Buffer.from(process.env['BACKEND_KEY'], 'hex')
  : randomBytes(32);
const app = await startExpressApp({
  idp,
  signingKey: { id: 'guard-2026-11', alg: 'hmac-sha256', secret },
  backendUrl: process.env['BACKEND_URL'] ?? 'http://127.0.0.1:4001',
  maskingKey: randomBytes(32).toString('base64'),
  port: Number(process.env['PORT'] ?? 4002),
});
const token = await idp.mint({
  subject: 'user:ada',
  tenant: 'acme',
  roles: ['support', 'payments'],
});
console.log(`CRM API on ${app.url}`);
console.log(`try: curl -H "authorization: Bearer ${token}" ${app.url}/customers/cus_ada`);
