import type { Principal } from '@agentguard/core';
import { IP_EXTRA_KEY, USER_AGENT_EXTRA_KEY } from './call-context.js';
import type { AuthInfoLike } from './sdk.js';

/** The SDKs' `AuthInfo` for a principal the guard authenticated at the HTTP edge. */
export function authInfoFor(
  principal: Principal,
  token: string | undefined,
  client: { readonly ip?: string | undefined; readonly userAgent?: string | undefined },
): AuthInfoLike {
  const extra: Record<string, unknown> = {
    'agentguard/subject': principal.subject,
    'agentguard/tenantId': principal.tenantId,
  };
  if (client.ip !== undefined) extra[IP_EXTRA_KEY] = client.ip;
  if (client.userAgent !== undefined) extra[USER_AGENT_EXTRA_KEY] = client.userAgent;
  const info: AuthInfoLike = {
    token: token ?? '',
    clientId: principal.agent?.id ?? principal.subject,
    scopes: [...principal.scopes],
    extra,
  };
  if (principal.expiresAt !== undefined) info.expiresAt = principal.expiresAt;
  return info;
}
