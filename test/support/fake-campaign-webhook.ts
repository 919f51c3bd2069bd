/**
 * A small real webhook (node:http on 127.0.0.1:0) for campaign tests: greeting + Gather, then Dial on 1 and
 * Hangup otherwise. Per customer it can answer 500 or never answer; it counts TCP connections and the most
 * requests it held at once, so tests check the shared keep-alive Agent and the concurrency bound.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type CampaignFake = {
  url: string;
  requests: number;
  connections: number;
  maxInFlight: number;
  close: () => Promise<void>;
};

export type FakeBehaviour = {
  fail?: (customerId: string) => boolean;
  hang?: (customerId: string) => boolean;
  /** Hold greetings until this many are waiting, then answer them together: proves that many calls run at once. */
  batch?: number;
};

const GREETING =
  '<Response><Say>Hello</Say><Gather action="/gather" method="POST" numDigits="1" timeout="5"><Say>Press 1 for an agent.</Say></Gather><Say>Goodbye</Say><Hangup/></Response>';
const DIAL = '<Response><Dial callerId="08047112233">+919812345678</Dial></Response>';
const BYE = '<Response><Say>Thank you</Say><Hangup/></Response>';

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': status === 200 ? 'application/xml' : 'text/plain' });
  res.end(text);
}

export async function startCampaignFake(behaviour: FakeBehaviour = {}): Promise<CampaignFake> {
  const state = { requests: 0, connections: 0, maxInFlight: 0, inFlight: 0 };
  const held: ServerResponse[] = [];
  const greet = (res: ServerResponse) => {
    if (behaviour.batch === undefined) return answer(res, 200, GREETING);
    held.push(res);
    if (held.length >= behaviour.batch) for (const waiting of held.splice(0)) answer(waiting, 200, GREETING);
  };
  const server = createServer((req, res) => {
    state.requests += 1;
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    res.on('close', () => (state.inFlight -= 1));
    void body(req).then((text) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname === '/gather') return answer(res, 200, new URLSearchParams(text).get('DigitsPressed') === '1' ? DIAL : BYE);
      const customer = url.searchParams.get('customer_id') ?? '';
      if (behaviour.hang?.(customer)) return;
      if (behaviour.fail?.(customer)) return answer(res, 500, 'boom');
      greet(res);
    });
  });
  server.on('connection', () => (state.connections += 1));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/passthru`,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A customers CSV of `n` rows, C1…Cn, valid for `url` normalisation. */
export function customersCsv(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => `C${i + 1},Customer ${i + 1},98765${String(i).padStart(5, '0')},${1000 + i},2030-01-15,en-IN`);
  return `customer_id,customer_name,phone,amount,due_date,language_code\n${rows.join('\n')}\n`;
}
