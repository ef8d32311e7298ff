import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  createGuard,
  type GuardedResult,
  type GuardedTool,
  type HandlerContext,
  type Principal,
  type CallSigner,
} from '@agentguard/core';

describe('guard() types', () => {
  const guard = createGuard();

  it('infers handler args from the schema, including transforms and defaults', () => {
    guard(
      'pay',
      {
        input: z.object({
          amount: z.number(),
          currency: z.enum(['EUR', 'USD']).default('EUR'),
          memo: z.string().optional(),
          when: z.string().transform((s) => new Date(s)),
        }),
        operation: 'write',
      },
      (args, ctx) => {
        expectTypeOf(args).toEqualTypeOf<{
          amount: number;
          currency: 'EUR' | 'USD';
          memo?: string | undefined;
          when: Date;
        }>();
        expectTypeOf(ctx).toEqualTypeOf<HandlerContext>();
        expectTypeOf(ctx.principal).toEqualTypeOf<Principal>();
        expectTypeOf(ctx.signer).toEqualTypeOf<CallSigner | undefined>();
        return { ok: true as const };
      },
    );
  });

  it('types the guarded tool by the handler result, unwrapping promises', () => {
    const tool = guard('t', { input: z.object({}), operation: 'read' }, async () => ({ n: 1 }));
    expectTypeOf(tool).toExtend<GuardedTool>();
    expectTypeOf(tool).returns.toEqualTypeOf<Promise<{ n: number }>>();
    expectTypeOf(tool).parameter(0).toEqualTypeOf<unknown>();
    expectTypeOf(tool.run).returns.toEqualTypeOf<
      GuardedResult<{ n: number }> | Promise<GuardedResult<{ n: number }>>
    >();
  });

  it('rejects an unknown operation and a non-schema input at compile time', () => {
    // @ts-expect-error operation must be read | write | delete
    guard('a', { input: z.object({}), operation: 'update' }, () => 1);
    // @ts-expect-error input must be a zod schema
    guard('b', { input: { type: 'object' }, operation: 'read' }, () => 1);
    guard('c', { input: z.object({ a: z.string() }), operation: 'read' }, (args) => {
      // @ts-expect-error the handler cannot read a field the schema lacks
      const missing: unknown = args.b;
      return missing;
    });
  });
});
