import { GuardConfigError } from '@agentguard/core';
import type { MaskerOptions } from './create-masker.js';
import { compileOptions } from './lib/compile.js';

const CODE_ONLY = ['keys', 'masterKey', 'audit', 'logger'];

/**
 * Validates the `masking` section of a config file and returns it as {@link MaskerOptions}.
 * The file form is plain JSON: patterns and key rules as strings (`"/^x-.*$/i"` for a regular
 * expression), validators by name. Keys, the audit callback and the logger are code-only:
 * pass them to `createMasker` beside the parsed options.
 *
 * @example
 * const config = await loadGuardConfig('agentguard.yaml');
 * const masker = createMasker({ ...parseMaskingConfig(config.masking), masterKey: process.env.MASKING_KEY });
 */
export function parseMaskingConfig(section: unknown): MaskerOptions {
  if (section === undefined) return {};
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw new GuardConfigError('must be an object', { path: 'masking' });
  }
  for (const key of CODE_ONLY) {
    if (Object.hasOwn(section, key)) {
      throw new GuardConfigError('belongs in code, not in the config file', {
        path: `masking.${key}`,
      });
    }
  }
  const options = section as MaskerOptions;
  try {
    // Everything but keys is checked here; strategies that need keys are checked again by
    // createMasker once the keys are given.
    compileOptions({ ...options, masterKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
  } catch (error) {
    if (error instanceof GuardConfigError && error.path !== undefined) {
      throw new GuardConfigError(error.message.slice(error.path.length + 2), {
        path: `masking.${error.path}`,
        cause: error,
      });
    }
    throw error;
  }
  return options;
}
