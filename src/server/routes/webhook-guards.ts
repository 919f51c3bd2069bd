/**
 * What every webhook request goes through before the call service sees it. A webhook answers ExoML whatever
 * arrives (docs/exotel-protocol.md §9.1 item 4): these set `res.locals.webhook` first, so the app's error
 * middleware answers a body that fails to parse with the error ExoML too, however the path was spelled (express
 * matches routes case-insensitively and with an optional trailing slash).
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isValidHost } from '../request-base.ts';

const WEBHOOK_METHODS = 'GET, HEAD, POST';

function sendXml(res: Response, status: number, xml: string): void {
  res.status(status).type('text/xml; charset=utf-8').send(xml);
}

/** Marks the request as a webhook's, and answers 405 to any method but GET, HEAD and POST (OPTIONS included). */
export function webhookMethods(errorXml: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.webhook = true;
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'POST') {
      next();
      return;
    }
    res.set('Allow', WEBHOOK_METHODS);
    sendXml(res, 405, errorXml);
  };
}

/** A Host that is present but names no host → 400, whether or not BASE_URL makes it unused (RFC 9112 §3.2). */
export function webhookHost(errorXml: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const host = req.get('host');
    if (host === undefined || isValidHost(host)) {
      next();
      return;
    }
    res.locals.warnings = ['malformed Host header'];
    sendXml(res, 400, errorXml);
  };
}

/** Exotel sends Passthru as a GET query and ExoML actions as POST forms; TwiML-style clients may post JSON. */
export function webhookBodies(): RequestHandler[] {
  return [express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }), express.json({ limit: '64kb' })];
}

/**
 * HEAD answers the headers a GET would (200, the ExoML content type) without running the flow: HEAD is a safe
 * method, so it must not start a call, write a session or a history row, and link checkers and applet URL checks
 * (Exotel sends HEAD before GET to a Greeting URL, §10.2 item 9) see a live endpoint rather than a 405. It still
 * goes through the Host check and the key, so it tells nothing a GET would not.
 */
export function webhookHead(_req: Request, res: Response): void {
  res.status(200).type('text/xml; charset=utf-8').end();
}
