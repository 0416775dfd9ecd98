/** An expected failure; service-kit's error handler sends it as problem+json with this status and code. */
export class HttpProblem extends Error {
  constructor (readonly statusCode: number, readonly code: string, message: string) {
    super(message)
    this.name = 'HttpProblem'
  }
}

export const notFound = (what: string) => new HttpProblem(404, 'NOT_FOUND', `${what} does not exist`)
export const conflict = (code: string, message: string) => new HttpProblem(409, code, message)
export const unauthorized = () => new HttpProblem(401, 'PRINCIPAL_MISSING', 'no valid principal: call through the gateway')
export const readOnly = () => new HttpProblem(403, 'CLIENT_PRINCIPAL_READ_ONLY', 'client principals may only read')
