export * from './limits.ts';
export * from './errors.ts';
export * from './entities.ts';
export * from './fields.ts';
export * from './rest.ts';
export * from './socket.ts';
export * from './parse.ts';
