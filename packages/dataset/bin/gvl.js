#!/usr/bin/env node
import { formatCliError } from '@gvl/errors';

// The CLI opens the native addon when it loads: where none can be opened (no prebuilt for
// this platform, GVL_UNSUPPORTED_PLATFORM; or GVL_NATIVE_LOAD_FAILED) that typed error is
// printed with its code, like any other, instead of a stack trace.
let cli;
try {
  cli = await import('../dist/cli/index.js');
} catch (e) {
  const { text, exitCode } = formatCliError(e);
  process.stderr.write(text);
  process.exit(exitCode);
}
process.exitCode = await cli.main(process.argv.slice(2));
