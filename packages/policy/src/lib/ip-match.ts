import { BlockList, isIP } from 'node:net';
import { ownString } from '@agentguard/core';

const MAX_CACHED = 256;
const cache = new Map<string, BlockList | null>();

/** Parses `addr/prefix` (or a bare address) into a subnet, or undefined when malformed. */
function parseCidr(
  cidr: string,
):
  | { readonly address: string; readonly prefix: number; readonly type: 'ipv4' | 'ipv6' }
  | undefined {
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const text = cidr.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text)) return undefined;
    prefix = Number(text);
    if (prefix > max) return undefined;
  }
  return { address, prefix, type: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The CIDRs of `list` that are malformed (for compile-time checks). */
export function invalidCidrs(list: readonly unknown[]): unknown[] {
  return list.filter((c) => typeof c !== 'string' || parseCidr(c) === undefined);
}

function blockList(cidrs: readonly string[]): BlockList | null {
  const key = cidrs.join(',');
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let list: BlockList | null = new BlockList();
  for (const cidr of cidrs) {
    const subnet = parseCidr(cidr);
    if (!subnet) {
      list = null;
      break;
    }
    list.addSubnet(subnet.address, subnet.prefix, subnet.type);
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  // A copy: the list may come from the request (a slice of a larger text kept alive with it).
  cache.set(ownString(key), list);
  return list;
}

/** Whether `ip` lies in any of `cidrs`. False for anything malformed. */
export function ipInCidrs(ip: unknown, cidrs: unknown): boolean {
  if (typeof ip !== 'string') return false;
  const list: unknown[] = Array.isArray(cidrs) ? cidrs : [cidrs];
  if (list.length === 0 || !list.every((c) => typeof c === 'string')) return false;
  let address = ip;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) address = mapped[1]!;
  const version = isIP(address);
  if (version === 0) return false;
  const blocks = blockList(list);
  return blocks !== null && blocks.check(address, version === 4 ? 'ipv4' : 'ipv6');
}
