/** A bad admin call: the HTTP admin API answers it with statusCode. */
export class SimulatorError extends Error {
  constructor (readonly statusCode: number, message: string) { super(message) }
}
