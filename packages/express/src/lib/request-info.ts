import type { Request } from 'express';

// What a guarded route reads of a request, read as cheaply as Express allows. Express 5 gives
// every request objects of their own hidden class (it swaps their prototypes), so each
// property read on `req` costs a lookup in V8's runtime, and its getters (`req.ip`,
// `req.query`, `req.path`) read several more. Where the answer is known from what the route
// reads anyway (`req.url`, the app's settings), these functions skip the getter.

type App = Request['app'];

let lastPrototype: object | null = null;
let lastApp: App | undefined;

/**
 * `req.app`: the app whose `request` object Express made the prototype of `req` (it sets
 * `app.request.app`). The answer is kept per prototype, so requests of the same app read it
 * without a lookup on the request.
 */
export function requestApp(req: Request): App {
  const prototype = Object.getPrototypeOf(req) as object | null;
  if (prototype === lastPrototype && lastApp !== undefined) return lastApp;
  const app = req.app;
  lastPrototype = prototype;
  lastApp = app;
  return app;
}

/**
 * `req.ip`. With `trust proxy` off (Express's default), proxy-addr trusts no address and
 * answers the socket's, which is read directly here; any other setting goes through `req.ip`.
 */
export function clientIp(req: Request, app: App): string | undefined {
  if (app.get('trust proxy') === false && !Object.hasOwn(req, 'ip')) {
    // As proxy-addr reads it; a request whose socket is gone has no address.
    return (req.socket as Request['socket'] | null)?.remoteAddress;
  }
  return req.ip;
}

/**
 * `req.query`, or undefined when `url` (the request's `req.url`) has no query string and
 * Express's own parsers (`simple` or `extended`, which make nothing of an empty string) or
 * none would answer `{}`. A `req.query` that middleware defined on the request is always read.
 */
export function requestQuery(req: Request, url: string, app: App): unknown {
  if (url.includes('?') || Object.hasOwn(req, 'query')) return req.query;
  const parser: unknown = app.get('query parser');
  return parser === 'simple' || parser === 'extended' || parser === true || parser === false
    ? undefined
    : req.query;
}

/**
 * `req.path`: what parseurl makes of `url` (the request's `req.url`). A plain path, with or
 * without a query, is cut here the way parseurl's fast path cuts it; anything else (an
 * absolute URL, characters parseurl hands to `url.parse`) goes through `req.path`.
 */
export function requestPath(req: Request, url: string): string {
  if (url.charCodeAt(0) !== 0x2f /* / */) return req.path;
  let end = url.length;
  for (let i = 1; i < url.length; i++) {
    switch (url.charCodeAt(i)) {
      case 0x3f /* ? */:
        if (end === url.length) end = i;
        break;
      case 0x09:
      case 0x0a:
      case 0x0c:
      case 0x0d:
      case 0x20:
      case 0x23 /* # */:
      case 0xa0:
      case 0xfeff:
        return req.path;
    }
  }
  return end === url.length ? url : url.slice(0, end);
}
