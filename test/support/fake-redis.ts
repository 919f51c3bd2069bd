/**
 * A tiny RESP server on a loopback port that answers like Redis to the few commands a client sends while
 * connecting (INFO, PING, CLIENT …) and "+OK" to anything else. It exists to be killed: `stop()` drops every
 * connection and stops listening, so a connected client finds itself with no Redis at all, without touching the
 * machine's own Redis.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';

export type FakeRedis = { url: string; stop(): Promise<void> };

/** Command names from a chunk of RESP arrays (`*2\r\n$4\r\nPING\r\n…`): the first bulk string of each array. */
function commandNames(chunk: string): string[] {
  const names: string[] = [];
  const lines = chunk.split('\r\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.startsWith('*')) names.push((lines[i + 2] ?? '').toLowerCase());
  }
  return names;
}

function reply(name: string): string {
  if (name === 'ping') return '+PONG\r\n';
  if (name === 'info') {
    const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
    return `$${Buffer.byteLength(info)}\r\n${info}\r\n`;
  }
  return '+OK\r\n';
}

export async function startFakeRedis(): Promise<FakeRedis> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (data) => {
      for (const name of commandNames(data.toString('utf8'))) socket.write(reply(name));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    stop: async () => {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
