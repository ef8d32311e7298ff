import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigner, type SignerIdentity, type SignerOptions } from '@agentguard/hmac-signing';

export const SECRET = Buffer.from('0123456789abcdef0123456789abcdef-test-secret', 'utf8');
export const KEYS = [{ id: 'k1', alg: 'hmac-sha256' as const, secret: SECRET }];
export const NOW = 1_750_000_000_000;

export const IDENTITY: SignerIdentity = {
  subject: 'ana@example.com',
  tenantId: 'tenant-a',
  roles: ['sales lead', 'viewer'],
  agentId: 'agent-7',
  decisionId: 'dec_123',
  tool: 'orders.place',
};

/** A signer with the test key and a fixed clock. */
export function testSigner(options: Partial<SignerOptions> = {}) {
  return createSigner({ keys: KEYS, now: () => NOW, ...options });
}

/** Signs a JSON POST to `url` for IDENTITY. */
export async function signedPost(
  url = 'https://orders.internal/v1/orders?region=eu',
  body = '{"sku":"A-1","qty":2}',
) {
  return testSigner()
    .forCall(IDENTITY)
    .sign(
      new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    );
}

/** Copies a request with changes (headers edited by `edit`, optional new URL and body). */
export async function alter(
  request: Request,
  change: { url?: string; body?: string | null; edit?: (headers: Headers) => void },
): Promise<Request> {
  const headers = new Headers(request.headers);
  change.edit?.(headers);
  const body = change.body === undefined ? await request.clone().arrayBuffer() : change.body;
  return new Request(change.url ?? request.url, {
    method: request.method,
    headers,
    ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
  });
}

/** Starts a node:http server on 127.0.0.1:0; returns its origin and a closer. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ origin: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
