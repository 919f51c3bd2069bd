/**
 * The bundled bot's App Bazaar flow, the same as fixtures/flows/collections.yaml (a test keeps them equal): the
 * default of `simulate --flavor applet` and of the mock Calls API, which has no file to read.
 */
import type { AppletFlow } from './types.ts';

export const COLLECTIONS_FLOW: AppletFlow = {
  name: 'collections',
  start: 'greeting',
  statusCallback: '/exotel/status-callback',
  applets: {
    greeting: { kind: 'greeting', url: '/exotel/greeting', next: 'menu' },
    menu: { kind: 'gather', url: '/exotel/gather', next: 'decide' },
    decide: { kind: 'passthru', url: '/exotel/passthru', onOk: 'agent', onElse: 'hangup' },
    agent: { kind: 'connect', url: '/exotel/connect', next: 'after_call' },
    after_call: { kind: 'passthru', url: '/exotel/passthru', onOk: 'hangup', onElse: 'hangup' },
    hangup: { kind: 'hangup' },
  },
};
