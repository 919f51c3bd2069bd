/**
 * The bundled Voicebot's applet URL (docs/exotel-protocol.md §6.3): `GET /exotel/voicebot` answers
 * `{"url": "ws(s)://…/exotel/voicebot/ws"}`, keeping the request's query (the custom parameters). The socket
 * itself is server/voicebot-socket.ts, on the HTTP server's upgrade.
 */
import type { Request, Response, Router } from 'express';

export const VOICEBOT_SOCKET_PATH = '/exotel/voicebot/ws';

export function registerVoicebotRoute(router: Router, options: { baseUrl: string | undefined }): void {
  router.get('/exotel/voicebot', (req: Request, res: Response) => {
    const base = new URL(options.baseUrl ?? `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`);
    const url = new URL(VOICEBOT_SOCKET_PATH, base);
    url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = new URL(req.originalUrl, 'http://x').search;
    res.json({ url: url.toString() });
  });
}
