export { runConformance } from './run';
export { formatReport, type CheckResult, type CheckStatus, type ConformanceReport } from './report';
export { BAD_CREDENTIALS, type ConformanceOptions } from './options';
