import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentConfigStore } from './agent/agent-config.ts';
import { createProvider } from './agent/providers/create-provider.ts';
import { ANSWER_UNANSWERED_WITHIN_MS, ReplyRunner } from './agent/reply-runner.ts';
import { createReplyStore } from './agent/reply-store.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { createSessionStore } from './auth/session-store.ts';
import { ChatEvents } from './chats/chat-events.ts';
import { chatRoutes } from './chats/chat-routes.ts';
import { createChatService } from './chats/chat-service.ts';
import { createSendLimit } from './chats/send-limit.ts';
import { ConfigError, type ServerConfig } from './config/config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { createLocalCluster } from './cluster/local-cluster.ts';
import { createRedisCluster } from './cluster/redis-cluster.ts';
import { ConnectionRegistry } from './gateway/connection-registry.ts';
import { createGateway } from './gateway/gateway.ts';
import { healthRoutes } from './health/health-routes.ts';
import { createHttpApp } from './http/create-http-app.ts';
import { errorHandler, notFoundHandler } from './http/error-handler.ts';
import { trackInFlightRequests } from './http/in-flight.ts';
import type { Logger } from './logging/logger.ts';
import { metricsRoutes } from './metrics/metrics-routes.ts';
import { createServerMetrics } from './metrics/server-metrics.ts';
import { researchRoutes } from './research/research-routes.ts';
import { createResearcherSessions } from './research/researcher-sessions.ts';
import { systemClock, type Clock } from './study/clock.ts';
import { createStudyModule, type StudyModule } from './study/study-module.ts';

export const VERSION = '0.1.0';

export interface ParleyServer {
  readonly port: number;
  readonly url: string;
  readonly database: Database;
  readonly registry: ConnectionRegistry;
  readonly replies: ReplyRunner;
  readonly study: StudyModule;
  /** HTTP requests being served right now (shutdown answers them before it closes connections). */
  readonly requestsInFlight: number;
  /** Graceful: stop accepting, finish in-flight work, close sockets with 1001, close the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The study's clock (consent times, time limits); tests move it forward instead of waiting. */
  clock?: Clock;
}

