export type { PageDoctorOptions } from './doctor-route.js'
export { PAGE_CSP } from './page/page-assets.js'
export type { ReloadFunction } from './reload-route.js'
export type { StatusDocument } from './status-document.js'
export {
  createStatusHandler,
  type NextFunction,
  type StatusHandler,
  type StatusHandlerOptions,
  type StatusSource,
} from './status-handler.js'
