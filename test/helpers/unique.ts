import { randomUUID } from 'node:crypto';

/** A fresh name per test, so tests never see each other's workflows or task queues. */
export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
