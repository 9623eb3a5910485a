// Network probes for the operations scripts, in node (always installed) so that curl is not required.
//
//   node probe.cjs http <url> <timeout-seconds>   prints the HTTP status code, or 000 when there is no answer
//   node probe.cjs port <url>                      exit 0 when something accepts TCP connections at the URL's host:port
'use strict';

const net = require('node:net');

async function httpStatus(url, timeoutSeconds) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000), redirect: 'manual' });
    // Drain the body so the socket closes cleanly; the status is all the scripts need.
    await res.arrayBuffer().catch(() => {});
    return String(res.status);
  } catch {
    return '000';
  }
}

function portOpen(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function main() {
  const [mode, url, timeout] = process.argv.slice(2);
  if (mode === 'http' && url) {
    process.stdout.write(`${await httpStatus(url, Number(timeout) || 5)}\n`);
  } else if (mode === 'port' && url) {
    process.exit((await portOpen(url)) ? 0 : 1);
  } else {
    process.stderr.write('usage: probe.cjs http <url> [timeout-seconds] | probe.cjs port <url>\n');
    process.exit(2);
  }
}

main();
