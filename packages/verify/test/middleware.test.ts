import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  captureRawBody,
  createVerifier,
  verifyMiddleware,
  type VerifiedRequest,
} from '../src/index.js';
import { IDENTITY, KEYS, listen, testSigner } from './helpers.js';
import express from 'express';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function serve(app: Parameters<typeof listen>[0]) {
  const server = await listen(app);
  closers.push(server.close);
  return server.origin;
}

/** Sends a request signed for `url` with undici's fetch. */
async function send(url: string, init: RequestInit = {}, change?: (r: Request) => Request) {
  const signed = await testSigner({ now: Date.now }).forCall(IDENTITY).sign(new Request(url, init));
  return fetch(change ? change(signed) : signed);
}

/** A plain node:http app: verifyMiddleware, then a handler that echoes what it saw. */
function nodeApp(options: Parameters<typeof verifyMiddleware>[0]) {
  const middleware = verifyMiddleware(options);
  let handled = 0;
  const app = (req: IncomingMessage, res: ServerResponse) => {
    middleware(req, res, (error?: unknown) => {
      if (error) {
        res.statusCode = 500;
        res.end();
        return;
      }
      handled += 1;
      const verified = req as VerifiedRequest;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          identity: verified.agentguard,
          body: verified.body ?? null,
          raw: verified.rawBody.length,
        }),
      );
    });
  };
  return { app, handled: () => handled };
}

