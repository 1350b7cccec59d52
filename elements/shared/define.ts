/**
 * Registering the elements under a prefix, next to other libraries' tags.
 *
 * A tag can be defined once per page. Three cases when ours is asked for a tag that exists:
 *   - it is one of ours (a second copy of the script, or a page's subclass of our class): silent,
 *     the existing definition keeps working on the same engine;
 *   - another library defined it (e.g. `@dawcore/components` defines `<daw-clip>`): ours is not
 *     registered and a `daw-error` with code `name-taken` goes to `document` (and on to `window`),
 *     where a page can listen before any element exists; unless a listener calls
 *     `preventDefault()`, the message is also written to the console, once per tag;
 *   - the name is free: registered.
 * "Ours" is told by a brand on the class (`Symbol.for`, so every copy of the script knows every
 * other copy's classes), never by comparing constructors.
 */
import { emitError, type DawElementErrorDetail } from './element.js';

/** Brand on our element classes (a static): the element's kind ('engine', 'channel', ...). Inherited by subclasses. */
export const BRAND: unique symbol = Symbol.for('daw-elements.element') as never;

type Branded = CustomElementConstructor & { [BRAND]?: string };

const REPORTED_KEY = Symbol.for('daw-elements.names-reported');
/** Tags already reported as taken on this page (shared by every copy: one report per tag). */
const reported: Set<string> =
  ((globalThis as Record<symbol, unknown>)[REPORTED_KEY] as Set<string>) ??
  ((globalThis as Record<symbol, unknown>)[REPORTED_KEY] = new Set<string>());

/** Constructors this copy has registered (a constructor can be registered under one name only). */
const used = new WeakSet<CustomElementConstructor>();

/** The kind of our element class `ctor`, or undefined for a foreign class. */
export const kindOf = (ctor: CustomElementConstructor | undefined): string | undefined => (ctor as Branded | undefined)?.[BRAND];

/** What happened to one tag. */
export type DefineOutcome = 'defined' | 'ours' | 'taken';

/**
 * Registers our element class `ctor` as `tag`. Returns 'defined', 'ours' (the tag already holds
 * our element of the same kind: nothing to do), or 'taken' (another library's, or another of our
 * elements: reported with `name-taken`, see the file header). With `ctor` null (a feature class not
 * loaded yet) it only checks a tag that exists against `kind`: 'ours', 'taken', or null if the tag is free.
 */
export function defineElement(tag: string, ctor: CustomElementConstructor, hint: string): DefineOutcome;
export function defineElement(tag: string, ctor: null, hint: string, kind: string): DefineOutcome | null;
export function defineElement(tag: string, ctor: CustomElementConstructor | null, hint: string, kind = kindOf(ctor!)): DefineOutcome | null {
  const existing = customElements.get(tag);
  if (existing) {
    if (kind !== undefined && kindOf(existing) === kind) return 'ours';
    reportTaken(tag, existing, kind, hint);
    return 'taken';
  }
  if (!ctor) return null;
  // The same class under a second name (a second prefix, or a name the page gave it) needs a constructor of its own.
  const named = (customElements as { getName?(c: CustomElementConstructor): string | null }).getName?.(ctor);
  const reg = used.has(ctor) || named ? class extends (ctor as unknown as typeof HTMLElement) {} : ctor;
  customElements.define(tag, reg);
  used.add(reg);
  return 'defined';
}

function reportTaken(tag: string, existing: CustomElementConstructor, kind: string | undefined, hint: string): void {
  if (reported.has(tag)) return;
  reported.add(tag);
  const className = (k: string | undefined) => (k ? `Daw${k[0].toUpperCase()}${k.slice(1)}` : 'element'); // not ctor.name: a minified build renames classes
  const element = className(kind);
  const owner = kindOf(existing) !== undefined ? `daw-elements' own ${className(kindOf(existing))}` : `another library${existing.name ? ` (class ${existing.name})` : ''}`;
  const detail: DawElementErrorDetail = {
    code: 'name-taken',
    tag,
    element,
    value: tag,
    message: `<${tag}> is already defined by ${owner}, so daw-elements' ${element} was not registered and <${tag}> on this page is not ours. ` +
      `To use both, register daw-elements under another prefix: import { define } from 'daw-elements/classes' (it registers nothing by itself) and call ${hint}.`,
  };
  const ev = emitError(document, detail, true);
  if (!ev.defaultPrevented) console.warn(`daw-elements: ${detail.message}`);
}
