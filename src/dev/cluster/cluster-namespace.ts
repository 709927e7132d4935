/**
 * Brings a fresh or existing cluster to what the project needs: the namespace, with its retention,
 * and the search attributes the workflows and the API use (VideoStage, VideoTenant, VideoCredits),
 * registered in SQL visibility. Safe to run on every start: it creates only what is missing, and
 * refuses an attribute that exists with another type rather than working on a wrong index.
 */
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Duration } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { SEARCH_ATTRIBUTES } from '../../shared/temporal-names';

const { IndexedValueType } = temporal.api.enums.v1;
/** gRPC status codes (fixed by the gRPC specification) the setup reacts to. */
const grpcStatus = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;
const INDEXED_TYPES = { Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE };
/** A namespace created on one node reaches every node's cache within seconds; calls before that fail. */
const PROPAGATION_TIMEOUT_MS = 60_000;

export interface ClusterNamespaceOptions {
  namespace: string;
  /** How long Temporal keeps a finished run's history and visibility record ('72h', '30d'; at least a day). */
  retention: Duration;
}

export interface ClusterNamespaceResult {
  createdNamespace: boolean;
  addedSearchAttributes: string[];
}

async function retrying<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + PROPAGATION_TIMEOUT_MS;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const transient =
        isGrpcServiceError(error) &&
        ([grpcStatus.NOT_FOUND, grpcStatus.UNAVAILABLE, grpcStatus.FAILED_PRECONDITION, grpcStatus.DEADLINE_EXCEEDED] as number[]).includes(
          Number(error.code),
        );
      if (!transient || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function namespaceExists(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (error) {
    if (isGrpcServiceError(error) && Number(error.code) === grpcStatus.NOT_FOUND) return false;
    throw error;
  }
}

/** Creates the namespace and the project's search attributes where missing. */
export async function ensureClusterNamespace(address: string, options: ClusterNamespaceOptions): Promise<ClusterNamespaceResult> {
  const connection = await Connection.connect({ address });
  try {
    const { namespace } = options;
    let createdNamespace = false;
    if (!(await namespaceExists(connection, namespace))) {
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(options.retention),
        });
        createdNamespace = true;
      } catch (error) {
        // Another starter may have created it in between: that is the goal reached.
        if (!(isGrpcServiceError(error) && Number(error.code) === grpcStatus.ALREADY_EXISTS)) throw error;
      }
    }

    const listed = await retrying(() => connection.operatorService.listSearchAttributes({ namespace }));
    const existing = listed.customAttributes ?? {};
    const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
    for (const attribute of SEARCH_ATTRIBUTES) {
      const wanted = INDEXED_TYPES[attribute.type];
      const found = existing[attribute.name];
      if (found === undefined) missing[attribute.name] = wanted;
      else if (found !== wanted) {
        throw new Error(`Search attribute ${attribute.name} exists in ${namespace} with another type than ${attribute.type}`);
      }
    }
    if (Object.keys(missing).length > 0) {
      await retrying(() => connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing }));
    }
    return { createdNamespace, addedSearchAttributes: Object.keys(missing) };
  } finally {
    await connection.close();
  }
}
