import { createHmac, KeyObject, sign as nodeSign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

export const ISSUER = 'https://id.example.com/';
export const AUDIENCE = 'https://mcp.example.com';
export const NOW = 1_900_000_000; // seconds; tests pass `now` explicitly

export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: JWK;
}

export async function makeKey(alg: string, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const priv = KeyObject.from(privateKey);
  const pub = KeyObject.from(publicKey);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey: priv, publicKey: pub, jwk };
}

export function baseClaims(extra: Record<string, unknown> = {}): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    tenant_id: 'acme',
    iat: NOW - 10,
    exp: NOW + 600,
    jti: 'jti-1',
    ...extra,
  };
}

/** Signs with jose, as an IdP would. */
export async function signToken(
  key: TestKey,
  claims: JWTPayload = baseClaims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

export async function signHmac(
  secret: string | Uint8Array,
  claims: JWTPayload = baseClaims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(bytes);
}

export function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** Builds a token by hand, for attacks jose refuses to produce. */
export function craft(
  header: Record<string, unknown>,
  payload: unknown,
  signWith?: { hmac: string | Buffer } | { rsa: KeyObject } | { signature: string },
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  let signature = '';
  if (signWith && 'hmac' in signWith) {
    signature = createHmac('sha256', signWith.hmac).update(input).digest('base64url');
  } else if (signWith && 'rsa' in signWith) {
    signature = nodeSign('sha256', Buffer.from(input), signWith.rsa).toString('base64url');
  } else if (signWith && 'signature' in signWith) {
    signature = signWith.signature;
  }
  return `${input}.${signature}`;
}

export function bearer(token: string): { headers: { authorization: string } } {
  return { headers: { authorization: `Bearer ${token}` } };
}

/** A real HTTP server on 127.0.0.1 whose answers the test changes as it goes. */
export interface TestServer {
  readonly url: string;
  readonly requests: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const requests: string[] = [];
  const state = { handler };
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    state.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get handler() {
      return state.handler;
    },
    set handler(h) {
      state.handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(body: unknown, status = 200) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}
