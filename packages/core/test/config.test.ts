import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  GuardConfigError,
  allowAllAccess,
  createGuard,
  guardConfigJsonSchema,
  guardOptionsFromConfig,
  loadGuardConfig,
  parseGuardConfig,
} from '@agentguard/core';

const dir = mkdtempSync(join(tmpdir(), 'ag-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadGuardConfig', () => {
  it('loads YAML and builds a working guard from it', async () => {
    const config = await loadGuardConfig(join(import.meta.dirname, 'fixtures', 'agentguard.yaml'));
    expect(config.rateLimits).toHaveLength(2);
    const guard = createGuard({
      ...guardOptionsFromConfig(config),
      accessControl: allowAllAccess(),
    });
    const pay = guard(
      'payments.send',
      { input: z.object({}), operation: 'write' },
      (_a, ctx) => ctx.principal.tenantId,
    );
    for (let i = 0; i < 5; i++) await expect(pay({})).resolves.toBe('demo');
    await expect(pay({})).rejects.toMatchObject({ code: 'rate_limited', reason: 'writes' });
    await guard.close();
  });

  it('loads JSON', async () => {
    const path = file('c.json', JSON.stringify({ version: 1, anonymous: true }));
    expect(await loadGuardConfig(path)).toEqual({ version: 1, anonymous: true });
  });

  it.each([
    ['unknown top-level key', { version: 1, audits: {} }, /^\$: /],
    [
      'wrong type deep inside',
      { version: 1, rateLimits: [{ id: 'a', limit: 'ten', windowMs: 1 }] },
      /^\$\.rateLimits\[0\]\.limit: /,
    ],
    ['bad enum', { version: 1, audit: { onFull: 'explode' } }, /^\$\.audit\.onFull: /],
    ['missing version', {}, /^\$\.version: /],
  ])('names the offending path: %s', (_label, value, pattern) => {
    expect(() => parseGuardConfig(value)).toThrow(GuardConfigError);
    expect(() => parseGuardConfig(value)).toThrow(pattern);
  });

  it('rejects unreadable files clearly', async () => {
    await expect(loadGuardConfig(file('bad.json', '{ nope'))).rejects.toThrow(/cannot parse/);
    await expect(loadGuardConfig(file('bad.yaml', 'a: [1'))).rejects.toThrow(/cannot parse/);
    await expect(loadGuardConfig(file('c.toml', 'x = 1'))).rejects.toThrow(
      /\.json, \.yaml or \.yml/,
    );
    await expect(loadGuardConfig(file('big.json', ' '.repeat(1_048_577)))).rejects.toThrow(
      /larger than/,
    );
  });

  it('resists YAML alias bombs', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(
        `${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`,
      );
    }
    await expect(loadGuardConfig(file('bomb.yaml', lines.join('\n')))).rejects.toThrow(
      GuardConfigError,
    );
  });
});

describe('JSON Schema', () => {
  it('the committed schema matches the zod schema', () => {
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'agentguard.schema.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(committed).toEqual({
      $id: committed['$id'],
      title: committed['title'],
      ...guardConfigJsonSchema(),
    });
  });
});
