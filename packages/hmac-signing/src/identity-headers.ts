/** The fields of a call's identity as the signer asserts it to backends. */
export interface SignerIdentity {
  /** Who the call is for (the token's subject). */
  readonly subject: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly agentId?: string | undefined;
  /** The guard's decision id for the call, to join backend logs with the audit trail. */
  readonly decisionId: string;
  /** The tool whose handler made the request. */
  readonly tool: string;
  /** Approval receipt (compact JWS), when the call was approved. */
  readonly approvalReceipt?: string | undefined;
}

/**
 * The identity headers, one per field. Values are percent-encoded UTF-8
 * (`encodeURIComponent`), so any Unicode survives and no value holds a comma, space, quote or
 * control character; `agentguard-roles` is a comma-separated list of such values (empty when
 * there are no roles). `agentguard-agent` and `agentguard-approval-receipt` are sent only when
 * set. The signer overwrites or removes every one of them, whatever the handler set.
 */
export const IDENTITY_HEADERS = Object.freeze({
  subject: 'agentguard-subject',
  tenantId: 'agentguard-tenant',
  roles: 'agentguard-roles',
  agentId: 'agentguard-agent',
  decisionId: 'agentguard-decision-id',
  tool: 'agentguard-tool',
  approvalReceipt: 'agentguard-approval-receipt',
} as const);

/** Every identity header name, lowercase. */
export const IDENTITY_HEADER_NAMES: readonly string[] = Object.freeze(
  Object.values(IDENTITY_HEADERS),
);

/** Identity headers always present (and so always covered). */
export const REQUIRED_IDENTITY_HEADERS: readonly string[] = Object.freeze([
  IDENTITY_HEADERS.subject,
  IDENTITY_HEADERS.tenantId,
  IDENTITY_HEADERS.roles,
  IDENTITY_HEADERS.decisionId,
  IDENTITY_HEADERS.tool,
]);

/**
 * The identity header values for `identity`, in the documented encoding. Throws a `TypeError`
 * if a value is not well-formed Unicode (a lone surrogate) or a required value is empty.
 *
 * @example
 * encodeIdentityHeaders({ subject: 'ana@example.com', tenantId: 't1', roles: ['a b'], decisionId: 'd', tool: 'crm.get' });
 * // [['agentguard-subject', 'ana%40example.com'], ..., ['agentguard-roles', 'a%20b'], ...]
 */
export function encodeIdentityHeaders(identity: SignerIdentity): [string, string][] {
  const out: [string, string][] = [
    [IDENTITY_HEADERS.subject, encodeRequired(identity.subject, 'subject')],
    [IDENTITY_HEADERS.tenantId, encodeRequired(identity.tenantId, 'tenantId')],
    [IDENTITY_HEADERS.roles, identity.roles.map((r) => encodeRequired(r, 'roles')).join(',')],
  ];
  if (identity.agentId !== undefined) {
    out.push([IDENTITY_HEADERS.agentId, encodeRequired(identity.agentId, 'agentId')]);
  }
  out.push(
    [IDENTITY_HEADERS.decisionId, encodeRequired(identity.decisionId, 'decisionId')],
    [IDENTITY_HEADERS.tool, encodeRequired(identity.tool, 'tool')],
  );
  if (identity.approvalReceipt !== undefined) {
    out.push([
      IDENTITY_HEADERS.approvalReceipt,
      encodeRequired(identity.approvalReceipt, 'approvalReceipt'),
    ]);
  }
  return out;
}

// Exactly the characters encodeURIComponent leaves or produces: anything else is refused, so
// each value has one encoding.
const ENCODED = /^(?:[A-Za-z0-9\-_.!~*'()]|%[0-9A-F]{2})*$/;

/**
 * Decodes one identity header value. Returns `undefined` when it is not in the canonical
 * encoding (so `a b` and `a%2x` are refused).
 *
 * @example
 * decodeIdentityValue('ana%40example.com'); // 'ana@example.com'
 */
export function decodeIdentityValue(value: string): string | undefined {
  if (!ENCODED.test(value)) return undefined;
  if (!value.includes('%')) return value;
  try {
    const decoded = decodeURIComponent(value);
    return encodeURIComponent(decoded) === value ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decodes `agentguard-roles`. Returns `undefined` when malformed (an empty member, a bad
 * escape).
 *
 * @example
 * decodeRoles('admin,sales%20lead'); // ['admin', 'sales lead']
 */
export function decodeRoles(value: string): string[] | undefined {
  if (value === '') return [];
  const roles: string[] = [];
  for (const part of value.split(',')) {
    const role = part === '' ? undefined : decodeIdentityValue(part);
    if (role === undefined) return undefined;
    roles.push(role);
  }
  return roles;
}

function encodeRequired(value: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`identity ${field} must be a non-empty string`);
  }
  try {
    return encodeURIComponent(value);
  } catch {
    throw new TypeError(`identity ${field} is not well-formed unicode`);
  }
}
