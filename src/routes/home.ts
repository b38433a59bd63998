import { sendJson } from '../http/json-body';
import type { AppMiddleware } from '../http/state';
import { NAME, VERSION } from '../version';

/** GET / — a small banner, so a person (or a probe) can see what answers on this port. */
export function homeRoute(): AppMiddleware[] {
  return [
    function banner(ctx) {
      sendJson(ctx, { msg: `${NAME} is running`, data: { name: NAME, version: VERSION } });
    },
  ];
}
