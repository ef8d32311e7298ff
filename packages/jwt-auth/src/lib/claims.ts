import { GuardConfigError, type Actor, type AgentIdentity, type Principal } from '@agentguard/core';
import type { ClaimMapping, ClaimPath } from '../claim-mapping.js';
import type { JwtAuthReason } from '../reasons.js';

type Path = readonly string[];

/** A {@link ClaimMapping} with every path split once, at construction. */
export interface CompiledClaims {
  readonly subject: readonly Path[];
  readonly tenant: readonly Path[];
  readonly roles: readonly Path[];
  readonly permissions: readonly Path[];
  readonly scopes: readonly Path[];
  readonly agentId: readonly Path[];
  readonly agentSponsor: readonly Path[];
  readonly agentRiskTier: readonly Path[];
  readonly actor: readonly Path[];
}

const DEFAULTS: Required<{ [K in keyof ClaimMapping]: ClaimPath | readonly ClaimPath[] }> = {
  subject: 'sub',
  tenant: 'tenant_id',
  roles: 'roles',
  permissions: 'permissions',
  scopes: ['scope', 'scp'],
  agentId: 'agent_id',
  agentSponsor: 'agent_sponsor',
  agentRiskTier: 'agent_risk_tier',
  actor: 'act',
};

const MAX_LIST = 1024;
const MAX_STRING = 1024;

export function compileClaims(
  layers: readonly (ClaimMapping | undefined)[],
  where: string,
): CompiledClaims {
  const result: Record<string, Path[]> = {};
  for (const field of Object.keys(DEFAULTS) as (keyof ClaimMapping)[]) {
    let source: ClaimPath | readonly ClaimPath[] = DEFAULTS[field];
    for (const layer of layers) {
      const value = layer?.[field];
      if (value !== undefined) source = value;
    }
    const list: readonly unknown[] = typeof source === 'string' ? [source] : source;
    if (!Array.isArray(list)) {
      throw new GuardConfigError('must be a claim path or a list of them', {
        path: `${where}.${field}`,
      });
    }
    result[field] = list.map((p, i) => compilePath(p, `${where}.${field}[${i}]`));
  }
  return result as unknown as CompiledClaims;
}

export function compilePath(path: unknown, where: string): Path {
  if (typeof path !== 'string' || path.length === 0) {
    throw new GuardConfigError('claim path must be a non-empty string', { path: where });
  }
  if (path.includes(':') || path.includes('/')) return [path];
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && path[i + 1] === '.') {
      current += '.';
      i++;
    } else if (c === '.') {
      segments.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  segments.push(current);
  if (segments.some((s) => s.length === 0)) {
    throw new GuardConfigError('claim path has an empty segment', { path: where });
  }
  return segments;
}

function read(claims: Readonly<Record<string, unknown>>, path: Path): unknown {
  let node: unknown = claims;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    // Own properties only: a claim named `__proto__` or `constructor` is plain data.
    if (!Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Thrown inside {@link buildPrincipal} only; turned into a rejection by the caller. */
class ClaimFailure extends Error {
  constructor(readonly reason: JwtAuthReason) {
    super(reason);
  }
}

function firstString(
  claims: Readonly<Record<string, unknown>>,
  paths: readonly Path[],
): string | undefined {
  for (const path of paths) {
    const value = read(claims, path);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_STRING) {
      throw new ClaimFailure('invalid_claims');
    }
    return value;
  }
  return undefined;
}

function list(
  claims: Readonly<Record<string, unknown>>,
  paths: readonly Path[],
): readonly string[] {
  let out: Set<string> | undefined;
  for (const path of paths) {
    const value = read(claims, path);
    if (value === undefined || value === null) continue;
    out ??= new Set();
    if (typeof value === 'string') {
      for (const item of value.split(' ')) if (item.length > 0) out.add(item);
    } else if (Array.isArray(value)) {
      for (const item of value as unknown[]) {
        if (typeof item !== 'string') throw new ClaimFailure('invalid_claims');
        if (item.length > 0) out.add(item);
      }
    } else {
      throw new ClaimFailure('invalid_claims');
    }
    if (out.size > MAX_LIST) throw new ClaimFailure('invalid_claims');
  }
  return out === undefined ? EMPTY : Object.freeze([...out]);
}

const EMPTY: readonly string[] = Object.freeze([]);

export interface PrincipalContext {
  readonly claims: CompiledClaims;
  /** Tenant bound to the issuer: the token's tenant claim must be absent or equal. */
  readonly boundTenant: string | undefined;
  readonly defaultTenant: string | undefined;
  readonly authenticatedBy: string;
}

export type PrincipalBuild =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: JwtAuthReason };

