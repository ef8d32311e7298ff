import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import {
  allowAllAccess,
  anonymousAuthenticator,
  createGuard,
  type CallContext,
} from '@agentguard/core';
import express, { type Express, type Request } from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExpressGuard } from '../src/index.js';
import { requestPath } from '../src/lib/request-info.js';

// The call context's `ip`, `extra.path` and the arguments from the query are read without
// Express's getters where their answer is known: they must be what the getters answer.

interface Seen {
  context: CallContext;
  expressIp: string | undefined;
  expressPath: string;
  expressQuery: unknown;
}

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** An app with one guarded route (mounted under `/api/v1`), recording what it saw. */
async function start(configure: (app: Express) => void): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const guard = createGuard({
    authenticator: anonymousAuthenticator(),
    accessControl: allowAllAccess(),
  });
  const { guardRoute } = createExpressGuard(guard);
  const app = express();
  configure(app);
  const router = express.Router();
  router.all(
    '/items/:id',
    guardRoute(
      'items.read',
      { input: z.looseObject({ id: z.string() }), operation: 'read' },
      (args, { call, req }) => {
        seen.push({
          context: call,
          expressIp: req.ip,
          expressPath: req.path,
          expressQuery: { ...(req.query as object) },
        });
        return args;
      },
    ),
  );
  app.use('/api/v1', router);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('the client address', () => {
  it('is the socket address with trust proxy off, whatever X-Forwarded-For says', async () => {
    const { base, seen } = await start(() => undefined);
    const res = await fetch(`${base}/api/v1/items/a`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.status).toBe(200);
    expect(seen[0]!.context.ip).toBe('127.0.0.1');
    expect(seen[0]!.context.ip).toBe(seen[0]!.expressIp);
  });

  it('follows trust proxy when it is set', async () => {
    const { base, seen } = await start((app) => app.set('trust proxy', 'loopback'));
    await fetch(`${base}/api/v1/items/a`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(seen[0]!.context.ip).toBe('203.0.113.9');
    expect(seen[0]!.context.ip).toBe(seen[0]!.expressIp);
  });

  it('is what middleware put on the request as its own ip', async () => {
    const { base, seen } = await start((app) =>
      app.use((req, _res, next) => {
        Object.defineProperty(req, 'ip', { value: '198.51.100.7' });
        next();
      }),
    );
    await fetch(`${base}/api/v1/items/a`);
    expect(seen[0]!.context.ip).toBe('198.51.100.7');
  });
});

describe('the app of a request', () => {
  it('is the mounted sub-app, with the settings it inherits, request after request', async () => {
    const guard = createGuard({
      authenticator: anonymousAuthenticator(),
      accessControl: allowAllAccess(),
    });
    const { guardRoute } = createExpressGuard(guard);
    const route = guardRoute(
      'where.am.i',
      { input: z.object({}), operation: 'read' },
      (_args, { call, req }) => ({ ip: call.ip ?? null, expressIp: req.ip ?? null }),
    );
    const parent = express();
    parent.set('trust proxy', 'loopback');
    const child = express();
    child.get('/ip', route);
    parent.use('/child', child);
    parent.get('/ip', route);
    const plain = express();
    plain.get('/ip', route);
    const bases: string[] = [];
    for (const app of [parent, plain]) {
      const server = app.listen(0, '127.0.0.1');
      servers.push(server);
      await new Promise((resolve) => server.once('listening', resolve));
      bases.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    const headers = { 'x-forwarded-for': '203.0.113.9' };
    for (let round = 0; round < 3; round++) {
      for (const [url, expected] of [
        [`${bases[0]}/child/ip`, '203.0.113.9'],
        [`${bases[1]}/ip`, '127.0.0.1'],
        [`${bases[0]}/ip`, '203.0.113.9'],
      ] as const) {
        const body = (await (await fetch(url, { headers })).json()) as Record<string, unknown>;
        expect(body).toEqual({ ip: expected, expressIp: expected });
      }
    }
  });
});

describe('the path and the query', () => {
  it('match req.path and req.query, with and without a query string', async () => {
    const { base, seen } = await start(() => undefined);
    for (const suffix of ['', '?', '?q=1', '?q=1&r=a%20b', '?q=a?b']) {
      const res = await fetch(`${base}/api/v1/items/a${suffix}`);
      expect(res.status).toBe(200);
    }
    for (const { context, expressPath } of seen) {
      expect(context.extra?.['path']).toBe(expressPath);
      expect(context.extra?.['path']).toBe('/items/a');
    }
    expect(seen.map((s) => s.expressQuery)).toEqual([
      {},
      {},
      { q: '1' },
      { q: '1', r: 'a b' },
      {
        q: 'a?b',
      },
    ]);
  });

  it('reads the query through a custom query parser, even without a query string', async () => {
    const { base } = await start((app) => app.set('query parser', () => ({ injected: 'yes' })));
    const res = await fetch(`${base}/api/v1/items/a`);
    expect(await res.json()).toEqual({ id: 'a', injected: 'yes' });
  });

  it('reads a query that middleware defined on the request', async () => {
    const { base } = await start((app) =>
      app.use((req, _res, next) => {
        Object.defineProperty(req, 'query', { value: { fromMiddleware: '1' } });
        next();
      }),
    );
    const res = await fetch(`${base}/api/v1/items/a`);
    expect(await res.json()).toEqual({ id: 'a', fromMiddleware: '1' });
  });

  it('cuts any request URL the way Express does', () => {
    const chars = fc.constantFrom('a', '/', '?', '#', ' ', '\t', '%', '\u00a0', '\ufeff', '&', '=');
    fc.assert(
      fc.property(fc.string({ unit: chars }), fc.boolean(), (rest, slash) => {
        const url = (slash ? '/' : '') + rest;
        // A request with Express's prototype: its `path` getter is parseurl(req).pathname.
        const req = Object.setPrototypeOf({ url }, express.request as object) as Request;
        expect(requestPath(req, url)).toBe(req.path);
      }),
      { numRuns: 2_000 },
    );
  });
});
