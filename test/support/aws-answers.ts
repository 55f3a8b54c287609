/**
 * Answers of AWS operations, written once in SDK shapes (the objects an SDK call returns)
 * and served by both test doubles: the aws-sdk-client-mock stubs of the unit tests
 * (`installOnMocks` in test/providers/aws/support/mocks.ts) and the fake endpoint, which
 * writes them in each service's wire protocol for the real SDK clients (`FakeAws.serve`).
 *
 * A paged answer serves its items in pages of the API's largest page size, whatever the
 * request asks: page i carries the continuation token `page-<i+1>`, and a request whose
 * token is `page-<n>` gets page n, so concurrent partitions never consume each other's
 * pages. That each request asks for the largest page is checked apart (`pageSize`).
 */
import type { CommandIO, MetadataBearer } from "@smithy/types";

/** An error instead of an output: the SDK error named `code`, with HTTP `status`. */
export class AwsErrorAnswer {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {}
}

/** What a command returns, without the metadata the SDK adds. */
export type Output<O> = Omit<O, "$metadata">;

/** How an operation pages, as its API documents it. */
export interface Paging<I, O> {
  /** The output member holding a page's items. */
  readonly items: keyof O & string;
  /** The input member asking for a page size; absent when the API's pages have a fixed size. */
  readonly pageSize?: keyof I & string;
  /** The largest page the API allows. */
  readonly max: number;
  /** The input and output members of the continuation token. */
  readonly inputToken: keyof I & string;
  readonly outputToken: keyof O & string;
  /** The output flag saying that more pages follow (IAM's `IsTruncated`). */
  readonly truncated?: keyof O & string;
}

/** A command class with its input and output types. */
export type CommandOf<I extends object, O extends MetadataBearer> = new (
  input: I,
) => CommandIO<I, O>;

/** The answer of one operation. */
export interface Answer<I extends object = never, O extends MetadataBearer = MetadataBearer> {
  readonly command: CommandOf<I, O>;
  /** Only calls to this region get it (the fake endpoint); every region when absent. */
  readonly region?: string | undefined;
  readonly paging?: Paging<I, O> | undefined;
  /** The output for an input; for a paged answer, the page the input's token asks for. */
  respond(input: I): Output<O> | AwsErrorAnswer;
  /** The item count of each page the listing of an input has ([n] when it does not page). */
  pageLengths(input: I): number[];
}

/** The paging of any operation. */
export interface AnyPaging {
  readonly items: string;
  readonly pageSize?: string | undefined;
  readonly max: number;
  readonly inputToken: string;
  readonly outputToken: string;
  readonly truncated?: string | undefined;
}

/** An answer of any operation, as the test doubles keep them. */
export interface AnyAnswer {
  readonly command: new (input: never) => object;
  readonly region?: string | undefined;
  readonly paging?: AnyPaging | undefined;
  respond(input: never): object;
  pageLengths(input: never): number[];
}

/**
 * The answers of one command: `on(DescribeVpcsCommand).pages(paging, vpcs)`. Typed by the
 * command's input and output, so a fixture that misspells a member does not compile.
 */
export interface AnswerBuilder<I extends object, O extends MetadataBearer> {
  /** Always `output`. */
  answer(output: Output<O>): Answer<I, O>;
  /** A function of the input (a cluster's details by its name), or an error answer. */
  answerBy(respond: (input: I) => Output<O> | AwsErrorAnswer): Answer<I, O>;
  /** `items` in pages of `paging.max`; `rest` is the rest of every page. */
  pages<K extends keyof O & string>(
    paging: Paging<I, O> & { readonly items: K },
    items: NonNullable<O[K]>,
    rest?: Partial<Output<O>>,
  ): Answer<I, O>;
  /** The items of a function of the input (a cluster's node groups), paged. */
  pagesBy<K extends keyof O & string>(
    paging: Paging<I, O> & { readonly items: K },
    itemsOf: (input: I) => NonNullable<O[K]> | AwsErrorAnswer,
    rest?: Partial<Output<O>>,
  ): Answer<I, O>;
}

/** The page a `page-<n>` token asks for. */
function pageIndex(token: unknown): number {
  return typeof token === "string" && token.startsWith("page-") ? Number(token.slice(5)) : 0;
}

/** Starts the answers of a command; `region` restricts them to calls to that region. */
export function on<I extends object, O extends MetadataBearer>(
  command: CommandOf<I, O>,
  options: { readonly region?: string | undefined } = {},
): AnswerBuilder<I, O> {
  const { region } = options;
  const pagesBy = <K extends keyof O & string>(
    paging: Paging<I, O> & { readonly items: K },
    itemsOf: (input: I) => NonNullable<O[K]> | AwsErrorAnswer,
    rest: Partial<Output<O>> = {},
  ): Answer<I, O> => {
    const listOf = (input: I): readonly unknown[] | AwsErrorAnswer => {
      const all = itemsOf(input);
      return all instanceof AwsErrorAnswer ? all : (all as readonly unknown[]);
    };
    return {
      command,
      region,
      paging,
      respond(input) {
        const all = listOf(input);
        if (all instanceof AwsErrorAnswer) return all;
        const index = pageIndex(input[paging.inputToken]);
        const more = (index + 1) * paging.max < all.length;
        const page: Record<string, unknown> = {
          ...rest,
          [paging.items]: all.slice(index * paging.max, (index + 1) * paging.max),
        };
        if (more) page[paging.outputToken] = `page-${index + 1}`;
        if (paging.truncated !== undefined) page[paging.truncated] = more;
        return page as Output<O>;
      },
      pageLengths(input) {
        const all = listOf(input);
        if (all instanceof AwsErrorAnswer) return [];
        return pagesOf(all, paging.max).map((p) => p.length);
      },
    };
  };
  const answerBy = (respond: (input: I) => Output<O> | AwsErrorAnswer): Answer<I, O> => ({
    command,
    region,
    respond,
    pageLengths: () => [1],
  });
  return {
    answer: (output) => answerBy(() => output),
    answerBy,
    pages: (paging, items, rest) => pagesBy(paging, () => items, rest),
    pagesBy,
  };
}

/** Splits a list into pages of `size`; an empty list is one empty page (one call). */
export function pagesOf<T>(items: readonly T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages.length === 0 ? [[]] : pages;
}

/** The SDK error an AwsErrorAnswer stands for, as a stub throws it. */
export function sdkErrorOf(answerError: AwsErrorAnswer): Error {
  return Object.assign(new Error(`${answerError.code} answered by the test`), {
    name: answerError.code,
    $fault: answerError.status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: answerError.status },
  });
}
