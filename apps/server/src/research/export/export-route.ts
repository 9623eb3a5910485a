import { EXPORT_SCHEMA_VERSION, exportQuerySchema } from '@parley/protocol';
import type { RequestHandler, Response } from 'express';
import type { Prisma } from '../../db/database.ts';
import { validate } from '../../http/validate.ts';
import type { Logger } from '../../logging/logger.ts';
import { writeExport, type ExportSink } from './export-stream.ts';
import { createPseudonymizer } from './pseudonymize.ts';

/** A sink that honours the response's backpressure and stops when the client goes away. */
function responseSink(res: Response): ExportSink {
  let gone = false;
  res.on('close', () => (gone = true));
  return {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (gone || res.destroyed) return reject(new Error('the client closed the export download'));
        if (res.write(chunk)) return resolve();
        const onDrain = () => {
          res.off('close', onClose);
          resolve();
        };
        const onClose = () => {
          res.off('drain', onDrain);
          reject(new Error('the client closed the export download'));
        };
        res.once('drain', onDrain);
        res.once('close', onClose);
      }),
  };
}

/** GET /api/research/export: the data set streamed as JSONL or CSV (researcher only; mounted behind the guard). */
export function exportRoute(options: { prisma: Prisma; exportSalt: string | null; logger: Logger }): RequestHandler {
  return async (req, res) => {
    const query = validate(exportQuerySchema, req.query);
    const pseudo = createPseudonymizer(query.pseudonymize, options.exportSalt);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const name = `parley-${query.study ?? 'all'}${query.condition ? `-${query.condition}` : ''}-${stamp}.${query.format}`;
    res.status(200);
    res.setHeader('Content-Type', query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Export-Schema-Version', String(EXPORT_SCHEMA_VERSION));
    if (query.pseudonymize) res.setHeader('X-Export-Pseudonyms', options.exportSalt ? 'salted' : 'one-off');
    try {
      const counts = await writeExport(
        options.prisma,
        { format: query.format, filters: { study: query.study, condition: query.condition, from: query.from, to: query.to }, pseudo },
        responseSink(res),
      );
      res.end();
      options.logger.info({ ...counts, format: query.format, study: query.study ?? null, pseudonymized: query.pseudonymize }, 'research export written');
    } catch (err) {
      // Nothing sent yet: an ordinary error answer. Otherwise the headers and part of the body are
      // out, and the only honest signal left is a broken download.
      if (!res.headersSent) throw err;
      options.logger.warn({ err }, 'research export aborted');
      res.destroy();
    }
  };
}
