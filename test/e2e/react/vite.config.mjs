// Vite builds the React page into build/e2e-react/ (gitignored), as an app that installed the package
// would be built: `daw-elements` is this package, resolved through its package.json "exports", and
// Vite copies daw-worklet.js and daw-dsp.wasm (found with new URL(..., import.meta.url)) into the
// build. JSX: Vite's own esbuild transform with React's automatic runtime (what @vitejs/plugin-react
// configures for a production build; its Babel pass only serves the dev server's Fast Refresh).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

export default {
  root: here,
  base: './',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  resolve: { alias: [{ find: /^daw-elements$/, replacement: root }] },
  build: { outDir: join(root, 'build', 'e2e-react'), emptyOutDir: true, sourcemap: true },
};
