/**
 * Entry point of the `gvl-stress` binary (`bin/gvl-stress.js` imports it).
 *
 * @module
 */
import { main } from './command.js';

process.exitCode = await main(process.argv.slice(2));
