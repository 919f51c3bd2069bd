/**
 * The App Bazaar applet endpoints (docs/exotel-protocol.md §1, §2, §3, §4, §6.2), thin over the applet service:
 *   GET      /exotel/passthru         → 200 "connect" | 302 "hangup" | 302 "no digits" | 200 "ok" (after Connect)
 *   GET      /exotel/gather           → Gather JSON
 *   GET|HEAD /exotel/greeting         → text/plain
 *   GET      /exotel/connect          → Connect JSON
 *   POST     /exotel/status-callback  → multipart form, urlencoded or JSON; idempotent per CallSid + Status
 */
import express, { type Request, type Response, type Router } from 'express';
import { createAppletService, type AppletCall, type AppletProblem } from '../applet-service.ts';
import type { CallServiceDeps } from '../call-service.ts';
import { mergeParams } from '../params.ts';

const EXOTEL_VERSION = '1.0';

function problem(res: Response, found: AppletProblem, status = 400) {
  res.locals.warnings = [found.problem];
  res.status(status).json({ error: found.problem });
}

function note(res: Response, call: AppletCall, extra: string[] = []) {
  res.locals.callSid = call.callSid;
  const warnings = [...call.warnings, ...extra];
  if (warnings.length > 0) res.locals.warnings = warnings;
}

/**
 * Gather and Connect requests carry `Exotel-Version: 1.0` (§2.2, §3). Another version is refused with 400 (the
 * JSON may not be what that version expects); a missing header is answered, with a warning in the log line,
 * so curl and other tools still work.
 */
function versionCheck(req: Request): { refuse?: string; warning?: string } {
  const version = req.get('exotel-version');
  if (version === undefined) return { warning: `no Exotel-Version header (Exotel sends ${EXOTEL_VERSION})` };
  return version.trim() === EXOTEL_VERSION
    ? {}
    : { refuse: `Exotel-Version ${version.slice(0, 20)} is not supported; this endpoint answers ${EXOTEL_VERSION}` };
}

/** A multipart/form-data body as flat string fields (undici's parser, through the WHATWG Request). */
async function multipartFields(req: Request): Promise<Record<string, string>> {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const form = await new globalThis.Request('http://localhost/', {
    method: 'POST',
    headers: { 'content-type': req.get('content-type') ?? '' },
    // A copy on its own ArrayBuffer: the DOM's BodyInit (the inspector's front end type-checks with the DOM lib) takes no pooled Buffer.
    body: new Uint8Array(body),
  }).formData();
  const out: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === 'string' && !(key in out)) out[key] = value;
  return out;
}

export function registerAppletRoutes(router: Router, deps: CallServiceDeps) {
  const service = createAppletService(deps);
  router.get('/exotel/passthru', async (req, res) => {
    res.locals.callSid = req.query.CallSid;
    const result = await service.passthru(mergeParams(req.query, undefined));
    if ('problem' in result) return problem(res, result);
    res.status(result.status).type('text/plain; charset=utf-8').send(result.body);
  });

  router.get('/exotel/gather', async (req, res) => {
    const version = versionCheck(req);
    if (version.refuse) return problem(res, { problem: version.refuse });
    const result = await service.gather(mergeParams(req.query, undefined));
    if ('problem' in result) return problem(res, result);
    note(res, result.call, version.warning ? [version.warning] : []);
    res.status(200).json(result.json);
  });

  router.get('/exotel/connect', async (req, res) => {
    const version = versionCheck(req);
    if (version.refuse) return problem(res, { problem: version.refuse });
    const result = await service.connect(mergeParams(req.query, undefined));
    if ('problem' in result) return problem(res, result);
    note(res, result.call, version.warning ? [version.warning] : []);
    res.status(200).json(result.json);
  });

  // Exactly `text/plain` and nothing else, the same for HEAD as for GET (§4): no charset parameter, so the body
  // is sent as bytes rather than through res.send, which would add one.
  const greeting = async (req: Request, res: Response) => {
    const result = await service.greeting(mergeParams(req.query, undefined));
    if ('problem' in result) return problem(res, result);
    note(res, result.call);
    const body = Buffer.from(result.text, 'utf8');
    // res.setHeader, not res.set: express's set adds "; charset=utf-8" to a text Content-Type.
    res.status(200).setHeader('Content-Type', 'text/plain');
    res.setHeader('Content-Length', String(body.length));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  router.get('/exotel/greeting', greeting);
  router.head('/exotel/greeting', greeting);

  router.post(
    '/exotel/status-callback',
    express.raw({ type: 'multipart/form-data', limit: '64kb' }),
    async (req, res) => {
      const body: Record<string, unknown> = req.is('multipart/form-data')
        ? await multipartFields(req)
        : typeof req.body === 'object' && req.body !== null
          ? { ...req.body }
          : {};
      const result = await service.statusCallback(body);
      if ('problem' in result) return problem(res, result);
      res.locals.callSid = result.callSid;
      res.status(200).json({ ok: true, callSid: result.callSid, status: result.status });
    },
  );
}
