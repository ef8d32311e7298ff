import { randomBytes } from 'node:crypto';
import { createDevIdentityProvider, mintExampleTokens } from './dev-identity.js';
import { startMcpServer } from './server.js';

// Runs the example server alone, with a development identity provider, and prints tokens to
// try it with any MCP client. BACKEND_URL points at the payments backend (examples/backend)
// started with the same BACKEND_KEY.
const idp = await createDevIdentityProvider();
const secret = process.env['BACKEND_KEY']
  ? Buffer.from(process.env['BACKEND_KEY'], 'hex')
  : randomBytes(32);
const server = await startMcpServer({
  idp,
  signingKey: { id: 'guard-2026-11', alg: 'hmac-sha256', secret },
  backendUrl: process.env['BACKEND_URL'] ?? 'http://127.0.0.1:4001',
  maskingKey: randomBytes(32).toString('base64'),
  port: Number(process.env['PORT'] ?? 4000),
});
console.log(`MCP endpoint: ${server.mcpUrl}`);
if (!process.env['BACKEND_KEY'])
  console.log(`BACKEND_KEY=${secret.toString('hex')} (start the backend with it)`);
console.log('\nDevelopment tokens (15 minutes):');
for (const [who, token] of Object.entries(await mintExampleTokens(idp)))
  console.log(`  ${who.padEnd(14)} ${token}`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
