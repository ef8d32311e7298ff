import { endianness } from 'node:os';

// The scanners read UTF-16 code units from a typed array rather than with `charCodeAt`: the
// string is copied once, natively (`Buffer#write` with `utf16le`, which keeps lone surrogates
// as they are), and reading a typed array in a loop is much cheaper than reading a string.
// Every view ends with SENTINELS zero units, so reading a few units past the end of the text
// finds a character that starts and continues nothing.

/** Zero code units after the text in every view. */
export const SENTINELS = 4;
/** Code units kept for reuse (256 KB); longer texts get a buffer of their own. */
const SCRATCH_UNITS = 1 << 17;
const LITTLE_ENDIAN = endianness() === 'LE';

let scratch: Buffer | undefined;
/** First free unit of the scratch buffer: texts held by unfinished scans sit below it. */
let top = 0;

function fill(view: Uint16Array, s: string, bytes: Buffer, offset: number): void {
  if (LITTLE_ENDIAN) bytes.write(s, offset, 'utf16le');
  else for (let i = 0; i < s.length; i++) view[i] = s.charCodeAt(i);
  const n = s.length;
  view[n] = 0;
  view[n + 1] = 0;
  view[n + 2] = 0;
  view[n + 3] = 0;
}

/**
 * The code units of `s` (then {@link SENTINELS} zeros), held until {@link releaseCharCodes}.
 * Holds nest: release in the reverse order of taking.
 */
export function holdCharCodes(s: string): Uint16Array {
  const units = s.length + SENTINELS;
  if (top + units > SCRATCH_UNITS) {
    const own = Buffer.allocUnsafeSlow(units * 2);
    const view = new Uint16Array(own.buffer, own.byteOffset, units);
    fill(view, s, own, 0);
    return view;
  }
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_UNITS * 2);
  const view = new Uint16Array(scratch.buffer, scratch.byteOffset + top * 2, units);
  fill(view, s, scratch, top * 2);
  top += units;
  return view;
}

/** Gives back the units of a {@link holdCharCodes} view (and of any taken after it). */
export function releaseCharCodes(view: Uint16Array): void {
  if (scratch !== undefined && view.buffer === scratch.buffer) {
    top = (view.byteOffset - scratch.byteOffset) / 2;
  }
}
