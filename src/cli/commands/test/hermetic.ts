/**
 * `test --start-server`: the bundled server on 127.0.0.1 at an ephemeral port with embedded stores (sessions in
 * memory, history in in-memory PGlite, spool in memory), read back through its admin API for `state:` checks.
 * Loaded lazily: it brings the server and the store drivers.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../config.ts';
import type { StateReader } from '../../../scenarios/state.ts';

/** The agent `<Dial>` connects to on "press 1" in hermetic runs (the fixtures expect it). */
export const HERMETIC_AGENT = '+917417119014';

export type Hermetic = { url: string; state: StateReader; close: () => Promise<void> };

export async function startHermetic(cwd: string): Promise<Hermetic> {
  const config = loadConfig({
    env: {},
    flags: { port: 0, host: '127.0.0.1', dataDir: 'memory', spoolDir: 'memory', agentNumber: HERMETIC_AGENT },
  });
  const { startServer } = await import('../../../server/start.ts');
  const { createMemoryLogger } = await import('../../../server/logger.ts');
  const { openServerStores } = await import('../../../stores/open.ts');
  const { openAdminSource } = await import('../../../inspect/admin-source.ts');
  const token = randomBytes(18).toString('base64url');
  const server = await startServer(config, {
    cwd,
    logger: createMemoryLogger(),
    openStores: (resolved, context) => openServerStores(resolved, context),
    admin: { token, loopbackOnly: true },
  });
  try {
    const source = await openAdminSource({ server: server.url, token });
    return {
      url: `${server.url}/passthru-handler`,
      state: { read: (sid) => source.call(sid), settle: () => server.writer.settle(), attempts: 1 },
      close: async () => {
        await source.close();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
