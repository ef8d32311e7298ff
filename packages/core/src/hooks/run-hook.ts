import { HookFailedError, type HookFailureKind } from '../errors.js';
import type { Hook, HookInput, HookVerdict } from './hook.js';

/** How one hook run ended. */
export type HookRun =
  | { readonly status: 'passed'; readonly verdict: HookVerdict; readonly durationMs: number }
  | { readonly status: 'rejected'; readonly error: HookFailedError; readonly durationMs: number }
  | {
      readonly status: 'failed';
      readonly kind: Exclude<HookFailureKind, 'rejected'>;
      readonly error: HookFailedError;
      readonly durationMs: number;
    };

/** Default per-hook timeout. */
export const DEFAULT_HOOK_TIMEOUT_MS = 1_000;

const MAX_MESSAGE = 200;

/**
 * Runs one hook with its timeout. Never throws: a throw or timeout becomes `failed`, a
 * `reject` verdict becomes `rejected`. The hook's own error never reaches the caller; a
 * rejection message written by the hook does (cut to 200 characters). A hook that answers
 * synchronously costs no timer.
 */
export function runHook(hook: Hook, input: Omit<HookInput, 'signal'>): HookRun | Promise<HookRun> {
  const started = performance.now();
  // Created only if the hook reads `signal`: most hooks never do, and an AbortController
  // per call is the most expensive thing a synchronous hook would otherwise cost.
  const hookInput = new LazySignalInput(input);
  let pending: unknown;
  try {
    pending = hook.run(hookInput);
  } catch (cause) {
    return failed(hook, 'error', started, cause);
  }
  if (!(pending instanceof Promise)) return judge(hook, pending, started);
  return raceTimeout(hook, pending, started, () => hookInput.abort());
}

async function raceTimeout(
  hook: Hook,
  pending: Promise<unknown>,
  started: number,
  abort: () => void,
): Promise<HookRun> {
  const timeoutMs = hook.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => {
      abort();
      resolve(TIMEOUT);
    }, timeoutMs);
  });
  try {
    const verdict: unknown = await Promise.race([pending, timeout]);
    if (verdict === TIMEOUT) return failed(hook, 'timeout', started);
    return judge(hook, verdict, started);
  } catch (cause) {
    return failed(hook, 'error', started, cause);
  } finally {
    clearTimeout(timer);
  }
}

const TIMEOUT: unique symbol = Symbol('timeout');

/**
 * The hook's input. Its AbortController is created only if the hook reads `signal`: most hooks
 * never do, and a controller per call is the most expensive thing a synchronous hook would
 * otherwise cost. A class keeps the getter on the prototype, so construction stays cheap.
 */
class LazySignalInput implements HookInput {
  readonly phase: HookInput['phase'];
  readonly decisionId: string;
  readonly principal: HookInput['principal'];
  readonly tool: HookInput['tool'];
  readonly args: unknown;
  readonly context: HookInput['context'];
  readonly obligations: HookInput['obligations'];
  readonly result: unknown;
  #controller: AbortController | undefined;

  constructor(input: Omit<HookInput, 'signal'>) {
    this.phase = input.phase;
    this.decisionId = input.decisionId;
    this.principal = input.principal;
    this.tool = input.tool;
    this.args = input.args;
    this.context = input.context;
    this.obligations = input.obligations;
    this.result = input.result;
  }

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  abort(): void {
    this.#controller?.abort();
  }
}

function judge(hook: Hook, verdict: unknown, started: number): HookRun {
  const durationMs = performance.now() - started;
  if (verdict === undefined) return { status: 'passed', verdict: undefined, durationMs };
  if (typeof verdict === 'object' && verdict !== null) {
    const action = (verdict as { action?: unknown }).action;
    if (action === 'allow')
      return { status: 'passed', verdict: verdict as HookVerdict, durationMs };
    if (action === 'reject') {
      const raw = (verdict as { message?: unknown }).message;
      const message =
        typeof raw === 'string' && raw.length > 0 ? raw.slice(0, MAX_MESSAGE) : undefined;
      return {
        status: 'rejected',
        error: new HookFailedError(hook.name, 'rejected', message),
        durationMs,
      };
    }
  }
  return failed(hook, 'error', started, new TypeError('hook returned an unknown verdict'));
}

function failed(hook: Hook, kind: 'error' | 'timeout', started: number, cause?: unknown): HookRun {
  return {
    status: 'failed',
    kind,
    error: new HookFailedError(hook.name, kind, undefined, cause === undefined ? {} : { cause }),
    durationMs: performance.now() - started,
  };
}
