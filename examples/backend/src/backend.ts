import type { AddressInfo } from 'node:net';
import express from 'express';
import { verifyMiddleware, type HmacKeyInput, type VerifiedRequest } from '@agentguard/verify';

/** A transfer as the backend recorded it, with whom the guard said it was for. */
export interface TransferRecord {
  readonly transferId: string;
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  readonly requestedFor: {
    readonly subject: string;
    readonly tenantId: string;
    readonly agentId?: string | undefined;
  };
  readonly decisionId: string;
  readonly approved: boolean;
}

/** A running backend. */
export interface Backend {
  readonly url: string;
  readonly transfers: readonly TransferRecord[];
  /** Requests refused by signature verification (answered 401 before any processing). */
  readonly refused: () => number;
  close(): Promise<void>;
}

/** Options of {@link startBackend}. */
export interface BackendOptions {
  /** The keys the guard signs with (the backend only verifies). */
  readonly keys: readonly HmacKeyInput[];
  /** Default 0: any free port on 127.0.0.1. */
  readonly port?: number;
}

/**
 * Starts the payments backend on 127.0.0.1. Every route under `/v1` runs `verifyMiddleware`
 * first: the RFC 9421 signature, the body digest over the raw bytes, freshness and replay are
 * checked before anything of the request is processed.
 */
export async function startBackend(options: BackendOptions): Promise<Backend> {
  const transfers: TransferRecord[] = [];
  let refused = 0;
  const app = express();
  const verify = verifyMiddleware({ keys: options.keys });
  // Count refusals (the middleware answers 401 with the reason itself, never calling next()).
  app.use('/v1', (_req, res, next) => {
    res.on('finish', () => {
      if (res.statusCode === 401) refused += 1;
    });
    next();
  });
  app.use('/v1', verify);

  app.post('/v1/transfers', (req, res) => {
    const { agentguard: who, body } = req as unknown as VerifiedRequest & {
      body: { from: string; to: string; amount: number };
    };
    const record: TransferRecord = {
      transferId: `tr_${transfers.length + 1}`,
      from: body.from,
      to: body.to,
      amount: body.amount,
      requestedFor: { subject: who.subject, tenantId: who.tenantId, agentId: who.agentId },
      decisionId: who.decisionId,
      approved: who.approvalReceipt !== undefined,
    };
    transfers.push(record);
    res.status(201).json(record);
  });

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    transfers,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
