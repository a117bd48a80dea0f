import type { Command } from '../command';
import { apiKeyCreate } from './api-key';
import { costs } from './costs';
import { domainCreate } from './domain';
import { projectCreate, projectGroupCreate, projectList } from './project';
import { providerList } from './provider';
import { serviceAccountCreate, serviceAccountDelete, serviceAccountList, serviceAccountMove } from './service-account';
import { jobs, sync } from './sync';

export const COMMANDS: Command[] = [
  domainCreate,
  apiKeyCreate,
  providerList,
  projectGroupCreate,
  projectCreate,
  projectList,
  serviceAccountCreate,
  serviceAccountList,
  serviceAccountMove,
  serviceAccountDelete,
  sync,
  jobs,
  costs,
];
