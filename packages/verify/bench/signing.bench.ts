import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createSigner, type SignerIdentity } from '@agentguard/hmac-signing';
import {
  httpbis,
  createSigner as hmsSigner,
  createVerifier as hmsVerifier,
} from 'http-message-signatures';
import { Webhook } from 'standardwebhooks';
import {
  reportTarget,
  runSuite,
  type BenchCase,
  type BenchRow,
} from '../../../bench/lib/harness.js';
import { createVerifier } from '../src/index.js';

// Sign and verify of one JSON POST with a 1 KB and a 1 MB body: ours against
// standardwebhooks, http-message-signatures, and the floor (node:crypto by hand: sha-256 of
// the body, the same RFC 9421 signature base built by string concatenation, createHmac, and
// timingSafeEqual). Every verifier hashes the body inside the measured code.

const SECRET = Buffer.from('bench-secret-0123456789abcdef0123456789', 'utf8');
const URL_ = 'https://orders.internal/v1/orders?region=eu';
const IDENTITY: SignerIdentity = {
  subject: 'ana@example.com',
  tenantId: 'tenant-a',
  roles: ['sales', 'viewer'],
  agentId: 'agent-7',
  decisionId: '01a2086e-4e2c-7220-bf90-5d809deb9e57',
  tool: 'orders.place',
};
const COMPONENTS = [
  '@method',
  '@target-uri',
  'content-digest',
  'content-type',
  'agentguard-subject',
  'agentguard-tenant',
  'agentguard-roles',
  'agentguard-agent',
  'agentguard-decision-id',
  'agentguard-tool',
];
const POOL = 4096;

function makeBody(size: number): Buffer {
  const unit = '{"sku":"A-1","qty":2,"note":"bench"},';
  return Buffer.from(`[${unit.repeat(Math.ceil(size / unit.length))}`.slice(0, size - 1) + ']');
}

function toRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

