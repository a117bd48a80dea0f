import {
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '../../log/logger';
import { subjectCovers } from '../subject';

export interface StreamSpec {
  name: string;
  subjects: string[];
  duplicateWindowMs: number;
}

function isNotFound(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isNotFound(err, JetStreamApiCodes.StreamNotFound)) return null;
    throw err;
  }
}

/**
 * Creates the stream (file storage, the given duplicate window) or brings an existing one to
 * the given subjects and window. Its storage cannot change once created; a mismatch is logged.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec, logger: Logger): Promise<void> {
  const window = nanos(spec.duplicateWindowMs);
  const info = await streamInfo(jsm, spec.name);
  if (!info) {
    try {
      await jsm.streams.add({ name: spec.name, subjects: spec.subjects, storage: StorageType.File, duplicate_window: window });
      logger.info({ stream: spec.name, subjects: spec.subjects }, 'JetStream stream created');
      return;
    } catch (err) {
      // Another process may have created it between our info and add.
      if (!(await streamInfo(jsm, spec.name))) throw err;
      return ensureStream(jsm, spec, logger);
    }
  }
  if (info.config.storage !== StorageType.File) {
    logger.warn({ stream: spec.name, storage: info.config.storage }, 'JetStream stream exists with non-file storage; it is kept');
  }
  const sameSubjects = [...info.config.subjects].sort().join('\n') === [...spec.subjects].sort().join('\n');
  if (!sameSubjects || info.config.duplicate_window !== window) {
    await jsm.streams.update(spec.name, { subjects: spec.subjects, duplicate_window: window });
    logger.info({ stream: spec.name, subjects: spec.subjects }, 'JetStream stream updated');
  }
}

/** The streams whose subjects capture this subject. */
async function streamsCapturing(jsm: JetStreamManager, subject: string): Promise<string[]> {
  return jsm.streams.names(subject).next();
}

/**
 * Makes sure a dead-letter subject is stored somewhere so it can be inspected: when no stream
 * captures it yet, it is added to the dead-letter stream, which is created when missing.
 */
export async function ensureDeadLetterCapture(
  jsm: JetStreamManager,
  dlqStream: string,
  subject: string,
  duplicateWindowMs: number,
  logger: Logger,
): Promise<void> {
  // Retried because two processes adding different subjects at once can overwrite each other.
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await streamsCapturing(jsm, subject)).length > 0) return;
    const info = await streamInfo(jsm, dlqStream);
    const subjects = [...(info?.config.subjects ?? []), subject];
    await ensureStream(jsm, { name: dlqStream, subjects, duplicateWindowMs }, logger);
  }
  if ((await streamsCapturing(jsm, subject)).length === 0) {
    throw new Error(`dead-letter subject ${subject} could not be added to stream ${dlqStream}`);
  }
}

/**
 * The stream a subscription reads: the bus's own stream when its subjects cover the filter,
 * else the one stream that captures it (a dead-letter stream, say).
 */
export async function streamForFilter(jsm: JetStreamManager, own: { name: string; subjects: string[] }, filter: string): Promise<string> {
  if (own.subjects.some((s) => subjectCovers(s, filter))) return own.name;
  const names = await streamsCapturing(jsm, filter);
  if (names.length === 1) return names[0]!;
  throw new Error(
    names.length === 0
      ? `no JetStream stream captures ${filter}`
      : `subject filter ${filter} spans several streams (${names.join(', ')}); subscribe to a narrower subject`,
  );
}
