/** customElements.define that tolerates a tag already defined (a second copy of the script). */
export function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}
