/**
 * `createApp(deps)` → an express app that does not listen (docs/architecture.md). Thin routes, one error
 * middleware, one log line per request with the CallSid and phone numbers masked.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { buildExoml } from '../exoml/build.ts';
import { errorVerbs, type FlowSettings } from '../flow/call-flow.ts';
import type { HistoryStore, HistoryWriter, SessionStore } from '../stores/ports.ts';
import { adminAuth } from './auth.ts';
import { createCallService } from './call-service.ts';
import type { ExchangeLog } from './exchanges.ts';
import type { Logger } from './logger.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerAppletRoutes } from './routes/applets.ts';
import { registerHealthRoute } from './routes/health.ts';
import { registerInspectorRoutes, type PressKeys } from './routes/inspect.ts';
import { registerMockCallsApi, type MockCallsOptions } from './routes/mock-calls-api.ts';
import { registerVoicebotRoute } from './routes/voicebot.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';

export type AppDeps = {
  sessions: SessionStore;
  history: HistoryStore;
  /** History writes go through it (group commit, spool); reads go to `history`. */
  writer: HistoryWriter;
  logger: Logger;
  flow: FlowSettings;
  sessionTtl: number;
  baseUrl: string | undefined;
  webhookKey: string | undefined;
  admin: { token: string; loopbackOnly: boolean };
  now?: () => Date;
  /** `serve --mock-exotel-api`: Exotel's Calls/connect API, offline. */
  mockExotelApi?: boolean;
  /** The mock's flow and rate limit (routes/mock-calls-api.ts). */
  mockCalls?: MockCallsOptions;
  /** Every webhook exchange, for the browser inspector and `serve --record` (server/exchanges.ts). */
  exchanges?: ExchangeLog;
  /** The browser inspector over `exchanges`: where its bundled page lies, and the keypad serve injects. */
  inspector?: { assetsDir: string; pressKeys?: PressKeys };
};

function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.on('finish', () => {
      const ms = performance.now() - started;
      const sid = typeof res.locals.callSid === 'string' ? res.locals.callSid : '-';
      const extra = [
        typeof res.locals.authFailure === 'string' ? `auth="${res.locals.authFailure}"` : '',
        Array.isArray(res.locals.warnings) ? `warnings=${JSON.stringify(res.locals.warnings)}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      // req.path is relative to the router that answered (`/sessions` under `/admin`); originalUrl is what came in.
      const path = req.originalUrl.split('?', 1)[0] ?? req.originalUrl;
      logger.info(
        `${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms CallSid=${sid}${extra ? ` ${extra}` : ''}`,
      );
    });
    next();
  };
}

export function createApp(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLog(deps.logger));
  if (deps.exchanges) app.use(deps.exchanges.middleware());

  const service = createCallService({ ...deps, now });
  const webhooks = express.Router();
  const errorXml = buildExoml(errorVerbs(deps.flow, 'en'));
  registerWebhookRoutes(webhooks, service, {
    baseUrl: deps.baseUrl,
    webhookKey: deps.webhookKey,
    tokenTtlSeconds: deps.sessionTtl,
    now,
    errorXml,
  });
  app.use(webhooks);

  const health = express.Router();
  registerHealthRoute(health, deps);
  registerVoicebotRoute(health, { baseUrl: deps.baseUrl });
  app.use(health);

  // The App Bazaar applets and the mock Calls API read form and JSON bodies too (multipart is read by its route).
  const applets = express.Router();
  applets.use(
    ['/exotel', '/v1'],
    express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }),
    express.json({ limit: '64kb' }),
  );
  registerAppletRoutes(applets, { ...deps, now });
  if (deps.mockExotelApi) registerMockCallsApi(applets, { ...deps, now }, deps.mockCalls);
  app.use(applets);

  const admin = express.Router();
  admin.use('/admin', adminAuth(deps.admin));
  registerAdminRoutes(admin, deps);
  app.use(admin);

  if (deps.exchanges && deps.inspector) {
    const inspector = express.Router();
    registerInspectorRoutes(inspector, { ...deps, ...deps.inspector, exchanges: deps.exchanges });
    app.use(inspector);
  }

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });

  // One error middleware: webhooks still answer well-formed ExoML (never 200 on an error, docs/exotel-protocol.md §9.1 item 4).
  // `res.locals.webhook` is set by the first webhook middleware, so it holds however express matched the path.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const claimed =
      typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
        ? error.status
        : 500;
    const status = Number.isInteger(claimed) && claimed >= 400 && claimed <= 599 ? claimed : 500;
    const clientError = status >= 400 && status < 500;
    if (!clientError) deps.logger.error(`${req.method} ${req.path} failed`, error);
    if (res.headersSent) return;
    if (res.locals.webhook === true) {
      res.status(status).type('text/xml; charset=utf-8').send(errorXml);
      return;
    }
    res.status(status).json({ error: clientError && error instanceof Error ? error.message : 'internal error' });
  });
  return app;
}
