/**
 * Small real webhooks (node:http on 127.0.0.1:0) written the way other implementations answer Exotel, for the
 * simulator to call. Every request is recorded (method, path+query, body) so tests check what went on the wire.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type FakeRequest = { method: string; url: string; query: URLSearchParams; body: string; form: URLSearchParams };

export type Fake = { url: string; requests: FakeRequest[]; close: () => Promise<void> };

export type FakeHandler = (req: FakeRequest, res: ServerResponse, base: string) => void;

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

export async function startFake(handler: FakeHandler): Promise<Fake> {
  const requests: FakeRequest[] = [];
  let base = '';
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = req.url ?? '/';
      const recorded = { method: req.method ?? 'GET', url, query: new URL(url, base).searchParams, body, form: new URLSearchParams(body) };
      requests.push(recorded);
      handler(recorded, res, base);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
  return {
    url: base,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export function xml(res: ServerResponse, body: string, status = 200, type = 'text/xml'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

export const pathOf = (req: FakeRequest) => new URL(req.url, 'http://x').pathname;