/** Maps verified claims to a frozen Principal. `payload` is frozen in place. */
export function buildPrincipal(
  payload: Record<string, unknown>,
  context: PrincipalContext,
): PrincipalBuild {
  try {
    return { ok: true, principal: principalOf(payload, context) };
  } catch (error) {
    if (error instanceof ClaimFailure) return { ok: false, reason: error.reason };
    throw error;
  }
}

function principalOf(payload: Record<string, unknown>, context: PrincipalContext): Principal {
  const map = context.claims;
  const subject = firstString(payload, map.subject);
  if (subject === undefined) throw new ClaimFailure('missing_claim');

  const claimedTenant = firstString(payload, map.tenant);
  let tenantId: string;
  if (context.boundTenant !== undefined) {
    if (claimedTenant !== undefined && claimedTenant !== context.boundTenant) {
      throw new ClaimFailure('tenant_mismatch');
    }
    tenantId = context.boundTenant;
  } else if (claimedTenant !== undefined) {
    tenantId = claimedTenant;
  } else if (context.defaultTenant !== undefined) {
    tenantId = context.defaultTenant;
  } else {
    throw new ClaimFailure('missing_tenant');
  }

  let actor: Actor | undefined;
  for (const path of map.actor) {
    const act = read(payload, path);
    if (act === undefined) continue;
    if (typeof act !== 'object' || act === null || Array.isArray(act)) {
      throw new ClaimFailure('invalid_claims');
    }
    const actClaims = act as Record<string, unknown>;
    const actSubject = Object.hasOwn(actClaims, 'sub') ? actClaims['sub'] : undefined;
    if (typeof actSubject !== 'string' || actSubject.length === 0) {
      throw new ClaimFailure('invalid_claims');
    }
    actor = Object.freeze({ subject: actSubject, claims: actClaims });
    break;
  }

  const agentId = firstString(payload, map.agentId) ?? actor?.subject;
  let agent: AgentIdentity | undefined;
  if (agentId !== undefined) {
    const sponsor = firstString(payload, map.agentSponsor);
    const riskTier = firstString(payload, map.agentRiskTier);
    agent = Object.freeze({
      id: agentId,
      ...(sponsor === undefined ? {} : { sponsor }),
      ...(riskTier === undefined ? {} : { riskTier }),
    });
  }

  const acr = optional(payload, 'acr', 'string');
  const authTime = optional(payload, 'auth_time', 'number');
  let amr: readonly string[] | undefined;
  if (Object.hasOwn(payload, 'amr')) {
    const value = payload['amr'];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw new ClaimFailure('invalid_claims');
    }
    amr = Object.freeze([...(value as string[])]);
  }
  const tokenId = optional(payload, 'jti', 'string');
  const expiresAt = optional(payload, 'exp', 'number');

  deepFreeze(payload);
  const principal: Principal = {
    subject,
    tenantId,
    roles: list(payload, map.roles),
    permissions: list(payload, map.permissions),
    scopes: list(payload, map.scopes),
    ...(agent === undefined ? {} : { agent }),
    ...(actor === undefined ? {} : { actor }),
    authLevel: Object.freeze({
      ...(acr === undefined ? {} : { acr }),
      ...(amr === undefined ? {} : { amr }),
      ...(authTime === undefined ? {} : { authTime }),
    }),
    ...(tokenId === undefined ? {} : { tokenId }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    claims: payload,
    authenticatedBy: context.authenticatedBy,
  };
  return Object.freeze(principal);
}

function optional(
  payload: Record<string, unknown>,
  name: string,
  type: 'string',
): string | undefined;
function optional(
  payload: Record<string, unknown>,
  name: string,
  type: 'number',
): number | undefined;
function optional(
  payload: Record<string, unknown>,
  name: string,
  type: 'string' | 'number',
): unknown {
  if (!Object.hasOwn(payload, name)) return undefined;
  const value = payload[name];
  if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
    throw new ClaimFailure('invalid_claims');
  }
  return value;
}

// Cached principals are shared by every call that presents the same token: freezing the
// claims keeps a handler from changing what the next call sees.
function deepFreeze(root: object): void {
  // Iterative: nesting depth is bounded by the token size, not by the call stack.
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    Object.freeze(node);
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push(child as object);
    }
  }
}
