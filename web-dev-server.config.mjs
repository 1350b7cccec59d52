// `npm start`: serves the demo pages and dist/ cross-origin isolated (COOP/COEP), so the demo takes
// the shared-memory path; `DAW_ISOLATION=off npm start` serves them without those headers to try the
// batched-message fallback path.
const isolated = process.env.DAW_ISOLATION !== 'off';
export default {
  rootDir: '.',
  port: Number(process.env.PORT ?? 8000),
  open: process.env.CI ? false : '/demo/',
  middleware: [
    function headers(ctx, next) {
      if (isolated) {
        ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
        ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
      }
      if (ctx.path.endsWith('.wasm')) ctx.type = 'application/wasm';
      return next();
    },
  ],
};
