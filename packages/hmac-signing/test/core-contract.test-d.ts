import type {
  CallSigner as CoreCallSigner,
  SignerIdentity as CoreIdentity,
  SignerProvider,
} from '@agentguard/core';
import { expectTypeOf, test } from 'vitest';
import type { createSigner, CallSigner, Signer, SignerIdentity } from '../src/index.js';

test('createSigner returns a core SignerProvider', () => {
  expectTypeOf<Signer>().toExtend<SignerProvider>();
  expectTypeOf<ReturnType<typeof createSigner>>().toExtend<SignerProvider>();
  expectTypeOf<CallSigner>().toExtend<CoreCallSigner>();
  expectTypeOf<CoreIdentity>().toExtend<SignerIdentity>();
  expectTypeOf<SignerIdentity>().toExtend<CoreIdentity>();
});
