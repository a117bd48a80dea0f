/**
 * grpc-js's own words when the channel to a plugin never came up, which reach us as the call's
 * details although no plugin was reached:
 *   No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:34649. Resolution note:
 *   Name resolution failed for target dns:no-such-host:50051
 * The resolution note is usually empty.
 */
const NO_CONNECTION = /No connection established\. Last error: (?:Error: )?([\s\S]*?)\.?(?: Resolution note: ?([\s\S]*?))?$/;
const NO_NAME = /Name resolution failed for target (\S+)$/;

/** grpc-js's filler: a "Resolution note:" with nothing after it. */
export const stripGrpcNoise = (details: string) => details.replace(/\.? Resolution note: ?$/, '');

/**
 * The message for a plugin that could not be reached at all (connection refused, timed out, name
 * not resolved): the endpoint, the reason and what to check, without grpc-js's wording; undefined
 * when the details say something else.
 */
export function unreachablePluginMessage(details: string, endpoint: string): string | undefined {
  const text = details.trim();
  const refused = NO_CONNECTION.exec(text);
  const unresolved = refused ? undefined : NO_NAME.exec(text);
  if (!refused && !unresolved) return undefined;
  const note = refused?.[2]?.trim();
  const why = refused ? `${refused[1].trim()}${note ? `; ${note}` : ''}` : `the name in ${unresolved![1]} could not be resolved`;
  return `could not connect to the data source's plugin at ${endpoint} (${why}); check the data source's plugin endpoint and that the plugin is running there, the next sync will try again`;
}
