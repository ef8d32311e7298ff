import type { SignerIdentity } from './identity-headers.js';

/**
 * Signs the requests a handler forwards to backends, bound to one call. Structurally the
 * `CallSigner` of `@agentguard/core`.
 */
export interface CallSigner {
  /** Returns a copy of `request` with the identity headers, `Content-Digest` and signature. */
  sign(request: Request): Promise<Request>;
  /** `fetch` that signs every request it sends (redirects not followed unless asked). */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
}

/**
 * Gives each guarded call a signer bound to its identity. Structurally the `SignerProvider`
 * of `@agentguard/core`, so `createGuard({ signer })` accepts it.
 */
export interface SignerProvider {
  readonly kind: 'signer';
  readonly name: string;
  forCall(identity: SignerIdentity): CallSigner;
}
