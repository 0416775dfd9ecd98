/** The slice of a pino logger this library writes to. */
export interface GraphLogger {
  debug: (obj: Record<string, unknown>, msg: string) => void
  warn: (obj: Record<string, unknown>, msg: string) => void
}

const noop = () => {}
export const silentLogger: GraphLogger = { debug: noop, warn: noop }
