/** An expected failure; service-kit's error handler sends it as problem+json with this status, code and headers. */
export class HttpProblem extends Error {
  constructor (
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>
  ) {
    super(message)
    this.name = 'HttpProblem'
  }
}

export const notFound = (what: string) => new HttpProblem(404, 'NOT_FOUND', `${what} does not exist`)
export const readOnly = () => new HttpProblem(403, 'CLIENT_PRINCIPAL_READ_ONLY', 'client tokens may only read')
