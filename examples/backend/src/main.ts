import { startBackend } from './backend.js';

// Runs the backend alone: BACKEND_KEY (hex, 32+ bytes) must match the guard's signing key.
const secret = process.env['BACKEND_KEY'];
if (!secret || secret.length < 64) {
  console.error('set BACKEND_KEY to the hex HMAC key the guard signs with (32+ bytes)');
  process.exit(2);
}
const backend = await startBackend({
  keys: [
    {
      id: process.env['BACKEND_KEY_ID'] ?? 'guard-2026-11',
      alg: 'hmac-sha256',
      secret: Buffer.from(secret, 'hex'),
    },
  ],
  port: Number(process.env['PORT'] ?? 4001),
});
console.log(
  `payments backend on ${backend.url} (POST /v1/transfers needs an AgentGuard signature)`,
);
