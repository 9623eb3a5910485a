import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server mirrors the production frontend server (server/main.ts): the app on port 3000,
// /api and /ws proxied to the backend. The Host header is kept (no changeOrigin) because the
// backend's Origin check accepts a request only when Origin and Host name the same host.
const backendUrl = process.env.BACKEND_URL ?? 'http://127.0.0.1:8000';
const port = Number(process.env.PORT ?? process.env.WEB_PORT ?? 3000);

export default defineConfig({
  plugins: [react()],
  server: {
    port,
    strictPort: true,
    host: process.env.HOST ?? '127.0.0.1',
    proxy: {
      '/api': { target: backendUrl, changeOrigin: false, xfwd: true },
      '/ws': { target: backendUrl, changeOrigin: false, ws: true, xfwd: true },
    },
  },
  build: {
    target: 'es2022',
    // Hashed file names under /assets let the frontend server cache them for a year.
    assetsDir: 'assets',
    sourcemap: false,
  },
});
