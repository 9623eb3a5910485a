import { Router } from 'express';
import { checkMetricsAccess } from './metrics-access.ts';
import type { ServerMetrics } from './server-metrics.ts';

/** `GET /metrics` in Prometheus text format, for operators only (see metrics-access.ts). */
export function metricsRoutes(metrics: ServerMetrics, token: string | null): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    const access = checkMetricsAccess(req, token);
    if (!access.allowed) {
      if (access.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="parley-metrics"');
      res.status(access.status).json({ error: { code: access.code, message: access.message } });
      return;
    }
    res.setHeader('Content-Type', metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await metrics.render());
  });
  return router;
}
