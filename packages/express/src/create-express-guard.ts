import {
  ApprovalInvalidError,
  GuardConfigError,
  InvalidInputError,
  type CallContext,
  type Guard,
  type GuardedTool,
  type HandlerContext,
  type RateLimitInfo,
  type ToolDefinition,
} from '@agentguard/core';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { z } from 'zod';
import type { ChallengeOptions } from '@agentguard/core';
import { mergeArgs } from './lib/args.js';
import { rateLimitHeaders } from './lib/rate-limit-headers.js';
import { sendGuardError } from './send-guard-error.js';

/** Options of {@link createExpressGuard}. */
export interface ExpressGuardOptions extends ChallengeOptions {
  /**
   * Largest JSON body accepted, in bytes or as a size string (`'1mb'`). A larger body is
   * answered `413`. Default `'100kb'`. Ignored when an app-level body parser already ran.
   */
  readonly bodyLimit?: number | string | undefined;
  /** Header an agent sends the approval id in, when re-invoking. Default `agentguard-approval-id`. */
  readonly approvalHeader?: string | undefined;
  /** URL where a client follows an approval, sent as `Location` with `202`. Default none. */
  readonly approvalLocation?: ((approvalId: string) => string) | undefined;
}

/** What a route handler receives besides its arguments: the guard's context and Express's. */
export interface RouteContext extends HandlerContext {
  readonly req: Request;
  readonly res: Response;
}

/** A route implementation: `args` typed by the schema; the return value is sent as JSON. */
export type RouteHandler<S extends z.ZodType, R> = (
  args: z.output<S>,
  context: RouteContext,
) => R | Promise<R>;

/** What a gate-only route (no handler) leaves in `res.locals.agentguard` for the next one. */
export interface RouteGuardLocals {
  readonly args: unknown;
  readonly context: HandlerContext;
}

/** Creates Express middleware that guards one route as the tool `toolName`. */
export type GuardRoute = <S extends z.ZodType, R>(
  toolName: string,
  definition: ToolDefinition<S>,
  handler?: RouteHandler<S, R>,
) => RequestHandler;

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const APPROVAL_ID = /^[\x21-\x7e]{1,256}$/;

interface Pending {
  readonly req: Request;
  readonly res: Response;
  readonly handler: ((args: unknown, context: RouteContext) => unknown) | undefined;
  rateLimit: RateLimitInfo | undefined;
  passed: HandlerContext | undefined;
  args: unknown;
}

/**
 * Binds a guard to Express 5 and returns `guardRoute`, which turns a REST endpoint into a
 * guarded tool: route params, query and JSON body are the arguments (a key given in two of
 * them is refused with `400`, never overwritten), the bearer token comes from
 * `Authorization`, the client IP from `req.ip` (so Express's `trust proxy` setting applies),
 * and rejections are answered with the error table's status and the standard headers
 * (`WWW-Authenticate`, `Retry-After`, `RateLimit-Policy` / `RateLimit`).
 *
 * With a handler, its return value is sent as JSON (`204` when undefined; nothing when the
 * handler answered itself). Without one, the route is a gate: after the pipeline allows the
 * call, `next()` runs with `res.locals.agentguard` = `{ args, context }`.
 *
 * Query values are strings: use `z.coerce.number()` and the like in the schema.
 *
 * @example
 * const { guardRoute } = createExpressGuard(guard);
 * app.post(
 *   '/customers/:id/refund',
 *   guardRoute(
 *     'payments.refund',
 *     { input: z.object({ id: z.string(), amount: z.number().positive() }), operation: 'write' },
 *     async ({ id, amount }, { principal }) => payments.refund(principal.tenantId, id, amount),
 *   ),
 * );
 */
