import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { benchToken } from './token.js';

/** A bench server (server.ts) running in a process of its own. */
export interface BenchServer {
  readonly child: ChildProcess;
  readonly port: number;
  /** The route every bench script loads. */
  readonly url: string;
  /** Stops the server and waits for its process to exit. */
  stop(): Promise<void>;
}

/** How {@link startServer} runs the server. */
export interface StartOptions {
  /** Node flags before the script (`--cpu-prof`, `--single-threaded`…). */
  readonly nodeFlags?: readonly string[] | undefined;
  /** A command the server runs under (`taskset -c 1`, `valgrind --tool=callgrind …`). */
  readonly prefix?: readonly string[] | undefined;
}

const serverScript = fileURLToPath(new URL('./server.ts', import.meta.url));

/**
 * Starts `server.ts <mode>` without the `@agentguard/source` condition, so every
 * `@agentguard/*` import is the built dist/, and waits for the port it prints.
 */
export async function startServer(mode: string, options: StartOptions = {}): Promise<BenchServer> {
  const command = [
    ...(options.prefix ?? []),
    process.execPath,
    ...(options.nodeFlags ?? []),
    '--import',
    'tsx',
    serverScript,
    mode,
  ];
  const child = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  for await (const line of createInterface({ input: child.stdout })) {
    const { port } = JSON.parse(line) as { port: number };
    return {
      child,
      port,
      url: `http://127.0.0.1:${port}/orders/o-42`,
      async stop() {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      },
    };
  }
  throw new Error(`${mode} server did not start`);
}

/** The request every bench script sends: the guarded route's call with a valid token. */
export function orderRequest(
  url: string,
  token: string = benchToken(),
): Pick<autocannon.Options, 'url' | 'method' | 'headers' | 'body'> {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ qty: 3 }),
  };
}
