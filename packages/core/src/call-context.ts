/** Header values as adapters pass them: lower-case names. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What the transport knew about a call, passed to the guarded handler by the adapter. */
export interface CallContext {
  /** A bearer token already extracted by the transport (for example the MCP SDK's authInfo). */
  readonly token?: string | undefined;
  /** Request headers (lower-case names); authenticators read `authorization` from here. */
  readonly headers?: HeaderBag | undefined;
  /** Client IP address as seen by the server (after trusted-proxy handling by the adapter). */
  readonly ip?: string | undefined;
  /** ISO 3166-1 alpha-2 country of the client, when the adapter knows it. */
  readonly country?: string | undefined;
  readonly userAgent?: string | undefined;
  /** W3C Trace Context `traceparent` of the incoming request. */
  readonly traceparent?: string | undefined;
  /** A tenant the caller claims. Untrusted: only authenticators decide the tenant. */
  readonly tenantHint?: string | undefined;
  /** Id of an approval granted for this exact call, when re-invoking after approval. */
  readonly approvalId?: string | undefined;
  /** Aborts the call (client disconnected). */
  readonly signal?: AbortSignal | undefined;
  /** Anything an adapter adds (transport name, session id, …). */
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
}