export function createExpressGuard(
  guard: Guard,
  options: ExpressGuardOptions = {},
): { guardRoute: GuardRoute } {
  if (typeof guard !== 'function' || typeof guard.authenticate !== 'function') {
    throw new GuardConfigError('guard must come from createGuard()', { path: 'guard' });
  }
  const approvalHeader = (options.approvalHeader ?? 'agentguard-approval-id').toLowerCase();
  // body-parser types its middleware for connect; it is Express's own JSON parser.
  const parseJson = express.json({
    limit: options.bodyLimit ?? '100kb',
    strict: true,
  }) as unknown as RequestHandler;
  const errorOptions = {
    realm: options.realm,
    resourceMetadataUrl: options.resourceMetadataUrl,
    approvalLocation: options.approvalLocation,
  };
  const pending = new WeakMap<CallContext, Pending>();

  function guardRoute<S extends z.ZodType, R>(
    toolName: string,
    definition: ToolDefinition<S>,
    handler?: RouteHandler<S, R>,
  ): RequestHandler {
    if (handler !== undefined && typeof handler !== 'function') {
      throw new GuardConfigError('handler must be a function', { path: toolName });
    }
    const tool: GuardedTool = guard(toolName, definition, function routeHandler(args, context) {
      const call = pending.get(context.call);
      if (!call) throw new Error('guarded route called outside Express');
      call.rateLimit = context.rateLimit;
      if (!call.handler) {
        call.passed = context;
        call.args = args;
        return undefined;
      }
      return call.handler(args, { ...context, req: call.req, res: call.res });
    });

    async function run(req: Request, res: Response, next: NextFunction): Promise<void> {
      const header = req.headers.authorization;
      const merged = mergeArgs(req.params, req.query, req.body);
      if (!merged.ok) {
        sendGuardError(res, new InvalidInputError(merged.issues, { reason: 'args_conflict' }));
        return;
      }
      const approval = req.headers[approvalHeader];
      if (approval !== undefined && (typeof approval !== 'string' || !APPROVAL_ID.test(approval))) {
        sendGuardError(
          res,
          new ApprovalInvalidError('approval id malformed', { reason: 'malformed' }),
        );
        return;
      }
      const traceparent = req.headers.traceparent;
      const token = BEARER.exec(header ?? '')?.[1];
      const context: CallContext = {
        token,
        headers: req.headers,
        ip: req.ip,
        userAgent: req.headers['user-agent'],
        traceparent: typeof traceparent === 'string' ? traceparent : undefined,
        approvalId: approval,
        extra: { transport: 'http', method: req.method, path: req.path },
      };
      const call: Pending = {
        req,
        res,
        handler: handler as Pending['handler'],
        rateLimit: undefined,
        passed: undefined,
        args: undefined,
      };
      pending.set(context, call);
      const result = await tool.execute(merged.args, context);
      if (!result.ok) {
        if (!res.headersSent) {
          sendGuardError(res, result.error, {
            ...errorOptions,
            tokenPresented: header !== undefined,
          });
        }
        return;
      }
      if (call.rateLimit && !res.headersSent) res.set(rateLimitHeaders(call.rateLimit));
      if (!handler) {
        const locals: RouteGuardLocals = { args: call.args, context: call.passed! };
        res.locals['agentguard'] = locals;
        next();
        return;
      }
      if (res.headersSent) return;
      if (result.value === undefined) res.status(204).end();
      else res.status(200).json(result.value);
    }

    return function guardedRoute(req, res, next) {
      const start = (): void => {
        run(req, res, next).catch(next);
      };
      if (req.body !== undefined) {
        start();
        return;
      }
      parseJson(req, res, (error?: unknown) => {
        if (error === undefined || error === null) {
          start();
          return;
        }
        // The body parser failed: too large (413) or not JSON (400). Nothing ran yet.
        const tooLarge = (error as { status?: unknown }).status === 413;
        res
          .status(tooLarge ? 413 : 400)
          .set('Cache-Control', 'no-store')
          .json({
            code: 'invalid_input',
            message: tooLarge ? 'request body too large' : 'request body is not valid json',
            status: tooLarge ? 413 : 400,
            reason: tooLarge ? 'body_too_large' : 'invalid_json',
          });
      });
    };
  }

  return { guardRoute };
}
