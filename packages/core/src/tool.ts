import type { z } from 'zod';

/** What a tool does to the world. */
export type OperationKind = 'read' | 'write' | 'delete';

/** Sensitivity of the data a tool touches. */
export type Sensitivity = 'public' | 'internal' | 'confidential' | 'restricted';

/** Hints about a tool, as MCP tool annotations carry them. */
export interface ToolAnnotations {
  readonly title?: string | undefined;
  readonly readOnlyHint?: boolean | undefined;
  readonly destructiveHint?: boolean | undefined;
  readonly idempotentHint?: boolean | undefined;
  readonly openWorldHint?: boolean | undefined;
  /** Free tags for rules and policies to target (for example `payments`, `pii`). */
  readonly tags?: readonly string[] | undefined;
}

/** How a tool is declared to the guard. */
export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  /** Input schema. Objects are made strict: unknown keys are rejected. */
  readonly input: S;
  /** What the tool does. Required: there is no safe default. */
  readonly operation: OperationKind;
  readonly description?: string | undefined;
  readonly annotations?: ToolAnnotations | undefined;
  /** Default `internal`. */
  readonly sensitivity?: Sensitivity | undefined;
}

/** The facts about a tool that stages see (no schema, no handler). */
export interface ToolInfo {
  readonly name: string;
  readonly operation: OperationKind;
  readonly annotations: ToolAnnotations;
  readonly tags: readonly string[];
  readonly sensitivity: Sensitivity;
}
