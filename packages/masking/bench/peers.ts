import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// The redactors the masking bench compares, each loaded only when asked for, so that a
// measuring process holds one library and nothing of the others.
const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..', '..', '..');

/** Version of an installed package, for the table. */
function version(name: string): string {
  const file = join(root, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Timing of one library on one size, as measure-peer.ts reports it. */
export interface Timing {
  meanMicros: number;
  p50Micros: number;
  p99Micros: number;
  cpuMicros: number;
  calls: number;
}

/** What one measuring process prints (one JSON line). */
export interface Measured {
  id: string;
  small: Timing;
  large: Timing;
  /** Mean µs per 10 KB call over the 320 calls after a forced full GC (median of five). */
  afterGcMicros: number;
}

/** One redactor: text in, text out. */
export interface Peer {
  readonly id: string;
  readonly name: string;
  readonly library: string;
  /** Takes seconds per megabyte: timed on fewer calls. */
  readonly slow: boolean;
  readonly load: () => Promise<(text: string) => string>;
}

export const PEERS: readonly Peer[] = [
  {
    id: 'agentguard',
    name: 'agentguard createMasker (defaults)',
    library: '@agentguard/masking',
    slow: false,
    load: async () => {
      const { createMasker } = await import('@agentguard/masking');
      const masker = createMasker();
      return (t) => masker.mask(t).value;
    },
  },
  {
    id: 'redact-pii',
    name: 'redact-pii SyncRedactor',
    library: `redact-pii@${version('redact-pii')}`,
    slow: true,
    load: async () => {
      const { SyncRedactor } = require('redact-pii') as {
        SyncRedactor: new () => { redact(s: string): string };
      };
      const redactor = new SyncRedactor();
      return (t) => redactor.redact(t);
    },
  },
  {
    id: 'redactpii-node',
    name: '@redactpii/node Redactor',
    library: `@redactpii/node@${version('@redactpii/node')}`,
    slow: false,
    load: async () => {
      const { Redactor } = require('@redactpii/node') as {
        Redactor: new () => { redact(s: string): string };
      };
      const redactor = new Redactor();
      return (t) => redactor.redact(t);
    },
  },
  {
    id: 'remove-pii',
    name: '@coffeeandfun/remove-pii removePII',
    library: `@coffeeandfun/remove-pii@${version('@coffeeandfun/remove-pii')}`,
    slow: false,
    load: async () => {
      const { removePII } = (await import('@coffeeandfun/remove-pii')) as {
        removePII: (s: string) => string;
      };
      return removePII;
    },
  },
  {
    id: 'sanitize-pii',
    name: '@cdssnc/sanitize-pii PiiSanitizer',
    library: `@cdssnc/sanitize-pii@${version('@cdssnc/sanitize-pii')}`,
    slow: false,
    load: async () => {
      const { PiiSanitizer } = require('@cdssnc/sanitize-pii') as {
        PiiSanitizer: new () => { sanitize(s: string): string };
      };
      const sanitizer = new PiiSanitizer();
      return (t) => sanitizer.sanitize(t);
    },
  },
];
