// The one module that knows @viz-js/viz (Graphviz compiled to WebAssembly): no system Graphviz.
// Imported when svg is asked for, so the other formats never load its 1.2 MB.

/** DOT -> SVG, without the XML prolog: the text starts at `<svg`, ready to inline in HTML or markdown. */
export async function renderSvg(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const svg = (await instance()).renderString(dot, { format: 'svg' });
  return svg.slice(svg.indexOf('<svg'));
}
