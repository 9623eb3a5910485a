import type { HealthResponse } from '@parley/protocol';
import { Router } from 'express';

export interface HealthCheck {
  name: string;
  /** Resolves when healthy. Required checks failing make the whole service unavailable (503). */
  check(): Promise<void>;
  required: boolean;
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout(promise: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('health check timed out')), CHECK_TIMEOUT_MS);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

export function healthRoutes(checks: HealthCheck[], version: string, startedAt: number): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => [c, await withTimeout(c.check()).then(() => 'ok' as const, () => 'failing' as const)] as const),
    );
    const requiredFailing = results.some(([c, r]) => c.required && r === 'failing');
    const anyFailing = results.some(([, r]) => r === 'failing');
    const body: HealthResponse = {
      status: requiredFailing ? 'unavailable' : anyFailing ? 'degraded' : 'ok',
      checks: Object.fromEntries(results.map(([c, r]) => [c.name, r])),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      version,
    };
    res.status(requiredFailing ? 503 : 200).json(body);
  });
  return router;
}