/** The composition root: builds every part from the configuration and wires them together. */
export async function startServer(config: ServerConfig, logger: Logger, options: StartOptions = {}): Promise<ParleyServer> {
  const startedAt = Date.now();
  const database = await openDatabase(config.databaseUrl, logger, { poolSize: config.databasePoolSize, timeoutMs: config.databaseTimeoutMs });
  const { prisma } = database;

  const sessions = createSessionStore(prisma, config.sessionTtlMs);
  const events = new ChatEvents((err) => logger.error({ err }, 'chat event listener failed'));
  // Gauges read the registry and the replies at scrape time only, when both exist.
  const metrics = createServerMetrics({ openSockets: () => registry.size, repliesRunning: () => replies.runningCount });
  const registry = new ConnectionRegistry();
  // With REDIS_URL, several instances share users: frames and reply control cross between them.
  const cluster = config.redisUrl ? await createRedisCluster({ url: config.redisUrl, registry, logger, prefix: config.redisPrefix }) : createLocalCluster(registry);
  const chats = createChatService(database, events, {
    observer: metrics.writePath,
    sendLimit: createSendLimit(cluster.limiters, config.messagesPerMinute),
  });

  const agentConfig = await createAgentConfigStore({
    path: config.agentConfigPath,
    logger,
    env: { anthropicApiKey: config.anthropicApiKey ?? undefined },
  });
  const loaded = agentConfig.lastResult();
  if (!loaded.ok && loaded.problem !== 'missing') {
    agentConfig.close();
    await database.close();
    // Running a study on default settings by accident would be worse than not starting.
    throw new ConfigError(`The agent configuration ${config.agentConfigPath} is ${loaded.problem}: ${loaded.errors.join('; ')}`);
  }
  const clock = options.clock ?? systemClock;
  const study = createStudyModule({
    prisma,
    settingsFile: agentConfig,
    sessions,
    clock,
    publish: (userId, frame) => cluster.toUser(userId, frame),
    connectedUsers: () => [...registry.all()].map((c) => c.userId),
    logger,
    exclusive: (key, task) => cluster.exclusive(key, task),
    limiters: cluster.limiters,
    telemetryEventsPerMinute: config.telemetryEventsPerMinute,
    sweepIntervalMs: config.studySweepIntervalMs,
  });
  const secrets = { anthropicApiKey: config.anthropicApiKey ?? undefined, anthropicBaseUrl: config.anthropicBaseUrl ?? undefined, openaiApiKey: config.openaiApiKey ?? undefined };
  const replies = new ReplyRunner({
    store: createReplyStore(prisma),
    // A study participant's replies use their condition's settings.
    settings: (chatId) => study.service.agentSettingsFor(chatId),
    present: (message) => study.service.presentMessage(message),
    providerFor: (settings) => createProvider(settings, secrets),
    cluster,
    logger,
  });
  cluster.setActivitySource(() => ({ connections: registry.size, replies: replies.runningCount }));
  const orphans = await replies.recover();
  if (orphans) logger.warn({ count: orphans }, 'replies left streaming by a crash were marked interrupted');
  if (config.agentReplies) {
    const answered = await replies.answerUnanswered(ANSWER_UNANSWERED_WITHIN_MS);
    if (answered) logger.info({ count: answered }, 'replies started for messages a stop or crash left unanswered');
  }

  events.onUserMessage(({ userId, chat, message, originConnectionId }) => {
    cluster.toUser(userId, { type: 'message', chatId: chat.id, message }, originConnectionId);
    cluster.toUser(userId, { type: 'chat.updated', chat });
    if (config.agentReplies) replies.onUserMessage(userId, chat.id);
  });
  events.onChatUpdated(({ userId, chat }) => cluster.toUser(userId, { type: 'chat.updated', chat }));

  const inFlight = trackInFlightRequests();
  const app = createHttpApp({ logger, trustProxy: config.trustProxy, allowedOrigins: config.allowedOrigins, inFlight });
  const server = http.createServer(app);
  const gateway = createGateway({
    server,
    sessions,
    chats,
    replies,
    study: study.hooks,
    registry,
    logger,
    allowedOrigins: config.allowedOrigins,
    maxFrameBytes: config.maxFrameBytes,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    framesPerSecond: config.wsFramesPerSecond,
    observeAck: (seconds) => metrics.observeAck(seconds),
    clustered: config.redisUrl !== null,
  });

  cluster.onControl((message) => {
    if (message.type === 'logout') gateway.closeSession(message.sessionId);
  });

  const checks = [{ name: 'database', required: true, check: () => database.ping() }];
  // Without Redis an instance still serves its own sockets: degraded, not down.
  if (config.redisUrl) checks.push({ name: 'redis', required: false, check: () => cluster.check() });
  app.use(metricsRoutes(metrics, config.metricsToken));
  app.use(healthRoutes(checks, VERSION, startedAt));
  app.use(
    '/api',
    authRoutes({
      sessions,
      accessCode: config.accessCode,
      cookieSecure: config.cookieSecure,
      loginAttemptsPerMinute: config.loginAttemptsPerMinute,
      limiters: cluster.limiters,
      onLogout: (sessionId) => {
        gateway.closeSession(sessionId);
        cluster.control({ type: 'logout', sessionId });
      },
      onLogin: (user, participant) => study.service.onLogin(user, participant),
    }),
  );
  const researcherSessions = createResearcherSessions(prisma, config.researcherSessionTtlMs);
  app.use(
    '/api',
    researchRoutes({
      prisma,
      sessions: researcherSessions,
      passwordHash: config.researcherPasswordHash,
      cookieSecure: config.cookieSecure,
      loginAttemptsPerMinute: config.researcherLoginAttemptsPerMinute,
      limiters: cluster.limiters,
      exportSalt: config.exportSalt,
      settingsFile: agentConfig,
      dashboard: { now: () => clock.now(), activity: () => cluster.activity() },
      logger,
    }),
  );
  app.use('/api', study.routes);
  app.use('/api', chatRoutes({ sessions, chats, limiters: cluster.limiters, exclusive: (key, task) => cluster.exclusive(key, task), streamingSnapshot: (chatId) => replies.snapshot(chatId), study: study.hooks }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  const purge = setInterval(() => {
    void sessions.purgeExpired().catch(() => {});
    void researcherSessions.purgeExpired().catch(() => {});
  }, 3600_000);
  purge.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: config.host, database: database.kind }, 'parley backend listening');

  let stopping: Promise<void> | null = null;
  async function stop(): Promise<void> {
    const deadline = Date.now() + config.shutdownTimeoutMs;
    clearInterval(purge);
    // Stop accepting connections; keep-alive HTTP connections are closed once idle.
    const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await gateway.drain();
    // Requests already accepted are answered first, so a message posted over REST gets its reply
    // started (and ended as interrupted just below) like one sent over a socket. A second left for the rest.
    await inFlight.settled(Math.max(0, deadline - Date.now() - 1000));
    // Running replies end as interrupted with their text so far, and the open tabs are told.
    await replies.shutdown();
    study.close();
    agentConfig.close();
    await gateway.close(Math.max(0, deadline - Date.now()));
    // A request still running (a long export) gets what is left of the deadline before connections close.
    if (!(await inFlight.settled(Math.max(0, deadline - Date.now())))) {
      logger.warn({ requests: inFlight.active }, 'requests still running at the shutdown deadline were cut off');
    }
    server.closeAllConnections();
    await httpClosed;
    await cluster.close();
    await database.close();
    logger.info('parley backend stopped');
  }

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    database,
    registry,
    replies,
    study,
    get requestsInFlight() {
      return inFlight.active;
    },
    stop: () => (stopping ??= stop()),
  };
}
