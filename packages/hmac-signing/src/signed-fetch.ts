import { fetchSigned, type RequestSigner } from './lib/fetch-signed.js';

/**
 * `fetch` (the global one: undici on Node) with the request signed by `signer` first. Same
 * arguments as `fetch`, except that redirects are not followed unless `init.redirect` says so:
 * a redirect would carry a signature still valid for the original target to another origin.
 *
 * @example
 * const handler = async (args, { signer }) => {
 *   const response = await signedFetch(signer!, 'https://orders.internal/api/orders', {
 *     method: 'POST',
 *     headers: { 'content-type': 'application/json' },
 *     body: JSON.stringify(args),
 *   });
 *   return response.json();
 * };
 */
export function signedFetch(
  signer: RequestSigner,
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  return fetchSigned((request) => signer.sign(request), undefined, input, init);
}
