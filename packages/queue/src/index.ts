export {
  createWaitQueue,
  type AddWaitOptions,
  type StartWorkerOptions,
  type WaitOutcome,
  type WaitQueue,
  type WaitQueueOptions,
  type WaitWorker,
  type WorkerErrorContext,
} from './queue.js';
export type { RedisConnection } from './connection.js';
export { RedisResetError, type Storage } from './durability.js';
export type { WaitJobData } from './job.js';
export type { RequestBudget } from '@upstat/core';
