export { HealthService, LIVENESS_SERVICE, type ServingStatus, type WireStatus } from './health-service';
export {
  addHealth,
  healthClientConstructor,
  healthPackageDefinition,
  HEALTH_PROTO_PATH,
  HEALTH_SERVICE_NAME,
} from './add-health';
export { dependencyWatcher, type Dependency, type DependencyWatcher, type DependencyWatcherOptions } from './dependency-watcher';
