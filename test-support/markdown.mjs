// Fenced code blocks of Markdown, for the tests that run the documentation's examples
// (apps/docs) and the release test (scripts/release-test-lib.mjs): one reading of the
// README and guide sources for both.

/**
 * The fenced code blocks of a Markdown text, in order. A block opens with three or more
 * backticks or tildes and closes with a fence of the same character, at least as long,
 * with nothing after it. `lang` is the first word of the info string (`ts` in
 * ```` ```ts test ````), `flags` the other words; `line` is the 1-based line of the
 * opening fence; `code` excludes the fences, with the opening fence's indentation
 * removed from each line. An unclosed block is dropped.
 * @param {string} markdown
 * @returns {{ lang: string, flags: string[], line: number, code: string }[]}
 */
export function codeBlocks(markdown) {
  const blocks = [];
  let open = null;
  for (const [i, text] of markdown.split('\n').entries()) {
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(text);
    if (!open) {
      if (!fence) continue;
      const words = (fence[3] ?? '').trim().split(/\s+/).filter(Boolean);
      open = {
        indent: fence[1].length,
        marker: fence[2],
        lang: words[0] ?? '',
        flags: words.slice(1),
        line: i + 1,
        body: [],
      };
    } else if (
      fence &&
      fence[2][0] === open.marker[0] &&
      fence[2].length >= open.marker.length &&
      fence[3].trim() === ''
    ) {
      const { lang, flags, line, body } = open;
      blocks.push({ lang, flags, line, code: body.join('\n') });
      open = null;
    } else {
      open.body.push(text.slice(Math.min(open.indent, text.length - text.trimStart().length)));
    }
  }
  return blocks;
}

/**
 * The documentation's marker for a block that is not run: ```` ```LANG no-run reason: WHY ````.
 * Returns the reason, `''` for a `no-run` without one (an error for the caller), or
 * `null` when the block carries no marker.
 * @param {{ flags: string[] }} block
 * @returns {string | null}
 */
export function noRunReason(block) {
  if (!block.flags.includes('no-run')) return null;
  const m = /^no-run\s+reason:\s*(.*)$/.exec(block.flags.join(' '));
  return m ? (m[1] ?? '').trim() : '';
}
