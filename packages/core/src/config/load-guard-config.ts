import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import { AuditDispatcher } from '../audit/audit-dispatcher.js';
import { stdoutAuditSink } from '../audit/stdout-audit-sink.js';
import { anonymousAuthenticator } from '../builtin-stages.js';
import type { GuardOptions } from '../create-guard.js';
import { GuardConfigError } from '../errors.js';
import { issuePath } from '../validation/input-limits.js';
import { guardConfigSchema, type GuardConfig } from './guard-config.js';

/** Largest config file read. */
const MAX_CONFIG_BYTES = 1_048_576;

/**
 * Validates a config value (already parsed from JSON or YAML). Throws a
 * {@link GuardConfigError} naming the first offending path.
 */
export function parseGuardConfig(value: unknown): GuardConfig {
  const parsed = guardConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new GuardConfigError(issue.message, { path: issuePath(issue.path) });
}

/**
 * Reads and validates a guard config file: JSON (`.json`) or YAML (`.yaml`, `.yml`; needs the
 * `yaml` package installed).
 *
 * @example
 * const config = await loadGuardConfig('agentguard.yaml');
 * const guard = createGuard({ ...guardOptionsFromConfig(config), authenticator: jwtAuth(config.auth) });
 */
export async function loadGuardConfig(path: string): Promise<GuardConfig> {
  const info = await stat(path);
  if (info.size > MAX_CONFIG_BYTES) {
    throw new GuardConfigError(`config file larger than ${MAX_CONFIG_BYTES} bytes`, { path });
  }
  const text = await readFile(path, 'utf8');
  const extension = extname(path).toLowerCase();
  let value: unknown;
  try {
    if (extension === '.yaml' || extension === '.yml') {
      const yaml = await import('yaml');
      value = yaml.parse(text, { maxAliasCount: 100, prettyErrors: true });
    } else if (extension === '.json') {
      value = JSON.parse(text);
    } else {
      throw new GuardConfigError('config file must end in .json, .yaml or .yml', { path });
    }
  } catch (error) {
    if (error instanceof GuardConfigError) throw error;
    throw new GuardConfigError(`cannot parse: ${(error as Error).message}`, { path, cause: error });
  }
  return parseGuardConfig(value);
}

/**
 * The core options a config describes: anonymous access, input limits, rate limits and the
 * audit dispatcher. Stages of other packages are built from their own sections.
 */
export function guardOptionsFromConfig(config: GuardConfig): GuardOptions {
  const options: {
    -readonly [K in keyof GuardOptions]: GuardOptions[K];
  } = {};
  if (config.anonymous) {
    options.authenticator = anonymousAuthenticator(
      config.anonymous === true ? {} : config.anonymous,
    );
  }
  if (config.inputLimits) options.inputLimits = config.inputLimits;
  if (config.rateLimits) options.rateLimits = config.rateLimits;
  if (config.audit) {
    const { stdout, ...rest } = config.audit;
    options.audit = new AuditDispatcher({ ...rest, sinks: stdout ? [stdoutAuditSink()] : [] });
  }
  return options;
}

/** The JSON Schema of the config file, for editor completion (committed as a file). */
export function guardConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(guardConfigSchema, { target: 'draft-2020-12', io: 'input' });
}
