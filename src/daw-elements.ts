/** The page bundle: the engine API (and, once defined, the elements). */
export * from './index.js';
