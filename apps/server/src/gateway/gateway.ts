import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, PROTOCOL_VERSION } from '@parley/protocol';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { tokenFromRequest } from '../auth/credentials.ts';
import { originAllowed } from '../auth/origin.ts';
import type { AuthenticatedSession, SessionStore } from '../auth/session-store.ts';
import type { ChatService } from '../chats/chat-service.ts';
import type { Logger } from '../logging/logger.ts';
import { ClientConnection } from './client-connection.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import { createFrameHandler, type StudyFrameHooks } from './frame-handler.ts';
import type { ReplyControl } from './reply-control.ts';
import { refuseUpgrade, requestPath } from './upgrade.ts';

export interface GatewayOptions {
  server: Server;
  sessions: SessionStore;
  chats: ChatService;
  replies: ReplyControl;
  /** A running study's rules for sends and its telemetry. */
  study: StudyFrameHooks;
  registry: ConnectionRegistry;
  logger: Logger;
  allowedOrigins: readonly string[];
  maxFrameBytes: number;
  heartbeatIntervalMs: number;
  framesPerSecond: number;
  /** Several instances share the users: replies running elsewhere are resumed through the cluster. */
  clustered?: boolean;
  /** A socket with more than this many bytes waiting to be written is considered stuck. */
  maxBufferedBytes?: number;
  /** Told how long each ack took, from the frame's arrival (operators' ack latency metric). */
  observeAck?(seconds: number): void;
}

