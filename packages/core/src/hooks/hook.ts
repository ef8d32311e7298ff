import type { CallContext } from '../call-context.js';
import type { Obligations, ObligationsPatch } from '../obligations.js';
import type { Principal } from '../principal.js';
import type { MaybePromise } from '../result.js';
import type { ToolInfo } from '../tool.js';

/** What a hook sees. */
export interface HookInput {
  readonly phase: 'before' | 'after';
  readonly decisionId: string;
  readonly principal: Principal;
  readonly tool: ToolInfo;
  /** The validated arguments. */
  readonly args: unknown;
  readonly context: CallContext;
  /** Obligations accumulated so far. */
  readonly obligations: Obligations;
  /** The handler's result (after-hooks only). */
  readonly result?: unknown;
  /** Aborted when the hook's timeout elapses. */
  readonly signal: AbortSignal;
}

/** What a hook answers. `undefined` means "no objection". */
export type HookVerdict =
  | undefined
  | void
  | { readonly action: 'allow'; readonly obligations?: ObligationsPatch | undefined }
  | { readonly action: 'reject'; readonly message?: string | undefined };

/** A custom check that runs before or after the handler. */
export interface Hook {
  /** Stable name, used in audit events and errors. */
  readonly name: string;
  run(input: HookInput): MaybePromise<HookVerdict>;
  /** Milliseconds before the hook counts as failed. Default 1,000. */
  readonly timeoutMs?: number | undefined;
  /**
   * What a throw or timeout means. `closed` (default): the call is refused with `hook_failed`
   * (503). `open`: the call goes on and the failure is audited. A `reject` verdict always
   * refuses, whatever the fail mode.
   */
  readonly failMode?: 'closed' | 'open' | undefined;
  /** Tool names or globs the hook applies to. Default: every tool. */
  readonly tools?: readonly string[] | undefined;
}
