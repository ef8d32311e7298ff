import { ForbiddenError, InvalidInputError, type PolicyOutcome } from '@agentguard/core';
import { describe, expect, it } from 'vitest';
import {
  MemoryPolicyStore,
  OperationRegistry,
  policyEngine,
  policyOperations,
  tenantPolicyAdmin,
  type PolicyStore,
} from '../src/index.js';
import { input } from './helpers/inputs.js';

const actor = { actor: 'admin-1' };

function reason(result: PolicyOutcome): string | undefined {
  return result.ok ? undefined : result.error.reason;
}

describe('delegation', () => {
  it('a tenant allow never lifts a global deny, step-up or approval', async () => {
    for (const action of [
      'deny' as const,
      { type: 'step_up' as const, acrValues: ['gold'] },
      { type: 'require_approval' as const, flowId: 'f' },
    ]) {
      const engine = policyEngine({
        policies: [
          { id: 'global-rule', action },
          { id: 'tenant-allow', scope: 'acme', action: 'allow' },
        ],
      });
      const result = await engine.evaluate(input());
      const restricted = !result.ok || result.obligations?.approval !== undefined;
      expect(restricted).toBe(true);
      expect(result.matched.find((m) => m.id === 'tenant-allow')).toMatchObject({
        decisive: false,
        scope: 'acme',
      });
    }
  });

  it('with default deny, only a global allow lets a call through', async () => {
    const engine = policyEngine({
      defaultDecision: 'deny',
      policies: [{ id: 'tenant-allow', scope: 'acme', action: 'allow' }],
    });
    expect(reason(await engine.evaluate(input()))).toBe('no_policy_allows');
  });

  it('a tenant policy can add a restriction for its own tenant only', async () => {
    const engine = policyEngine({
      policies: [{ id: 'acme-no-exports', scope: 'acme', action: 'deny' }],
    });
    expect(reason(await engine.evaluate(input({ principal: { tenantId: 'acme' } })))).toBe(
      'acme-no-exports',
    );
    const other = await engine.evaluate(input({ principal: { tenantId: 'globex' } }));
    expect(other).toEqual({ ok: true, matched: [] });
  });

  it('a principal whose tenant is called "global" gets global policies once and no tenant set', async () => {
    const engine = policyEngine({
      policies: [{ id: 'g', action: { type: 'mask', profile: 'p' } }],
    });
    const result = await engine.evaluate(input({ principal: { tenantId: 'global' } }));
    expect(result.matched.map((m) => m.id)).toEqual(['g']);
  });

  it('ignores policies a faulty store hands out under another scope', async () => {
    const inner = new MemoryPolicyStore();
    inner.put({ id: 'globex-deny', scope: 'globex', action: 'deny' }, actor);
    const leaky: PolicyStore = {
      revision: () => 1,
      list: () => inner.list('globex'),
      put: (p, o) => inner.put(p, o),
      remove: (id, o) => inner.remove(id, o),
    };
    const engine = policyEngine({ store: leaky });
    expect((await engine.evaluate(input({ principal: { tenantId: 'acme' } }))).ok).toBe(true);
  });
});

