import {
  createReceiptVerifier,
  type ReceiptBinding,
  type ReceiptResult,
  type ReceiptVerifierOptions,
} from './create-receipt-verifier.js';

/** Options of {@link verifyReceipt}: the key options plus what the receipt must be bound to. */
export interface VerifyReceiptOptions extends ReceiptVerifierOptions {
  /** Tool, tenant and args digest the receipt must carry. Default: not checked. */
  readonly expected?: ReceiptBinding | undefined;
}

/**
 * Verifies an approval receipt (compact JWS) offline and returns its claims: the approved
 * tool, args digest, tenant and approvers. For many receipts, create the verifier once with
 * {@link createReceiptVerifier}.
 *
 * @example
 * const result = await verifyReceipt(jws, { jwks, issuer: 'https://approvals.example.com' });
 * if (!result.ok) return res.status(403).json({ error: result.reason });
 */
export function verifyReceipt(jws: string, options: VerifyReceiptOptions): Promise<ReceiptResult> {
  return createReceiptVerifier(options)(jws, options.expected);
}
