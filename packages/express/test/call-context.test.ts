import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  allowAllAccess,
  anonymousAuthenticator,
  createGuard,
  type CallContext,
} from '@agentguard/core';
import express, { type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExpressGuard } from '../src/index.js';

// What the stages see of a request: the call context, and nothing of Express besides it.
const seen: CallContext[] = [];
const anonymous = anonymousAuthenticator();
const guard = createGuard({
  authenticator: {
    kind: 'authenticator',
    name: 'recording',
    authenticate(context) {
      seen.push(context);
      return anonymous.authenticate(context);
    },
  },
  accessControl: allowAllAccess(),
});
const { guardRoute } = createExpressGuard(guard);
let handlerSaw: { req: Request; res: Response; call: CallContext; keys: string[] } | undefined;
const app = express();
app.post(
  '/items/:id',
  guardRoute(
    'items.update',
    { input: z.object({ id: z.string(), n: z.number() }), operation: 'write' },
    (args, context) => {
      handlerSaw = {
        req: context.req,
        res: context.res,
        call: context.call,
        keys: Object.keys(context),
      };
      return args;
    },
  ),
);

let server: Server;
let base = '';
beforeAll(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the call context of a guarded route', () => {
  it('carries the request fields, not the Express objects', async () => {
    const res = await fetch(`${base}/items/i-1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer abc.def',
        'user-agent': 'test-agent',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      body: JSON.stringify({ n: 1 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'i-1', n: 1 });
    const context = seen.at(-1)!;
    expect(Object.keys(context)).toEqual([
      'token',
      'headers',
      'ip',
      'userAgent',
      'traceparent',
      'approvalId',
      'extra',
    ]);
    expect(context.token).toBe('abc.def');
    expect(context.userAgent).toBe('test-agent');
    expect(context.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(context.extra).toEqual({
      transport: 'http',
      method: 'POST',
      path: '/items/i-1',
      url: '/items/i-1',
    });
    // Serialising the context (a logging stage) never reaches the request or the response.
    expect(JSON.stringify(context)).not.toContain('socket');
  });

  it('gives the handler the guard context plus req and res, for the same call', async () => {
    await fetch(`${base}/items/i-2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 2 }),
    });
    expect(handlerSaw?.keys).toEqual([
      'principal',
      'decisionId',
      'traceId',
      'tool',
      'call',
      'signer',
      'approval',
      'obligations',
      'rateLimit',
      'req',
      'res',
    ]);
    expect(handlerSaw?.req.params).toEqual({ id: 'i-2' });
    expect(typeof handlerSaw?.res.json).toBe('function');
    expect(handlerSaw?.call).toBe(seen.at(-1));
    expect(handlerSaw?.call.token).toBeUndefined();
  });
});
