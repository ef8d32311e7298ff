import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  createVerifier,
  type VerifiedIdentity,
  type VerifiedSignature,
  type Verifier,
  type VerifierOptions,
} from './create-verifier.js';
import { verifyFailure, type VerifyFailureReason } from './verify-failure.js';

/** Options of {@link verifyMiddleware}: a verifier's options, or a verifier to share. */
export type VerifyMiddlewareOptions = (
  (VerifierOptions & { readonly verifier?: undefined }) | { readonly verifier: Verifier }
) & {
  /**
   * Parse a JSON body (`content-type` `application/json` or `+json`) into `req.body` when no
   * parser did. Default `true`. A body that is not valid JSON is answered 400.
   */
  readonly parseJson?: boolean | undefined;
};

/** A request that passed {@link verifyMiddleware}. */
export interface VerifiedRequest extends IncomingMessage {
  /** Whom the call is for, as the guard asserted it. */
  agentguard: VerifiedIdentity;
  /** The verified signature's parameters. */
  agentguardSignature: VerifiedSignature;
  /** The exact bytes received. */
  rawBody: Buffer;
  /** The parsed JSON body (when `parseJson` and the body is JSON), or what a parser set. */
  body?: unknown;
}

/** `(req, res, next)`: Express 4/5, Connect, or plain `node:http` with your own `next`. */
export type VerifyMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

type MaybeVerified = IncomingMessage & {
  rawBody?: unknown;
  body?: unknown;
  originalUrl?: string;
  agentguard?: VerifiedIdentity;
  agentguardSignature?: VerifiedSignature;
};

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Express / `node:http` middleware that verifies the request's signature over the raw bytes
 * received, then sets `req.agentguard` (the verified identity), `req.rawBody` and, for JSON,
 * `req.body`, and calls `next()`. On failure it answers 401
 * `{ "error": "invalid_signature", "reason": "…" }` (413 when the body exceeds
 * `maxBodyBytes`) and never calls `next()`.
 *
 * Mount it before `express.json()` (it parses JSON itself), or after a parser configured with
 * `verify: captureRawBody` so that the raw bytes are kept.
 *
 * @example
 * const app = express();
 * app.use(verifyMiddleware({ keys: [{ id: 'backend-2025-06', alg: 'hmac-sha256', secret }] }));
 * app.post('/orders', (req, res) => {
 *   const { tenantId, subject } = (req as VerifiedRequest).agentguard;
 *   res.json(placeOrder(tenantId, subject, req.body));
 * });
 */
export function verifyMiddleware(options: VerifyMiddlewareOptions): VerifyMiddleware {
  const verifier = options.verifier ?? createVerifier(options);
  const parseJson = options.parseJson ?? true;
  const { maxBodyBytes } = verifier;

  return function agentguardVerify(req, res, next) {
    const request = req as MaybeVerified;
    if (req.headers['signature-input'] === undefined && req.headers.signature === undefined) {
      refuse(res, 'missing_signature');
      return;
    }
    const captured = Buffer.isBuffer(request.rawBody)
      ? request.rawBody
      : Buffer.isBuffer(request.body)
        ? request.body
        : undefined;
    if (captured !== undefined) {
      void finish(request, res, next, captured);
      return;
    }
    if (req.readableEnded) {
      // A parser read the body without keeping the bytes: they cannot be verified.
      if (hasBody(req)) {
        answer(res, 500, { error: 'raw_body_unavailable' });
        return;
      }
      void finish(request, res, next, Buffer.alloc(0));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      tooLarge(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let stopped = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        stopped = true;
        cleanup();
        tooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      if (!stopped) void finish(request, res, next, Buffer.concat(chunks, size));
    };
    const onError = (error: unknown): void => {
      cleanup();
      if (!stopped) next(error);
      stopped = true;
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };

  async function finish(
    req: MaybeVerified,
    res: ServerResponse,
    next: (error?: unknown) => void,
    body: Buffer,
  ): Promise<void> {
    let result;
    try {
      const origin = verifier.origin ?? requestOrigin(req);
      if (origin === undefined) {
        refuse(res, 'missing_header');
        return;
      }
      result = await verifier.verifyMessage({
        method: req.method ?? 'GET',
        url: origin + (req.originalUrl ?? req.url ?? '/'),
        headers: req.headersDistinct,
        body,
      });
    } catch (error) {
      next(error);
      return;
    }
    if (!result.ok) {
      if (result.status === 413) tooLarge(req, res);
      else refuse(res, result.reason);
      return;
    }
    req.rawBody = body;
    req.agentguard = result.identity;
    req.agentguardSignature = result.signature;
    if (parseJson && req.body === undefined && body.length > 0) {
      const type = req.headers['content-type'];
      if (type !== undefined && JSON_TYPE.test(type)) {
        try {
          req.body = JSON.parse(body.toString('utf8')) as unknown;
        } catch {
          answer(res, 400, { error: 'invalid_json' });
          return;
        }
      }
    }
    next();
  }
}

function requestOrigin(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host === undefined || host === '' || /[\s/?#@]/.test(host)) return undefined;
  const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
  return `${tls ? 'https' : 'http'}://${host}`;
}

function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0
  );
}

function refuse(res: ServerResponse, reason: VerifyFailureReason): void {
  answer(res, verifyFailure(reason).status, { error: 'invalid_signature', reason });
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  // Stop reading: the connection is closed once the answer is sent.
  req.pause();
  res.setHeader('connection', 'close');
  answer(res, 413, { error: 'payload_too_large', reason: 'body_too_large' });
}

function answer(res: ServerResponse, status: number, body: Record<string, string>): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
