import {
  ApprovalInvalidError,
  bearerToken,
  GuardConfigError,
  InvalidInputError,
  type CallContext,
  type Guard,
  type GuardedResult,
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
import { rateLimitPolicy, rateLimitState } from './lib/rate-limit-headers.js';
import { clientIp, requestApp, requestPath, requestQuery } from './lib/request-info.js';
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
) => R | PromiseLike<R>;

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

const APPROVAL_ID = /^[\x21-\x7e]{1,256}$/;

/** Where the call context of a request keeps its Express side, out of the stages' sight. */
const ROUTE = Symbol('agentguard.express.route');

/**
 * One guarded request: what the route read of it before the body was parsed, and what the
 * tool handler leaves for the answer. One object per request.
 */
interface Pending {
  readonly req: Request;
  readonly res: Response;
  /** The call context passed to the pipeline (set right after this object is made). */
  context: RouteCallContext | undefined;
  readonly params: unknown;
  readonly query: unknown;
  /** The approval header as received; checked before the pipeline runs. */
  readonly approval: string | string[] | undefined;
  readonly tokenPresented: boolean;
  rateLimit: RateLimitInfo | undefined;
  passed: HandlerContext | undefined;
  args: unknown;
}

/** The call context `guardRoute` passes to the pipeline, carrying its request. */
interface RouteCallContext extends CallContext {
  readonly [ROUTE]: Pending;
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

  function guardRoute<S extends z.ZodType, R>(
    toolName: string,
    definition: ToolDefinition<S>,
    handler?: RouteHandler<S, R>,
  ): RequestHandler {
    if (handler !== undefined && typeof handler !== 'function') {
      throw new GuardConfigError('handler must be a function', { path: toolName });
    }
    const route = handler as ((args: unknown, context: RouteContext) => unknown) | undefined;
    const tool: GuardedTool = guard(toolName, definition, function routeHandler(args, context) {
      const call = (context.call as Partial<RouteCallContext>)[ROUTE];
      if (call === undefined) throw new Error('guarded route called outside Express');
      call.rateLimit = context.rateLimit;
      if (route === undefined) {
        call.passed = context;
        call.args = args;
        return undefined;
      }
      // Every field written out: a literal of fixed shape, cheaper than a spread.
      const routeContext: RouteContext = {
        principal: context.principal,
        decisionId: context.decisionId,
        traceId: context.traceId,
        tool: context.tool,
        call: context.call,
        signer: context.signer,
        approval: context.approval,
        obligations: context.obligations,
        rateLimit: context.rateLimit,
        req: call.req,
        res: call.res,
      };
      return route(args, routeContext);
    });

    /**
     * Reads what the route needs of the request, before the body parser runs: the parser adds
     * fields to `req`, and each read after that is a new lookup for V8 (see
     * lib/request-info.ts), while reads before it share the parser's own.
     */
    function prepare(req: Request, res: Response): Pending {
      const headers = req.headers;
      const url = req.url;
      const app = requestApp(req);
      const approval = headers[approvalHeader];
      const authorization = headers.authorization;
      const traceparent = headers.traceparent;
      const call: Pending = {
        req,
        res,
        context: undefined,
        params: req.params,
        query: requestQuery(req, url, app),
        approval,
        tokenPresented: authorization !== undefined,
        rateLimit: undefined,
        passed: undefined,
        args: undefined,
      };
      call.context = {
        token: authorization === undefined ? undefined : bearerToken(authorization),
        headers,
        ip: clientIp(req, app),
        userAgent: headers['user-agent'],
        traceparent: typeof traceparent === 'string' ? traceparent : undefined,
        // Checked in `run` before anything else sees it.
        approvalId: typeof approval === 'string' ? approval : undefined,
        // The URL lets authenticators refuse a token sent in the query string (RFC 6750 §2.3).
        extra: {
          transport: 'http',
          method: req.method,
          path: requestPath(req, url),
          url: req.originalUrl,
        },
        [ROUTE]: call,
      };
      return call;
    }

    function run(call: Pending, next: NextFunction, body: unknown): void {
      const approval = call.approval;
      const merged = mergeArgs(call.params, call.query, body);
      if (!merged.ok) {
        sendGuardError(call.res, new InvalidInputError(merged.issues, { reason: 'args_conflict' }));
        return;
      }
      if (approval !== undefined && (typeof approval !== 'string' || !APPROVAL_ID.test(approval))) {
        sendGuardError(
          call.res,
          new ApprovalInvalidError('approval id malformed', { reason: 'malformed' }),
        );
        return;
      }
      // `run` answers at once when every stage did (a cached token, in-memory limits, a
      // synchronous handler): the request is answered without a promise or a microtask.
      const done = tool.run(merged.args, call.context);
      if (!(done instanceof Promise)) {
        answer(done, call, next);
        return;
      }
      done.then((result) => {
        try {
          answer(result, call, next);
        } catch (error) {
          next(error);
        }
      }, next);
    }

    /** Runs the route; whatever throws goes to Express's error handling. */
    function start(call: Pending, next: NextFunction, body: unknown): void {
      try {
        run(call, next, body);
      } catch (error) {
        next(error);
      }
    }

    function answer(result: GuardedResult<unknown>, call: Pending, next: NextFunction): void {
      const res = call.res;
      // Read once: nothing below sends the headers before the answer does.
      const headersSent = res.headersSent;
      if (!result.ok) {
        if (!headersSent) {
          sendGuardError(res, result.error, {
            ...errorOptions,
            tokenPresented: call.tokenPresented,
          });
        }
        return;
      }
      const rateLimit = call.rateLimit;
      if (rateLimit !== undefined && !headersSent) {
        // Values built here from numbers and quoted rule ids: Node's own checks suffice.
        res.setHeader('RateLimit-Policy', rateLimitPolicy(rateLimit));
        res.setHeader('RateLimit', rateLimitState(rateLimit));
      }
      if (route === undefined) {
        const locals: RouteGuardLocals = { args: call.args, context: call.passed! };
        res.locals['agentguard'] = locals;
        next();
        return;
      }
      if (headersSent) return;
      // A store costs more than a read on Express's response objects: set only what changes.
      const status = result.value === undefined ? 204 : 200;
      if (res.statusCode !== status) res.statusCode = status;
      if (status === 204) res.end();
      else res.json(result.value);
    }

    return function guardedRoute(req, res, next) {
      let call: Pending;
      try {
        call = prepare(req, res);
      } catch (error) {
        next(error);
        return;
      }
      const body: unknown = req.body;
      if (body !== undefined) {
        start(call, next, body);
        return;
      }
      parseJson(req, res, (error?: unknown) => {
        if (error === undefined || error === null) {
          start(call, next, req.body);
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
