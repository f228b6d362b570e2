import type { Matrix, Stage } from '../model/model.js';

// Tag templates (`project.tags`, `stage.<name>.tags`): how a project names its images, e.g.
// `{registry}/vllm-openai:{version}` or NGC's `{registry}/tensorrt-llm/release:{version}`.
// The plan fills in what it knows; `{registry}` and `{version}` stay for the bake file (REGISTRY,
// VERSION) and for release and promote, which put their own.

/** What a template may name besides the axes (`{framework}` is its label, `{framework.value}` its value). */
export const TAG_FIELDS = ['registry', 'image', 'version', 'suffix', 'stage'];

/** The placeholders a template names, in order. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
}

/**
 * The stage's templates for one node: everything but `{registry}` and `{version}` filled in. Each
 * template is cut at its placeholders once per stage; a node fills in its values and labels.
 */
export function tagFiller(m: Matrix, stage: Stage): (values: Record<string, string>, labels: Record<string, string>, suffix: string) => string[] {
  type Piece = string | ((values: Record<string, string>, labels: Record<string, string>, suffix: string) => string);
  const piece = (name: string): Piece => {
    if (name === 'image') return m.project.image;
    if (name === 'suffix') return (_v, _l, suffix) => suffix;
    if (name === 'stage') return stage.name;
    const [axis, part] = name.split('.');
    // Every node of a stage has a value for each of the stage's axes, and for no other.
    if (axis === undefined || !stage.axes.includes(axis) || (part !== undefined && part !== 'value')) return `{${name}}`;
    return part === 'value' ? (values) => values[axis]! : (_v, labels) => labels[axis]!;
  };
  // split() with a capture group: the text between placeholders at even indexes, their names at odd.
  const templates = (stage.tags ?? m.project.tags).map((t) => t.split(/\{([^{}]*)\}/).map((s, i) => (i % 2 === 0 ? s : piece(s))));
  return (values, labels, suffix) => {
    const out: string[] = [];
    for (const pieces of templates) {
      let tag = '';
      for (const p of pieces) tag += typeof p === 'string' ? p : p(values, labels, suffix);
      // A handful of templates: two that give one tag (`{version}` is `latest`) give it once.
      if (!out.includes(tag)) out.push(tag);
    }
    return out;
  };
}

/**
 * A node's template with a registry and a version: what release and promote create. `{registry}/`
 * is dropped with no registry (a local tag, as build.sh's `dynamo:latest-vllm`).
 */
function resolveTag(template: string, registry: string, version: string): string {
  return template.replace(/^\{registry\}\//, registry ? `${registry}/` : '').replaceAll('{version}', version);
}

/** `localhost:5000/demo/dynamo:latest-x` -> `localhost:5000/demo/dynamo` (a port's colon is not a tag's). */
export function repositoryOf(tag: string): string {
  const slash = tag.lastIndexOf('/');
  const colon = tag.indexOf(':', slash + 1);
  return colon < 0 ? tag : tag.slice(0, colon);
}

/** The tags of a node for one release: resolved and deduplicated (version `latest` makes two alike). */
export function releaseTagsOf(templates: string[], registry: string, version: string): string[] {
  return [...new Set(templates.map((t) => resolveTag(t, registry, version)))];
}
