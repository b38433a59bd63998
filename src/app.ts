import { Router } from '@koa/router';
import Koa from 'koa';
import type { AppDeps } from './deps';
import { handleErrors } from './http/error-handler';
import { observeRequests } from './http/observe-requests';
import { securityHeaders } from './http/security-headers';
import type { AppState } from './http/state';
import { answerUnrouted } from './http/unrouted';
import { accountRoute } from './routes/account';
import { dashboardRoute } from './routes/dashboard';
import { docsAssetRoute, docsPageRoute } from './routes/docs';
import { livenessRoute, readinessRoute } from './routes/health';
import { homeRoute } from './routes/home';
import { introspectRoute } from './routes/introspect';
import { loginRoute } from './routes/login';
import { metricsRoute } from './routes/metrics';
import { logoutRoute } from './routes/logout';
import { openApiRoute } from './routes/openapi';
import { passwordRoute } from './routes/password';
import { registerRoute } from './routes/register';
import { revokeRoute } from './routes/revoke';
import { listSessionsRoute, revokeOtherSessionsRoute, revokeSessionRoute } from './routes/sessions';
import { isVerifyPath, VERIFY_PATH, verifyRoute } from './routes/verify';

/**
 * The gatehouse HTTP app. Never listens by itself: main.ts does, tests use app.callback().
 * Paths match with or without a trailing slash, as the tutorial's "/register/" and "/register".
 */
export function createApp(deps: AppDeps): Koa<AppState> {
  // Behind a proxy, the client is the address that proxy appended to X-Forwarded-For: the last
  // one. Entries before it were sent by the client and prove nothing (and would let anyone
  // choose the address the login throttle counts).
  const app = new Koa<AppState>({ proxy: deps.config.TRUST_PROXY, maxIpsCount: 1 });
  const router = createRouter(deps);

  app.use(observeRequests(deps));
  app.use(securityHeaders());
  app.use(handleErrors({ log: deps.log, metrics: deps.metrics, bodyLimit: deps.config.BODY_LIMIT }));
  app.use(router.routes());
  app.use(answerUnrouted(router.allowedMethods(), isVerifyPath));
  return app;
}

/**
 * Every route. Exported so tests can check the OpenAPI document (src/openapi/) against it:
 * whatever is added here must be documented there.
 */
export function createRouter(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/', ...homeRoute());
  router.get('/healthz', ...livenessRoute());
  router.get('/readyz', ...readinessRoute(deps));
  // With METRICS_PORT set, metrics are served only there (see server.ts).
  if (deps.config.METRICS_PORT === null) router.get('/metrics', ...metricsRoute(deps));
  router.post('/register', ...registerRoute(deps));
  router.post('/login', ...loginRoute(deps));
  router.get('/dashboard', ...dashboardRoute(deps));
  router.get('/logout', ...logoutRoute(deps));
  router.post('/logout', ...logoutRoute(deps));
  const verify = verifyRoute(deps);
  router.get(VERIFY_PATH, ...verify);
  router.post(VERIFY_PATH, ...verify);
  router.post('/oauth2/introspect', ...introspectRoute(deps));
  router.post('/oauth2/revoke', ...revokeRoute(deps));
  router.get('/sessions', ...listSessionsRoute(deps));
  router.delete('/sessions', ...revokeOtherSessionsRoute(deps));
  router.delete('/sessions/:jti', ...revokeSessionRoute(deps));
  router.put('/password', ...passwordRoute(deps));
  router.delete('/account', ...accountRoute(deps));
  router.get('/openapi.json', ...openApiRoute(deps));
  router.get('/docs', ...docsPageRoute());
  router.get('/docs/:asset', ...docsAssetRoute());
  return router;
}
