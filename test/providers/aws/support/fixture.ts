/**
 * The fixture convention. Each type has `test/providers/aws/fixtures/<resource_type>.ts`
 * exporting the SDK outputs its collector's tests use (real SDK output shapes), and a
 * `full` fixture for the generic registry test: it installs those outputs on the stubs
 * so that `list` yields, among others, the resource `full.id` with every field set.
 */
import type { AwsMocks } from "./mocks.ts";

export interface FullFixture {
  /** The id (ObservedResource.id) of the resource that must come out fully populated. */
  readonly id: string;
  /** Makes the stubs answer the SDK outputs of the fixture. */
  mock(aws: AwsMocks): void;
}

/** Loads the fixture module of a resource type; fails with the fix when it is missing. */
export async function loadFullFixture(type: string): Promise<FullFixture> {
  let module: { full?: FullFixture };
  try {
    module = (await import(`../fixtures/${type}.ts`)) as { full?: FullFixture };
  } catch (err) {
    throw new Error(
      `no fixture for ${type}: add test/providers/aws/fixtures/${type}.ts exporting \`full\` (${String(err)})`,
    );
  }
  if (module.full === undefined) {
    throw new Error(`test/providers/aws/fixtures/${type}.ts must export \`full: FullFixture\``);
  }
  return module.full;
}
