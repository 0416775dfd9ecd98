export { BaseConfig, ConfigError, DEFAULT_STARTUP_TIMEOUT_MS, EncryptionConfig, loadConfig, loadConfigOrExit, type LogLevel } from './config.js'
export { loggerOptions, REDACTED, redactPaths, redactSecrets, SECRET_HEADERS, SECRET_KEYS } from './logger.js'
export { RequestLogController, requestLogging } from './request-log.js'
export {
  errorHandler, notFoundHandler, problem, sendProblem, statusCode, useProblemHandlers, PROBLEM_CONTENT_TYPE, type ProblemCarrier,
  HttpProblem, notFound, badRequest, conflict, unprocessable
} from './errors.js'
export { healthRoutes, type Readiness, type ReadinessCheck } from './health.js'
export { createServiceMetrics, type ServiceMetrics } from './metrics.js'
export { createConsumers, type Consume, type ConsumerContext, type ConsumerHandler } from './consume.js'
export {
  compactKeyId, compactKeyRingFromConfig, createCompactKeyRing, createKeyRing, DecryptionError, keyRingFromConfig, previousKeys,
  type CompactKeyRing, type EncryptionKeys, type KeyRing, type Sealed
} from './crypto/key-ring.js'
export { createWorkLoop, type WorkLoop, type WorkLoopOptions } from './work-loop.js'
export { registerOpenApi, type OpenApiOptions } from './swagger.js'
export { serviceKit, serviceKit as default, type ServiceKitOptions, type ServiceOptions } from './service-kit.js'
export { runService, type RunServiceOptions } from './run-service.js'
export { runMigrations, type RunMigrationsOptions } from './run-migrations.js'
export { createServiceClient, UpstreamError, type ServiceClient, type ServiceClientOptions, type ServiceRequest } from './http-client.js'
export { Problem, PageQuery, Page, MAX_PAGE_SIZE, IdParam } from './schemas.js'
