/** Anything that signs a web `Request`: a `CallSigner`, or a `Signer` without identity. */
export interface RequestSigner {
  sign(request: Request): Promise<Request>;
}

/** The `fetch` signature this package calls (the global one by default). */
export type FetchFunction = (input: Request) => Promise<Response>;

// Redirects are not followed unless asked for: following one would carry a signature that is
// still valid for the original target to whatever origin the redirect names.
export async function fetchSigned(
  sign: (request: Request) => Promise<Request>,
  fetchImpl: FetchFunction | undefined,
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Response> {
  const request = new Request(
    input,
    init?.redirect === undefined ? { ...init, redirect: 'manual' } : init,
  );
  const signed = await sign(request);
  return (fetchImpl ?? globalThis.fetch)(signed);
}
