/**
 * A second instance of our library in its own process, so that a test can
 * SIGKILL it mid-stream. argv[2]: the federation config as JSON. Prints
 * `ready`, then `stanza <id>` for every stanza its host receives (stdout is a
 * pipe: synchronous on Linux, so a line printed is a stanza handled, even if
 * the process dies right after). Exits when its parent closes stdin.
 */
import { createFederation } from '../../src/index.js'

const federation = createFederation({ config: JSON.parse(process.argv[2]!) })
federation.on('stanza', (stanza) => process.stdout.write(`stanza ${stanza.attrs.id}\n`))
await federation.start()
process.stdout.write('ready\n')
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
