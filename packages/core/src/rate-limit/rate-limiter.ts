import { GuardConfigError, RateLimitedError } from '../errors.js';
import type { Principal } from '../principal.js';
import { fail, ok, type MaybePromise, type StageResult } from '../result.js';
import { compileToolPatterns, type ToolMatcher } from '../tool-pattern.js';
import type { RateLimitAlgorithm, RateLimitState, RateLimitStore } from './rate-limit-store.js';

/** What a limit is counted per. */
export type RateLimitDimension = 'tenant' | 'principal' | 'tool';

/** One rate limit. */
export interface RateLimitRule {
  /** Stable id, part of every key and shown in `RateLimit-Policy`. */
  readonly id: string;
  /** Calls allowed per window. */
  readonly limit: number;
  /** Window length in milliseconds (token bucket: time to refill completely). */
  readonly windowMs: number;
  /** What the limit is counted per. Default `['tenant', 'principal']`. */
  readonly by?: readonly RateLimitDimension[] | undefined;
  /** Default `sliding-window`. */
  readonly algorithm?: RateLimitAlgorithm | undefined;
  /** Tool names or globs the limit applies to. Default: every tool. */
  readonly tools?: readonly string[] | undefined;
}

/** Details of the limit that allowed a call, for `RateLimit-*` headers. */
export interface RateLimitInfo {
  readonly rule: string;
  readonly limit: number;
  readonly remaining: number;
  readonly resetSeconds: number;
  readonly windowSeconds: number;
}

interface CompiledRule {
  readonly rule: RateLimitRule;
  readonly by: readonly RateLimitDimension[];
  readonly spec: { algorithm: RateLimitAlgorithm; limit: number; windowMs: number };
  readonly applies: ToolMatcher;
  /**
   * Keys already built, per frozen principal (authenticators that cache, like jwtAuth, hand
   * the same frozen principal to every call of a token): key by tool name.
   */
  readonly keys: WeakMap<Principal, Map<string, string>>;
}

/** Applies every matching rule in order; the first exhausted limit rejects. */
export type RateLimitCheck = (
  principal: Principal,
  tool: string,
  now: number,
) => MaybePromise<StageResult<RateLimitInfo | undefined>>;

const DIMENSIONS = new Set<RateLimitDimension>(['tenant', 'principal', 'tool']);

/** Most keys remembered per principal and rule. */
const MAX_CACHED_TOOLS = 256;

/** Validates the rules once and returns the rate-limit stage. */
export function createRateLimiter(
  rules: readonly RateLimitRule[],
  store: RateLimitStore,
): RateLimitCheck {
  const ids = new Set<string>();
  const compiled: CompiledRule[] = rules.map((rule, index) => {
    const path = `rateLimits[${index}]`;
    if (!rule.id || ids.has(rule.id))
      throw new GuardConfigError('id missing or repeated', { path });
    ids.add(rule.id);
    if (!Number.isInteger(rule.limit) || rule.limit < 1) {
      throw new GuardConfigError('limit must be a positive integer', { path: `${path}.limit` });
    }
    if (!Number.isInteger(rule.windowMs) || rule.windowMs < 1) {
      throw new GuardConfigError('windowMs must be a positive integer', {
        path: `${path}.windowMs`,
      });
    }
    const by = rule.by ?? ['tenant', 'principal'];
    for (const d of by) {
      if (!DIMENSIONS.has(d)) throw new GuardConfigError(`unknown dimension ${d}`, { path });
    }
    return {
      rule,
      by,
      spec: {
        algorithm: rule.algorithm ?? 'sliding-window',
        limit: rule.limit,
        windowMs: rule.windowMs,
      },
      applies: rule.tools ? compileToolPatterns(rule.tools) : () => true,
      keys: new WeakMap(),
    };
  });

  /** {@link keyOf}, built once per frozen principal and tool (a frozen one cannot change). */
  function keyFor(entry: CompiledRule, principal: Principal, tool: string): string {
    if (!Object.isFrozen(principal)) return keyOf(entry, principal, tool);
    let byTool = entry.keys.get(principal);
    if (byTool === undefined) {
      byTool = new Map();
      entry.keys.set(principal, byTool);
    }
    let key = byTool.get(tool);
    if (key === undefined) {
      key = keyOf(entry, principal, tool);
      // Tool names come from the guard's registered tools; the bound is for other callers.
      if (byTool.size < MAX_CACHED_TOOLS) byTool.set(tool, key);
    }
    return key;
  }

  function keyOf(entry: CompiledRule, principal: Principal, tool: string): string {
    // Tenant first, always: keys of two tenants can never collide. Parts are length-prefixed
    // so a subject containing the separator cannot forge another key.
    let key = `rl:${entry.rule.id}:${principal.tenantId.length}:${principal.tenantId}`;
    for (const d of entry.by) {
      if (d === 'principal') key += `:p${principal.subject.length}:${principal.subject}`;
      else if (d === 'tool') key += `:t${tool.length}:${tool}`;
    }
    return key;
  }

  function toInfo(entry: CompiledRule, state: RateLimitState): RateLimitInfo {
    return {
      rule: entry.rule.id,
      limit: entry.rule.limit,
      remaining: state.remaining,
      resetSeconds: Math.ceil(state.resetMs / 1000),
      windowSeconds: Math.ceil(entry.rule.windowMs / 1000),
    };
  }

  function reject(entry: CompiledRule, state: RateLimitState): StageResult<never> {
    return fail(
      new RateLimitedError(
        Math.max(1, Math.ceil(state.retryAfterMs / 1000)),
        entry.rule.limit,
        Math.ceil(entry.rule.windowMs / 1000),
        { reason: entry.rule.id },
      ),
    );
  }

  return function checkRateLimits(principal, tool, now) {
    let tightest: RateLimitInfo | undefined;
    for (let i = 0; i < compiled.length; i++) {
      const entry = compiled[i]!;
      if (!entry.applies(tool)) continue;
      const state = store.hit(keyFor(entry, principal, tool), entry.spec, now);
      if (state instanceof Promise) {
        return continueAsync(state, i, tightest);
      }
      if (!state.allowed) return reject(entry, state);
      const info = toInfo(entry, state);
      if (tightest === undefined || info.remaining < tightest.remaining) tightest = info;
    }
    return ok(tightest);

    async function continueAsync(
      pending: Promise<RateLimitState>,
      index: number,
      soFar: RateLimitInfo | undefined,
    ): Promise<StageResult<RateLimitInfo | undefined>> {
      let best = soFar;
      let state = await pending;
      for (let i = index; i < compiled.length; i++) {
        const entry = compiled[i]!;
        if (i > index) {
          if (!entry.applies(tool)) continue;
          state = await store.hit(keyFor(entry, principal, tool), entry.spec, now);
        }
        if (!state.allowed) return reject(entry, state);
        const info = toInfo(entry, state);
        if (best === undefined || info.remaining < best.remaining) best = info;
      }
      return ok(best);
    }
  };
}
