/** Listen on host:port (0 allowed) and resolve with the real URL; `close()` drains in-flight requests. */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.ts';

/**
 * Emitted on every app the server has handed requests to (start.ts) when close() begins: responses that never end
 * by themselves (the inspector's event streams) end then, or server.close() would wait for them forever.
 */
export const SERVER_CLOSING = 'exo-passthru:closing';

export type Listening = { url: string; port: number; server: Server; close: () => Promise<void> };

/** `handler`: an express app, or a function that hands each request to the current one (start.ts, reload). */
export async function listen(
  handler: RequestListener,
  options: { port: number; host: string; onClosing?: () => void },
): Promise<Listening> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = createServer(handler).listen(options.port, options.host);
    s.once('listening', () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new UsageError(`port ${options.port} on ${options.host} is already in use`, {
            setting: 'port',
            cause: error,
          }),
        );
      else if (error.code === 'EACCES')
        reject(new UsageError(`not allowed to listen on ${options.host}:${options.port}`, { cause: error }));
      else reject(error);
    });
  });
  server.keepAliveTimeout = 5000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`,
    port: address.port,
    server,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        options.onClosing?.();
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