async function suite(label: string, body: Buffer): Promise<BenchRow[]> {
  const signer = createSigner({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });
  const call = signer.forCall(IDENTITY);
  const verifier = createVerifier({ keys: [{ id: 'k1', alg: 'hmac-sha256', secret: SECRET }] });

  // Pre-signed requests with distinct nonces, cycled through by the verify cases. After the
  // first pass the replay check (the last one, after every other check passed) answers
  // `replayed`; the work done is the same, and any other failure stops the bench.
  const pool: Record<string, string>[] = [];
  for (let i = 0; i < POOL; i++) {
    const headers = new Headers({ 'content-type': 'application/json' });
    signer.signHeaders({ method: 'POST', url: URL_, headers, body }, IDENTITY);
    pool.push(toRecord(headers));
  }
  let next = 0;

  // standardwebhooks.
  const wh = new Webhook(SECRET.toString('base64'));
  const whHeaders = {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': wh.sign('msg_1', new Date(), body),
  };

  // http-message-signatures, same components and parameters.
  const hmsKey = hmsSigner(SECRET, 'hmac-sha256', 'k1');
  const hmsLookup = async () => ({
    id: 'k1',
    algs: ['hmac-sha256'],
    verify: hmsVerifier(SECRET, 'hmac-sha256'),
  });
  const identityHeaders: Record<string, string> = { ...pool[0]! };
  delete identityHeaders['signature'];
  delete identityHeaders['signature-input'];
  delete identityHeaders['content-digest'];
  const hmsSigned = await httpbis.signMessage(
    {
      key: hmsKey,
      name: 'agentguard',
      fields: COMPONENTS,
      params: ['created', 'expires', 'nonce', 'keyid', 'alg'],
      paramValues: { nonce: 'bench-nonce-0123456789' },
    },
    {
      method: 'POST',
      url: URL_,
      headers: { ...identityHeaders, 'content-digest': pool[0]!['content-digest']! },
    },
  );

  // The floor: the least any RFC 9421 verifier of this request must do.
  const floorSign = (headers: Record<string, string>): string => {
    const digest = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
    const params = `("@method" "@target-uri" "content-digest" "content-type" "agentguard-subject" "agentguard-tenant" "agentguard-roles" "agentguard-agent" "agentguard-decision-id" "agentguard-tool");created=${Math.floor(Date.now() / 1000)};expires=${Math.floor(Date.now() / 1000) + 60};nonce="bench-nonce-0123456789";keyid="k1";alg="hmac-sha256"`;
    const base = floorBase(headers, digest, params);
    return createHmac('sha256', SECRET).update(base).digest('base64');
  };
  const floorBase = (h: Record<string, string>, digest: string, params: string): string =>
    `"@method": POST\n"@target-uri": ${URL_}\n"content-digest": ${digest}\n"content-type": ${h['content-type']}\n"agentguard-subject": ${h['agentguard-subject']}\n"agentguard-tenant": ${h['agentguard-tenant']}\n"agentguard-roles": ${h['agentguard-roles']}\n"agentguard-agent": ${h['agentguard-agent']}\n"agentguard-decision-id": ${h['agentguard-decision-id']}\n"agentguard-tool": ${h['agentguard-tool']}\n"@signature-params": ${params}`;
  const floorVerify = (h: Record<string, string>): boolean => {
    const digest = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
    if (digest !== h['content-digest']) return false;
    const input = h['signature-input']!;
    const params = input.slice(input.indexOf('=') + 1);
    const expected = createHmac('sha256', SECRET)
      .update(floorBase(h, digest, params))
      .digest();
    const sig = h['signature']!;
    const given = Buffer.from(sig.slice(sig.indexOf(':') + 1, -1), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  if (!floorVerify(pool[0]!)) throw new Error('floor does not verify our signature');

  const hmsVerify = async (headers: Record<string, string | string[]>) => {
    const digest = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
    if (digest !== headers['content-digest']) throw new Error('digest');
    return httpbis.verifyMessage(
      { keyLookup: hmsLookup, tolerance: 1e9 },
      { method: 'POST', url: URL_, headers },
    );
  };
  if ((await hmsVerify(hmsSigned.headers)) !== true)
    throw new Error('http-message-signatures did not verify');
  const first = await verifier.verifyMessage({
    method: 'POST',
    url: URL_,
    headers: pool[0]!,
    body,
  });
  if (!first.ok) throw new Error(`ours did not verify: ${first.reason}`);

  const cases: BenchCase[] = [
    {
      name: `${label} verify: agentguard verifyMessage (middleware path)`,
      library: 'agentguard',
      fn: () => {
        const headers = pool[next++ % POOL]!;
        // Synchronous with the memory replay store, as in the middleware.
        const r = verifier.verifyMessage({ method: 'POST', url: URL_, headers, body });
        if (r instanceof Promise) throw new Error('expected a synchronous answer');
        if (!r.ok && r.reason !== 'replayed') throw new Error(r.reason);
      },
      note: 'signature fields parsed (RFC 8941), required components, key, clock, base, HMAC, constant-time compare, content digest, identity decoding, replay store',
    },
    {
      name: `${label} verify: agentguard verify(Request)`,
      library: 'agentguard',
      fn: async () => {
        const headers = pool[next++ % POOL]!;
        const r = await verifier.verify(
          new Request(URL_, { method: 'POST', headers, body: new Uint8Array(body) }),
        );
        if (!r.ok && r.reason !== 'replayed') throw new Error(r.reason);
      },
      note: 'includes building the web Request and reading its body stream',
    },
    {
      name: `${label} verify: http-message-signatures`,
      library: 'http-message-signatures@1.0.6',
      fn: () => hmsVerify(hmsSigned.headers),
      note: 'verifyMessage + sha-256 content digest compared in the measured code',
    },
    {
      name: `${label} verify: standardwebhooks`,
      library: 'standardwebhooks@1.1.1',
      fn: () => wh.verify(body, whHeaders, { jsonParse: false }),
      note: 'HMAC over id.timestamp.body (pure-JS sha-256); not RFC 9421',
    },
    {
      name: `${label} verify: floor`,
      library: 'node:crypto',
      fn: () => {
        if (!floorVerify(pool[next++ % POOL]!)) throw new Error('floor');
      },
    },
    {
      name: `${label} sign: agentguard signHeaders`,
      library: 'agentguard',
      fn: () => {
        const headers = new Headers({ 'content-type': 'application/json' });
        signer.signHeaders({ method: 'POST', url: URL_, headers, body }, IDENTITY);
      },
    },
    {
      name: `${label} sign: agentguard CallSigner.sign(Request)`,
      library: 'agentguard',
      fn: () =>
        call.sign(
          new Request(URL_, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: new Uint8Array(body),
          }),
        ),
      note: 'includes building the Request, reading its body and building the signed copy',
    },
    {
      name: `${label} sign: http-message-signatures`,
      library: 'http-message-signatures@1.0.6',
      fn: () =>
        httpbis.signMessage(
          {
            key: hmsKey,
            name: 'agentguard',
            fields: COMPONENTS,
            params: ['created', 'expires', 'nonce', 'keyid', 'alg'],
            paramValues: { nonce: 'bench-nonce-0123456789' },
          },
          {
            method: 'POST',
            url: URL_,
            headers: {
              ...identityHeaders,
              'content-digest': `sha-256=:${createHash('sha256').update(body).digest('base64')}:`,
            },
          },
        ),
    },
    {
      name: `${label} sign: standardwebhooks`,
      library: 'standardwebhooks@1.1.1',
      fn: () => wh.sign('msg_1', new Date(), body),
    },
    {
      name: `${label} sign: floor`,
      library: 'node:crypto',
      fn: () => floorSign(identityHeaders),
    },
  ];
  return runSuite(`verify-signing-${label}`, cases, { baseline: `${label} verify: floor` });
}

function row(rows: BenchRow[], name: string): BenchRow {
  const found = rows.find((r) => r.name.endsWith(name));
  if (!found) throw new Error(`no row ${name}`);
  return found;
}

for (const [label, size] of [
  ['1KB', 1024],
  ['1MB', 1024 * 1024],
] as const) {
  const rows = await suite(label, makeBody(size));
  const ours = row(rows, 'verify: agentguard verifyMessage (middleware path)');
  const floor = row(rows, 'verify: floor');
  const hms = row(rows, 'verify: http-message-signatures');
  const swh = row(rows, 'verify: standardwebhooks');
  // Medians: on a shared machine the mean is dominated by other processes and GC pauses.
  const ratio = ours.p50Micros / floor.p50Micros;
  reportTarget(
    `${label} verify within 2x of the floor`,
    ratio <= 2,
    `median ${ours.p50Micros.toFixed(2)} µs vs ${floor.p50Micros.toFixed(2)} µs, x${ratio.toFixed(2)}; means ${ours.meanMicros.toFixed(2)} vs ${floor.meanMicros.toFixed(2)} µs`,
  );
  reportTarget(
    `${label} verify ahead of both libraries`,
    ours.p50Micros < hms.p50Micros && ours.p50Micros < swh.p50Micros,
    `median ${ours.p50Micros.toFixed(2)} µs vs http-message-signatures ${hms.p50Micros.toFixed(2)} µs, standardwebhooks ${swh.p50Micros.toFixed(2)} µs`,
  );
}
