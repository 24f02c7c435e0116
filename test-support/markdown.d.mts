/** A fenced code block: `lang` is the first word of the info string, `flags` the rest. */
export interface CodeBlock {
  lang: string;
  flags: string[];
  /** 1-based line of the opening fence. */
  line: number;
  /** The lines between the fences, without the opening fence's indentation. */
  code: string;
}

/** The fenced code blocks of a Markdown text, in order (see markdown.mjs). */
export declare function codeBlocks(markdown: string): CodeBlock[];

/** The reason of a ```` ```LANG no-run reason: WHY ```` block, `''` without one, `null` when unmarked. */
export declare function noRunReason(block: { flags: string[] }): string | null;
