/** Limits of {@link fetchJson}. */
export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly fetch: typeof fetch;
}

/**
 * GETs `url` and parses JSON, within a timeout (covering the body) and a size limit. Redirects
 * are refused: a key-set URL that moves is a configuration change, not something to follow.
 */
export async function fetchJson(url: string, limits: FetchLimits): Promise<unknown> {
  const response = await limits.fetch(url, {
    signal: AbortSignal.timeout(limits.timeoutMs),
    redirect: 'error',
    headers: { accept: 'application/json' },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`http status ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) {
    await response.body?.cancel();
    throw new Error('response too large');
  }
  const body = response.body;
  if (body === null) throw new Error('empty response');
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limits.maxBytes) {
      await reader.cancel();
      throw new Error('response too large');
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks, total).toString('utf8')) as unknown;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Parses a key or discovery URL: `https:`, or `http:` on a loopback host (tests, sidecars) or
 * with `allowHttp`. No credentials in the URL. Returns an error message or the URL.
 */
export function checkFetchUrl(value: unknown, allowHttp: boolean): URL | string {
  if (typeof value !== 'string' && !(value instanceof URL)) return 'must be a URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (allowHttp || LOOPBACK.has(url.hostname))) return url;
  return 'must use https (http only on loopback or with allowInsecureHttp)';
}
