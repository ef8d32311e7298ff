/** An RFC 8941 Token: unquoted, distinct from a String when serialised. */
export class SfToken {
  constructor(readonly value: string) {}
}

/** An RFC 8941 Decimal: kept apart from Integer so that `1.0` serialises back as `1.0`. */
export class SfDecimal {
  constructor(readonly value: number) {}
}

/** An RFC 9651 Date: integer seconds since the epoch, written `@1618884473`. */
export class SfDate {
  constructor(readonly seconds: number) {}
}

/** An RFC 9651 Display String: Unicode text, written `%"..."` with percent-encoded UTF-8. */
export class SfDisplayString {
  constructor(readonly value: string) {}
}

/**
 * A bare item: Integer (`number`), String (`string`), Boolean, Byte Sequence (`Uint8Array`),
 * Token, Decimal, Date or Display String.
 */
export type SfBareItem =
  number | string | boolean | Uint8Array | SfToken | SfDecimal | SfDate | SfDisplayString;

/** Parameters in order of appearance. */
export type SfParameters = ReadonlyMap<string, SfBareItem>;

/** An Item: a bare item with parameters. */
export interface SfItem {
  readonly value: SfBareItem;
  readonly params: SfParameters;
}

/** An Inner List: items in parentheses, with parameters on the list. */
export interface SfInnerList {
  readonly items: readonly SfItem[];
  readonly params: SfParameters;
}

/** A Dictionary member value. */
export type SfMember = SfItem | SfInnerList;

/** A Dictionary: members in order of appearance. */
export type SfDictionary = ReadonlyMap<string, SfMember>;

/** True when `member` is an Inner List. */
export function isInnerList(member: SfMember): member is SfInnerList {
  return 'items' in member;
}
