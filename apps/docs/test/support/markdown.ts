/** Fenced code blocks of a markdown file (the one reader shared with the release test). */
import type { CodeBlock } from '../../../../test-support/markdown.mjs';

export { codeBlocks, noRunReason } from '../../../../test-support/markdown.mjs';
export type { CodeBlock };

const STATEMENT_KEYWORD =
  /^(const|let|var|import|export|return|if|else|for|while|do|throw|try|catch|finally|switch|function|class|async function|await using)\b/;
const TYPED_ARRAY =
  /^(Uint8Array|Int8Array|Int32Array|Uint32Array|Float32Array|Float64Array|BigInt64Array) (\[.*\])$/;

/**
 * Turns the README convention `expr; // value` into a checked assertion: the comment's
 * value, up to an em dash and without a trailing `(…)` note, is a JS literal; a typed
 * array is written `Name [...]`; a string ending in `…'` is a prefix. A comment that
 * does not parse as a value fails, so a README example cannot silently stop checking.
 */
export function instrumentValueComments(code: string): { code: string; checks: number } {
  let checks = 0;
  const out = code.split('\n').map((line, n) => {
    const m = /^(\s*)(.+?);\s*\/\/\s*(.+)$/.exec(line);
    if (!m) return line;
    const [, indent, expr, comment] = m as unknown as [string, string, string, string];
    if (STATEMENT_KEYWORD.test(expr.trim())) return line;
    let value = (comment.split(' — ')[0] ?? '').trim().replace(/\s+\([^()]*\)$/, '');
    const typed = TYPED_ARRAY.exec(value);
    if (typed) value = `new ${typed[1]}(${typed[2]})`;
    let prefix = false;
    if (/^'.*…'$/.test(value)) {
      value = `${value.slice(0, -2)}'`;
      prefix = true;
    }
    try {
      new Function(`return (${value});`);
    } catch {
      throw new Error(`line ${n + 1}: the comment of \`${line.trim()}\` is not a value`);
    }
    checks++;
    const label = JSON.stringify(line.trim());
    return `${indent}__expectValue(${expr}, ${value}, ${label}, ${prefix});`;
  });
  return { code: out.join('\n'), checks };
}

/** Defines `__expectValue` for instrumented code. */
export const VALUE_CHECK_PRELUDE = `import { inspect as __inspect, isDeepStrictEqual as __equal } from 'node:util';
function __expectValue(actual: unknown, expected: unknown, line: string, prefix: boolean): void {
  const ok = prefix ? String(actual).startsWith(String(expected)) : __equal(actual, expected);
  if (!ok) throw new Error(\`\${line}: got \${__inspect(actual)}, expected \${__inspect(expected)}\`);
}
`;