describe('tenant admin API', () => {
  it('writes into its own tenant and refuses global or another tenant', async () => {
    const store = new MemoryPolicyStore();
    const admin = tenantPolicyAdmin({ store, tenantId: 'acme' });
    const stored = await admin.put({ id: 'p1', action: 'deny' }, actor);
    expect(stored).toMatchObject({ id: 'p1', scope: 'acme', version: 1, updatedBy: 'admin-1' });
    await expect(
      admin.put({ id: 'p2', scope: 'global', action: 'allow' }, actor),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      admin.put({ id: 'p3', scope: 'globex', action: 'deny' }, actor),
    ).rejects.toMatchObject({ reason: 'scope_not_allowed' });
    expect(store.list('global')).toEqual([]);
    expect(store.list('globex')).toEqual([]);
    expect(await admin.remove('p1', { actor: 'admin-1' })).toBe(true);
    expect(await admin.list()).toEqual([]);
  });

  it("cannot remove another tenant's policy", async () => {
    const store = new MemoryPolicyStore();
    store.put({ id: 'shared-id', scope: 'globex', action: 'deny' }, actor);
    const admin = tenantPolicyAdmin({ store, tenantId: 'acme' });
    expect(await admin.remove('shared-id', actor)).toBe(false);
    expect(store.list('globex')).toHaveLength(1);
  });

  it('rejects invalid policies and hostile rules with InvalidInputError', async () => {
    const admin = tenantPolicyAdmin({ store: new MemoryPolicyStore(), tenantId: 'acme' });
    await expect(admin.put({ id: 'x', action: 'explode' } as never, actor)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(
      admin.put({ id: 'x', condition: { var: 'args.__proto__.polluted' }, action: 'deny' }, actor),
    ).rejects.toMatchObject({ issues: [{ path: 'policy.condition.var' }] });
    await expect(
      admin.put({ id: 'x', condition: { method: ['a', 'toString'] }, action: 'deny' }, actor),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('cannot be created for the "global" tenant', () => {
    expect(() => tenantPolicyAdmin({ store: new MemoryPolicyStore(), tenantId: 'global' })).toThrow(
      /not a tenant/,
    );
  });
});

describe('store updates', () => {
  it('takes effect on the next call, records versions, and recompiles only what changed', async () => {
    let compiles = 0;
    const operations = policyOperations().register('counted', {
      check: () => {
        compiles += 1;
        return undefined;
      },
      evaluate: () => true,
    });
    const store = new MemoryPolicyStore({ operations });
    const engine = policyEngine({ store, operations });
    expect(await engine.evaluate(input())).toEqual({ ok: true, matched: [] });

    store.put(
      { id: 'g1', condition: { counted: [] }, action: { type: 'mask', profile: 'pii' } },
      actor,
    );
    store.put(
      {
        id: 't1',
        scope: 'acme',
        condition: { counted: [] },
        action: { type: 'mask', profile: 'pci' },
      },
      actor,
    );
    compiles = 0;
    let result = await engine.evaluate(input());
    expect(result.matched.map((m) => [m.id, m.version])).toEqual([
      ['g1', 1],
      ['t1', 1],
    ]);
    expect(compiles).toBe(2);

    compiles = 0;
    await engine.evaluate(input());
    expect(compiles).toBe(0);

    store.put({ id: 't1', scope: 'acme', condition: { counted: [] }, action: 'deny' }, actor);
    compiles = 0;
    result = await engine.evaluate(input());
    expect(reason(result)).toBe('t1');
    expect(result.matched.find((m) => m.id === 't1')?.version).toBe(2);
    expect(compiles).toBe(1);

    store.remove('t1', { scope: 'acme', actor: 'admin-1' });
    result = await engine.evaluate(input());
    expect(result).toMatchObject({ ok: true, obligations: { maskProfiles: ['pii'] } });
  });

  it('works with an asynchronous store, and fails closed when the store fails', async () => {
    const inner = new MemoryPolicyStore();
    inner.put({ id: 'd', action: 'deny' }, actor);
    let broken = false;
    const asyncStore: PolicyStore = {
      revision: async (scope) => {
        if (broken) throw new Error('connection refused');
        return inner.revision(scope);
      },
      list: async (scope) => inner.list(scope),
      put: async (p, o) => inner.put(p, o),
      remove: async (id, o) => inner.remove(id, o),
    };
    const engine = policyEngine({ store: asyncStore });
    const pending = engine.evaluate(input());
    expect(pending).toBeInstanceOf(Promise);
    expect(reason(await pending)).toBe('d');
    broken = true;
    expect(reason(await engine.evaluate(input()))).toBe('policy_store_unavailable');
  });

  it('a stored policy that no longer compiles fails closed', async () => {
    const store: PolicyStore = {
      revision: () => 1,
      list: () => [
        {
          id: 'old',
          scope: 'global',
          state: 'enabled',
          condition: { gone_op: [] },
          action: 'allow',
          version: 3,
          updatedAt: 0,
          updatedBy: 'x',
        },
      ],
      put: () => {
        throw new Error('read only');
      },
      remove: () => false,
    };
    const result = await policyEngine({ store }).evaluate(input());
    expect(reason(result)).toBe('policy_error');
  });

  it('validates and bounds what it stores', () => {
    const store = new MemoryPolicyStore({ maxPoliciesPerScope: 1 });
    store.put({ id: 'a', action: 'deny' }, actor);
    expect(() => store.put({ id: 'b', action: 'deny' }, actor)).toThrow(/too many policies/);
    expect(() => store.put({ id: 'a', action: 'deny' }, { actor: '' })).toThrow(/actor/);
    expect(() => store.put({ id: 'a', condition: { nope: 1 }, action: 'deny' }, actor)).toThrow(
      /unknown operator "nope"/,
    );
    const stored = store.put({ id: 'a', condition: { '==': [1, 1] }, action: 'deny' }, actor);
    expect(Object.isFrozen(stored.condition)).toBe(true);
    expect(stored.version).toBe(2);
    expect(() => new OperationRegistry().register('var', { evaluate: () => 1 })).toThrow(
      /reserved/,
    );
  });
});
