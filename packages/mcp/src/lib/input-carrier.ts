import { GuardConfigError, strictSchema } from '@agentguard/core';
import { z } from 'zod';

const carriers = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The schema handed to the SDK's `registerTool`. It accepts any arguments object (the guard
 * validates strictly, after authentication and access control, so unauthenticated callers
 * learn nothing from validation errors and every rejection is audited), and it describes
 * itself to `tools/list` with the JSON Schema of the real, strict input schema.
 *
 * The description is attached through zod's per-schema `toJSONSchema` override, which both
 * SDK majors honour when they convert a zod 4 schema.
 */
export function inputCarrier(input: z.ZodType): z.ZodType {
  const cached = carriers.get(input);
  if (cached) return cached;
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(strictSchema(input), { io: 'input', unrepresentable: 'any' });
  } catch (error) {
    throw new GuardConfigError('input schema cannot be described as JSON Schema', {
      path: 'input',
      cause: error,
    });
  }
  if (json['type'] !== 'object') {
    throw new GuardConfigError('an MCP tool input schema must be an object schema', {
      path: 'input',
    });
  }
  delete json['$schema'];
  const carrier = z.looseObject({});
  (carrier._zod as { toJSONSchema?: () => Record<string, unknown> }).toJSONSchema = () => ({
    ...json,
  });
  carriers.set(input, carrier);
  return carrier;
}
