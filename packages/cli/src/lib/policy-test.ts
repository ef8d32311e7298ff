import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { GuardConfigError, loadGuardConfig, type PolicyInput } from '@agentguard/core';
import { policiesFromConfig, policyEngine, type PolicyExplanation } from '@agentguard/policy';
import { parse } from 'yaml';
import type { CliIo } from '../cli-io.js';
import { policyTestsFileSchema, type PolicyTestCase } from './tests-file.js';

/** Thrown for a usage or configuration problem (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const MAX_TESTS_BYTES = 4 * 1_048_576;

function toInput(test: PolicyTestCase, fallbackNow: number): PolicyInput {
  const p = test.principal;
  const time = test.request.time;
  return {
    principal: {
      subject: p.subject,
      tenantId: p.tenant,
      roles: p.roles,
      permissions: p.permissions,
      scopes: p.scopes,
      agent: p.agent,
      authLevel: { acr: p.acr, amr: p.amr, authTime: p.authTime },
      claims: {},
      authenticatedBy: 'agentguard-cli',
    },
    tool: {
      name: test.tool.name,
      operation: test.tool.operation,
      tags: test.tool.tags,
      sensitivity: test.tool.sensitivity,
      annotations: { ...test.tool.annotations, tags: test.tool.tags },
    },
    args: test.args ?? {},
    context: {
      ip: test.request.ip,
      country: test.request.country,
      userAgent: test.request.userAgent,
    },
    now: time === undefined ? fallbackNow : typeof time === 'number' ? time : Date.parse(time),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function why(explanation: PolicyExplanation): string[] {
  const lines: string[] = [];
  for (const p of explanation.policies) {
    if (!p.targeted || p.state === 'disabled') continue;
    const mark = p.matched ? 'matched' : 'not matched';
    const at = p.decidedBy === undefined ? '' : `, decided at ${p.decidedBy}`;
    const err = p.error === undefined ? '' : `, error: ${p.error}`;
    const flags = `${p.state === 'monitor' ? ' [monitor]' : ''}${p.decisive ? ' [decisive]' : ''}`;
    lines.push(`      ${p.scope}/${p.id} (${p.action}): ${mark}${at}${err}${flags}`);
  }
  if (lines.length === 0) lines.push('      no policy targets this tool');
  return lines;
}

async function readTests(path: string) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  if (text.length > MAX_TESTS_BYTES) throw new UsageError(`${path} is too large`);
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new UsageError(`cannot parse ${path}: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const parsed = policyTestsFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${path}: ${issue.path.join('.') || '$'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Runs `agentguard policy test`; returns the exit code. */
export async function policyTest(
  testsPath: string,
  configOption: string | undefined,
  io: CliIo,
): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const testsFile = resolve(cwd, testsPath);
  const tests = await readTests(testsFile);
  const configPath = configOption
    ? resolve(cwd, configOption)
    : tests.config
      ? resolve(dirname(testsFile), tests.config)
      : undefined;
  if (!configPath)
    throw new UsageError('no config: pass --config or set `config` in the tests file');
  let engine;
  try {
    const config = await loadGuardConfig(configPath);
    engine = policyEngine({ policies: policiesFromConfig(config.policies) });
  } catch (error) {
    if (error instanceof GuardConfigError) throw new UsageError(`${configPath}: ${error.message}`);
    throw new UsageError(`cannot load ${configPath}: ${(error as Error).message}`);
  }

  const now = Date.now();
  let failed = 0;
  io.stdout.write(`policy tests: ${testsPath} against ${configOption ?? tests.config ?? ''}\n`);
  for (const test of tests.tests) {
    const explanation = await engine.explain(toInput(test, now));
    const outcome = explanation.outcome;
    const masks = outcome.ok ? [...(outcome.obligations?.maskProfiles ?? [])] : [];
    const problems: string[] = [];
    if (explanation.decision !== test.expect) {
      problems.push(`expected ${test.expect}, got ${explanation.decision}`);
    }
    if (test.maskProfiles && !sameList(masks, test.maskProfiles)) {
      problems.push(
        `expected mask profiles [${test.maskProfiles.join(', ')}], got [${masks.join(', ')}]`,
      );
    }
    if (problems.length === 0) {
      io.stdout.write(`  ✓ ${test.name} (${explanation.decision})\n`);
      continue;
    }
    failed += 1;
    io.stdout.write(`  ✗ ${test.name}: ${problems.join('; ')}\n`);
    if (!outcome.ok && outcome.error.reason !== undefined) {
      io.stdout.write(`      reason: ${outcome.error.reason}\n`);
    }
    io.stdout.write(`${why(explanation).join('\n')}\n`);
  }
  const total = tests.tests.length;
  io.stdout.write(`\n${total - failed} passed, ${failed} failed, ${total} total\n`);
  return failed === 0 ? 0 : 1;
}
