/** Why a structured field was refused. */
export type StructuredFieldErrorReason =
  'syntax' | 'too_large' | 'too_many_members' | 'duplicate_key' | 'not_serialisable';

/**
 * A structured field (RFC 8941 / RFC 9651) that is malformed, too large, or ambiguous. The
 * message names the problem and an offset, never the field's content.
 */
export class StructuredFieldError extends Error {
  readonly code = 'structured_field_invalid' as const;
  readonly reason: StructuredFieldErrorReason;
  constructor(reason: StructuredFieldErrorReason, message: string) {
    super(message);
    this.name = 'StructuredFieldError';
    this.reason = reason;
  }
}
