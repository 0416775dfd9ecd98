/** The slice of a pino logger the db lib writes to; pass `app.log` or nothing. */
export interface DbLogger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
}

export const silentLogger: DbLogger = { debug () {}, info () {}, warn () {} }
