import { runPlugin } from '../sdk';
import { demoPlugin } from './plugin';

/** The demo plugin's process: TALLY_PLUGIN_PORT (default 50071) and the other PLUGIN_VARS. */
void runPlugin(demoPlugin(), { name: 'demo', defaultPort: 50071 });
