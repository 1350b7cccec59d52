/**
 * Parameters as attributes: Lit property declarations generated from the engine's parameter table,
 * and the controller that validates every value (checkParam) before anything reaches the engine.
 */
import type { PropertyDeclaration, PropertyDeclarations, ReactiveController, ReactiveControllerHost } from 'lit';
import { checkParam, describeRange, getEngine, type ParamSpec } from '../../src/index.js';
import { show } from '../../src/validate.js';
import { emitChange, emitError, type DawChangeDetail } from './element.js';

/** One element property bound to one engine parameter. */
export interface ParamDef {
  prop: string;
  attr: string;
  spec: ParamSpec;
}

export const defsOf = (specs: readonly ParamSpec[]): ParamDef[] => specs.map((spec) => ({ prop: spec.name, attr: spec.attribute, spec }));

/** Attribute text to number; text that is not a number stays text so the error can quote it. */
export const numberConverter = {
  fromAttribute(s: string | null): unknown {
    if (s === null) return undefined;
    const t = s.trim();
    if (/^-inf(inity)?$/i.test(t)) return -Infinity;
    const n = Number(t);
    return t !== '' && !Number.isNaN(n) ? n : s;
  },
};

/** Lit property declarations: booleans as boolean attributes, enums as text, the rest as numbers. */
export function declare(defs: ParamDef[], reflect: string[] = []): PropertyDeclarations {
  const out: Record<string, PropertyDeclaration> = {};
  for (const { prop, attr, spec } of defs) {
    out[prop] = spec.unit === 'bool' ? { type: Boolean, attribute: attr, reflect: reflect.includes(prop) }
      : spec.values ? { attribute: attr } : { attribute: attr, converter: numberConverter };
  }
  return out;
}

/** The property's value for engine value `v` (booleans as booleans, enums by name). */
export const external = (spec: ParamSpec, v: number): unknown => (spec.unit === 'bool' ? v === 1 : spec.values ? spec.values[v] : v);

/**
 * Validates the host's parameter properties before each update (and on demand with sync()): a valid
 * value is written through `write`; an out-of-range one is clamped and reported; a value of the wrong
 * kind is reported and the property goes back to the previous valid value. `values` always holds
 * the valid engine values.
 */
export class ParamController implements ReactiveController {
  readonly values: Record<string, number> = {};
  readonly #seen: Record<string, unknown> = {};
  readonly #host: ReactiveControllerHost & HTMLElement & Record<string, unknown>;

  /**
   * `handle`: the engine handle the element drives (null while it has none): after engine.restore()
   * (`daw-restore`) the properties take its restored values, without writing back and without
   * `daw-change` (the user did not change them here).
   */
  constructor(host: ReactiveControllerHost & HTMLElement, readonly defs: ParamDef[], private readonly write: (def: ParamDef, v: number) => void,
    private readonly handle?: () => { get(name: string): number } | null) {
    this.#host = host as ReactiveControllerHost & HTMLElement & Record<string, unknown>;
    host.addController(this);
    for (const { prop, spec } of defs) {
      this.values[prop] = spec.default;
      this.#host[prop] = this.#seen[prop] = external(spec, spec.default);
    }
  }

  hostConnected(): void {
    if (this.handle) getEngine().addEventListener('daw-restore', this.#restored);
  }

  hostDisconnected(): void {
    getEngine().removeEventListener('daw-restore', this.#restored);
  }

  readonly #restored = (): void => {
    const h = this.#host;
    const x = this.handle!();
    for (const { prop, spec } of this.defs) {
      let v: number;
      try {
        v = x!.get(spec.name); // no handle, or a parameter it does not take (a bus's other effects)
      } catch {
        continue;
      }
      if (Object.is(v, this.values[prop])) continue;
      this.values[prop] = v;
      h[prop] = this.#seen[prop] = external(spec, v);
    }
    h.requestUpdate();
  };

  hostUpdate(): void {
    this.sync();
  }

  /** Validates every property that changed since the last call. */
  sync(): void {
    const h = this.#host;
    for (const def of this.defs) {
      const { prop, attr, spec } = def;
      const input = h[prop];
      if (Object.is(input, this.#seen[prop])) continue;
      let v = spec.default;
      if (input != null) {
        try {
          const r = checkParam(spec, input, `<${h.localName}>`);
          v = r.value;
          if (r.clamped) {
            emitError(h, { code: 'out-of-range', attribute: attr, value: input, range: describeRange(spec),
              message: `<${h.localName}> ${attr}: ${show(input)} is outside ${describeRange(spec)}; using ${v}` });
          }
        } catch (e) {
          emitError(h, { code: 'invalid-value', attribute: attr, value: input, range: describeRange(spec),
            message: `<${h.localName}> ${attr}: ${typeof input === 'string' ? `'${show(input)}'` : show(input)} is not valid (${describeRange(spec)}); keeping ${String(external(spec, this.values[prop]))}` });
          h[prop] = this.#seen[prop] = external(spec, this.values[prop]);
          continue;
        }
      }
      h[prop] = this.#seen[prop] = external(spec, v);
      this.values[prop] = v;
      this.write(def, v);
    }
  }

  /**
   * Sets a parameter from a control (slider, button) as if the page had set the property, and fires
   * `daw-change` when that changed it: how a framework's state follows the user (a page's own
   * property sets fire nothing, so a framework re-applying its state cannot loop).
   */
  set(prop: string, v: number): void {
    const h = this.#host;
    const def = this.defs.find((d) => d.prop === prop)!;
    const was = h[prop];
    h[prop] = external(def.spec, v);
    this.sync();
    h.requestUpdate();
    if (!Object.is(was, h[prop])) {
      emitChange(h, { property: prop, attribute: def.attr, value: h[prop] as DawChangeDetail['value'] });
    }
  }
}

/**
 * A strip or synth handle seen by name with numbers the element's ParamController has already
 * validated (the public `set` is typed per parameter; the elements go through their own table).
 */
export type SetByName = { set(name: string, value: number): number };

/**
 * Text properties (`label`, `src`) take strings (and `src` URL objects). Anything else is reported
 * as 'invalid-value' and replaced by '' before it reaches the engine or the template, where turning
 * it into text could throw (a Symbol, an object whose toString throws) inside an update no caller
 * can catch (found by `npm run fuzz`).
 */
export function checkText(host: HTMLElement & Record<string, unknown>, prop: string, attr: string, allowUrl = false): void {
  const v = host[prop];
  let ok = v == null || typeof v === 'string';
  if (!ok && allowUrl) {
    try {
      ok = v instanceof URL;
    } catch {
      ok = false; // a Proxy whose getPrototypeOf throws
    }
  }
  if (ok) return;
  host[prop] = '';
  const range = allowUrl ? 'a URL' : 'text';
  emitError(host, { code: 'invalid-value', attribute: attr, value: v, range, message: `<${host.localName}> ${attr}: ${show(v)} is not ${range}; using ''` });
}