describe('verifyMiddleware on node:http', () => {
  it('verifies over the raw bytes and exposes identity, raw body and parsed JSON', async () => {
    const { app, handled } = nodeApp({ keys: KEYS });
    const origin = await serve(app);
    const response = await send(`${origin}/orders?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sku":"A-1"}',
    });
    expect(response.status).toBe(200);
    const seen = (await response.json()) as {
      identity: { subject: string; tenantId: string; decisionId: string };
      body: unknown;
      raw: number;
    };
    expect(seen.identity).toMatchObject({
      subject: IDENTITY.subject,
      tenantId: IDENTITY.tenantId,
      decisionId: IDENTITY.decisionId,
    });
    expect(seen.body).toEqual({ sku: 'A-1' });
    expect(seen.raw).toBe(13);
    expect(handled()).toBe(1);
  });

  it('answers 401 with a machine-readable reason and never calls next', async () => {
    const { app, handled } = nodeApp({ keys: KEYS });
    const origin = await serve(app);
    const unsigned = await fetch(`${origin}/orders`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({
      error: 'invalid_signature',
      reason: 'missing_signature',
    });
    const tampered = await send(
      `${origin}/orders`,
      { method: 'POST', body: 'a' },
      (r) => new Request(`${origin}/refunds`, { method: 'POST', headers: r.headers, body: 'a' }),
    );
    expect(await tampered.json()).toEqual({ error: 'invalid_signature', reason: 'bad_signature' });
    const otherBody = await send(
      `${origin}/orders`,
      { method: 'POST', body: 'a' },
      (r) => new Request(r.url, { method: 'POST', headers: r.headers, body: 'b' }),
    );
    expect(otherBody.status).toBe(401);
    expect(await otherBody.json()).toEqual({
      error: 'invalid_signature',
      reason: 'digest_mismatch',
    });
    expect(handled()).toBe(0);
  });

  it('refuses a replayed request', async () => {
    const { app, handled } = nodeApp({ keys: KEYS });
    const origin = await serve(app);
    const signed = await testSigner({ now: Date.now })
      .forCall(IDENTITY)
      .sign(new Request(`${origin}/orders`, { method: 'POST', body: 'x' }));
    const copy = new Request(signed.url, { method: 'POST', headers: signed.headers, body: 'x' });
    expect((await fetch(signed)).status).toBe(200);
    const replay = await fetch(copy);
    expect(await replay.json()).toEqual({ error: 'invalid_signature', reason: 'replayed' });
    expect(handled()).toBe(1);
  });

  it('answers 413 for a body over the limit without calling next', async () => {
    const { app, handled } = nodeApp({ keys: KEYS, maxBodyBytes: 1024 });
    const origin = await serve(app);
    const declared = await send(`${origin}/upload`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: 'payload_too_large', reason: 'body_too_large' });
    // A chunked body that grows past the limit (no content-length).
    const signer = testSigner({ now: Date.now }).forCall(IDENTITY);
    const signed = await signer.sign(
      new Request(`${origin}/upload`, { method: 'POST', body: 'x' }),
    );
    const chunks = 'y'.repeat(2048);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(chunks));
        controller.close();
      },
    });
    const streamed = await fetch(
      new Request(signed.url, {
        method: 'POST',
        headers: signed.headers,
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(handled()).toBe(0);
  });

  it('answers 400 for a signed body that is not valid JSON', async () => {
    const { app, handled } = nodeApp({ keys: KEYS });
    const origin = await serve(app);
    const response = await send(`${origin}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(response.status).toBe(400);
    expect(handled()).toBe(0);
  });

  it('combines duplicated header lines, so a second content-type breaks the signature', async () => {
    const { app } = nodeApp({ keys: KEYS });
    const origin = await serve(app);
    const signed = await testSigner({ now: Date.now })
      .forCall(IDENTITY)
      .sign(
        new Request(`${origin}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      );
    const url = new URL(signed.url);
    const rawHeaders: string[] = [];
    signed.headers.forEach((value, name) => rawHeaders.push(name, value));
    rawHeaders.push('content-type', 'text/plain', 'host', url.host);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: rawHeaders,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(401);
  });
});

describe('verifyMiddleware on Express 5', () => {
  it('runs before express.json and the route sees req.agentguard and req.body', async () => {
    const app = express();
    app.use(verifyMiddleware({ keys: KEYS }));
    app.use(express.json());
    app.post('/orders/:id', (req, res) => {
      const { agentguard } = req as unknown as VerifiedRequest;
      res.json({
        tenant: agentguard.tenantId,
        roles: agentguard.roles,
        body: req.body as unknown,
        id: req.params.id,
      });
    });
    const origin = await serve(app);
    const response = await send(`${origin}/orders/7?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"qty":3}',
    });
    expect(await response.json()).toEqual({
      tenant: 'tenant-a',
      roles: ['sales lead', 'viewer'],
      body: { qty: 3 },
      id: '7',
    });
  });

  it('works after express.json when the raw body is captured, under a mounted router', async () => {
    const app = express();
    const router = express.Router();
    router.use(verifyMiddleware({ verifier: createVerifier({ keys: KEYS }) }));
    router.post('/orders', (req, res) => {
      res.json({
        subject: (req as unknown as VerifiedRequest).agentguard.subject,
        body: req.body as unknown,
      });
    });
    app.use(express.json({ verify: captureRawBody }));
    app.use('/api', router);
    const origin = await serve(app);
    const response = await send(`${origin}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"qty":3}',
    });
    expect(await response.json()).toEqual({ subject: IDENTITY.subject, body: { qty: 3 } });
  });

  it('uses the Buffer left by express.raw()', async () => {
    const app = express();
    app.use(express.raw({ type: '*/*' }));
    app.use(verifyMiddleware({ keys: KEYS, parseJson: false }));
    app.post('/blobs', (req, res) => {
      const verified = req as unknown as VerifiedRequest;
      res.json({ bytes: verified.rawBody.length, tool: verified.agentguard.tool });
    });
    const origin = await serve(app);
    const response = await send(`${origin}/blobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3, 4]),
    });
    expect(await response.json()).toEqual({ bytes: 4, tool: IDENTITY.tool });
  });

  it('refuses to guess when a parser consumed the body without keeping the bytes', async () => {
    let reached = false;
    const app = express();
    app.use(express.json());
    app.use(verifyMiddleware({ keys: KEYS }));
    app.post('/orders', (_req, res) => {
      reached = true;
      res.json({});
    });
    const origin = await serve(app);
    const response = await send(`${origin}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"qty":3}',
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'raw_body_unavailable' });
    expect(reached).toBe(false);
  });
});
