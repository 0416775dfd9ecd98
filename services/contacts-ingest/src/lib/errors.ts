/** An expected HTTP failure: service-kit's error handler sends it as problem+json with this status, code and detail. */
export class HttpProblem extends Error {
  constructor (readonly statusCode: number, readonly code: string, message: string, readonly headers?: Record<string, string>) {
    super(message)
    this.name = 'HttpProblem'
  }
}

export const notFound = (what: string) => new HttpProblem(404, 'NOT_FOUND', `${what} does not exist`)
export const badRequest = (detail: string, code = 'VALIDATION_FAILED') => new HttpProblem(400, code, detail)
export const conflict = (detail: string) => new HttpProblem(409, 'CONFLICT', detail)
