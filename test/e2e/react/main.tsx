// The React page of the end-to-end suite (test/e2e/run.mjs): <App> (the README's React example) in
// React 19, built by Vite (test/e2e/react/build.mjs). "Unmount" lets the test take the whole tree
// down the way an app does (root.unmount()) and check that every slot is given back.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';

const root = createRoot(document.getElementById('app')!);
root.render(<StrictMode><App /></StrictMode>);
document.getElementById('unmount')!.addEventListener('click', () => root.unmount(), { once: true });
