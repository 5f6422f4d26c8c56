/**
 * Module hooks (registered with module.register) that give ESM plugins the same fallback
 * as peer-resolution.ts gives CommonJS ones: `import "tantale"`, `"tsyringe"` and
 * `"reflect-metadata"` resolve to Tantale's own copies when the plugin's folder has none.
 */
interface HookData {
  readonly apiUrl: string;
  readonly rootPackageUrl: string;
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

const SHARED = new Set(["tsyringe", "reflect-metadata"]);
let data: HookData | undefined;

export function initialize(d: HookData): void {
  data = d;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (data === undefined) throw err;
    if (specifier === "tantale") return { url: data.apiUrl, format: "commonjs", shortCircuit: true };
    if (SHARED.has(specifier)) return nextResolve(specifier, { ...context, parentURL: data.rootPackageUrl });
    throw err;
  }
}
