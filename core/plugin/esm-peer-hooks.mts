/**
 * Module hooks (registered with module.register) that give ESM plugins what
 * peer-resolution.ts gives CommonJS ones: `import "tantale"` (and its exported sub-paths),
 * `"tsyringe"` and `"reflect-metadata"` always resolve to the running Tantale's copies.
 */
interface HookData {
  readonly rootPackageUrl: string;
  readonly shared: readonly string[];
}
interface ResolveContext {
  readonly parentURL?: string;
  readonly conditions: readonly string[];
  readonly importAttributes: Record<string, string>;
}
interface ResolveResult {
  readonly url: string;
  readonly format?: string | null;
  readonly shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: Partial<ResolveContext>) => Promise<ResolveResult>;

let data: HookData | undefined;
let shared: ReadonlySet<string> = new Set();

export function initialize(d: HookData): void {
  data = d;
  shared = new Set(d.shared);
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  if (data === undefined) return nextResolve(specifier, context);
  // Resolved as if Tantale's own package.json imported it: Tantale's copy, or Tantale itself
  // by self-reference through its exports map.
  if (specifier === "tantale" || specifier.startsWith("tantale/") || shared.has(specifier))
    return nextResolve(specifier, { ...context, parentURL: data.rootPackageUrl });
  return nextResolve(specifier, context);
}