export interface Gateway {
  /** Refuse new frames and upgrades; frames already being handled finish. */
  drain(): Promise<void>;
  /** Close every socket with 1001 and wait (bounded) for them to go. */
  close(timeoutMs: number): Promise<void>;
  closeSession(sessionId: string): void;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { server, sessions, registry, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, clientTracking: false });
  const handleFrame = createFrameHandler(options);
  const limiter = new RateLimiterMemory({ points: options.framesPerSecond, duration: 1 });
  // Two seconds' worth at the allowed rate, and never fewer than a burst of 64 frames.
  const maxQueuedFrames = Math.max(64, options.framesPerSecond * 2);
  const inFlight = new Set<Promise<void>>();
  let draining = false;

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    if (requestPath(req) !== '/ws') return refuseUpgrade(socket, 404, 'not_found', 'No WebSocket endpoint here; use /ws.');
    if (draining) return refuseUpgrade(socket, 503, 'unavailable', 'The server is restarting. Please reconnect shortly.');
    if (!originAllowed(req, options.allowedOrigins)) {
      logger.warn({ origin: req.headers.origin }, 'websocket upgrade from a foreign origin refused');
      return refuseUpgrade(socket, 403, 'forbidden', 'This origin may not connect.');
    }
    const token = tokenFromRequest(req);
    let session: AuthenticatedSession | null = null;
    try {
      session = token ? await sessions.resolve(token) : null;
    } catch (err) {
      logger.error({ err }, 'session lookup failed during upgrade');
      return refuseUpgrade(socket, 503, 'unavailable', 'The server cannot check sessions right now.');
    }
    if (!session) return refuseUpgrade(socket, 401, 'unauthorized', 'Please log in first.');
    const authenticated = session;
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, authenticated));
  }

  function onConnection(ws: WebSocket, session: AuthenticatedSession): void {
    const connection = new ClientConnection(ws, session.user.id, session.sessionId, options.maxBufferedBytes ?? 1024 * 1024, (c) =>
      logger.warn({ userId: c.userId, buffered: c.socket.bufferedAmount }, 'socket stopped reading; terminated'),
    );
    // Register and snapshot in one tick: every delta after this snapshot reaches this socket.
    registry.add(connection);
    connection.send({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      user: session.user,
      streaming: options.replies.snapshotsForUser(session.user.id),
    });
    if (options.clustered) options.replies.requestRemoteSnapshots(session.user.id);

    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      connection.alive = true;
      onFrame(connection, isBinary ? null : data.toString());
    });
    ws.on('error', (err) => logger.debug({ err, userId: connection.userId }, 'socket error'));
    ws.on('close', () => {
      registry.remove(connection);
      limiter.delete(connection.id).catch(() => {});
    });
  }

  function onFrame(connection: ClientConnection, raw: string | null): void {
    if (raw === null) {
      connection.send({ type: 'error', code: 'validation_failed', message: 'Frames must be JSON text, not binary.' });
      return;
    }
    if (draining) {
      connection.send({ type: 'error', code: 'unavailable', message: 'The server is restarting; send again after reconnecting.' });
      return;
    }
    // The rate limit is applied in order, as frames are handled; a client that sends far faster than
    // its frames are handled (e.g. while the database is slow) is cut off here, before memory grows.
    if (connection.queued >= maxQueuedFrames) {
      // Frames already parsed from the same read still arrive after the close began: one notice only.
      if (connection.socket.readyState !== connection.socket.OPEN) return;
      connection.send({ type: 'error', code: 'rate_limited', message: 'Too many messages too fast; the connection was closed. Please slow down.' });
      connection.socket.close(CLOSE_CODES.rateLimited, 'Too many frames');
      return;
    }
    connection.queued += 1;
    // Latency counts from arrival, so time spent queued behind this socket's earlier frames shows.
    const receivedAt = performance.now();
    const work = connection.queue.then(async () => {
      connection.queued -= 1;
      try {
        await limiter.consume(connection.id);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        // Twice the allowed rate within a second: a flood, not a burst.
        if (rejection.consumedPoints > options.framesPerSecond * 2) {
          connection.socket.close(CLOSE_CODES.rateLimited, 'Too many frames');
        } else if (rejection.consumedPoints === options.framesPerSecond + 1) {
          connection.send({ type: 'error', code: 'rate_limited', message: 'Too many messages too fast; please slow down.' });
        }
        return;
      }
      await handleFrame(connection, raw, receivedAt);
    });
    const tracked = work.catch((err) => logger.error({ err }, 'socket frame queue failed'));
    connection.queue = tracked;
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  }

  /**
   * A session is checked at the upgrade; after that, every other heartbeat, the sessions of open
   * sockets are looked up again, and a socket whose session expired or ended where this instance
   * could not hear of it (a logout on another instance while Redis was away, a session deleted by
   * hand) closes with 4001, as REST starts refusing it. A failed lookup closes nothing.
   */
  let beats = 0;
  let rechecking = false;
  async function recheckSessions(): Promise<void> {
    const checked = new Set<string>();
    for (const connection of registry.all()) checked.add(connection.sessionId);
    if (checked.size === 0 || rechecking) return;
    rechecking = true;
    try {
      const live = await sessions.live([...checked]);
      // Sockets opened during the lookup were not asked about: they are left for the next round.
      for (const connection of registry.all()) {
        if (checked.has(connection.sessionId) && !live.has(connection.sessionId)) connection.socket.close(CLOSE_CODES.sessionEnded, 'Session ended');
      }
    } catch (err) {
      logger.warn({ err }, 'could not recheck the sessions of open sockets');
    } finally {
      rechecking = false;
    }
  }

  const heartbeat = setInterval(() => {
    beats += 1;
    if (beats % 2 === 0) void recheckSessions();
    for (const connection of registry.all()) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }, options.heartbeatIntervalMs);
  heartbeat.unref();

  const upgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void onUpgrade(req, socket, head);
  server.on('upgrade', upgradeListener);

  return {
    async drain() {
      draining = true;
      await Promise.allSettled([...inFlight]);
    },
    async close(timeoutMs) {
      clearInterval(heartbeat);
      server.off('upgrade', upgradeListener);
      const closing = [...registry.all()].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.socket.readyState === c.socket.CLOSED) return resolve();
            c.socket.once('close', () => resolve());
            c.socket.close(CLOSE_CODES.goingAway, 'Server shutting down');
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closing), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      for (const c of registry.all()) c.socket.terminate();
      wss.close();
    },
    closeSession(sessionId) {
      for (const c of registry.forSession(sessionId)) c.socket.close(CLOSE_CODES.sessionEnded, 'Logged out');
    },
  };
}
