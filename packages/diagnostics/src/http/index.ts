export type { ReloadFunction } from './reload-route.js'
export type { StatusDocument } from './status-document.js'
export {
  createStatusHandler,
  type NextFunction,
  type StatusHandler,
  type StatusHandlerOptions,
  type StatusSource,
} from './status-handler.js'
