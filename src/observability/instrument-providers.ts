/**
 * Wraps each provider adapter so that every call is counted, timed and traced: a child span of
 * the activity's span (when tracing is on), a call and maybe an error in the worker's metrics,
 * and the spend the provider reported. Activities and adapters stay unaware of it.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityDeps } from '../activities';
import { MediaToolError } from '../media/media-tool-error';
import type { ClipGenerator, Narrator, ScriptWriter, SourceProvider, Spend } from '../providers/contracts';
import { ProviderError } from '../providers/errors';
import { FailureType } from '../shared/failure-types';
import type { WorkerMetrics } from './worker-metrics';

/** The provider behind each adapter, as metrics and spans name it (`gemini`, `runway`, `pubmed`, `local`). */
export interface ProviderNames {
  source: string;
  script: string;
  narration: string;
  clip: string;
}

const tracer = trace.getTracer('reelflow-providers');

/** The `error_type` label: the failure type the activity boundary will give the error. */
export function errorTypeOf(err: unknown): string {
  if (err instanceof ProviderError) return err.failureType;
  if (err instanceof MediaToolError) return FailureType.MediaToolFailed;
  if (err instanceof ApplicationFailure) return err.type ?? 'ApplicationFailure';
  if (err instanceof CancelledFailure || (err instanceof Error && err.name === 'AbortError')) return 'Cancelled';
  return err instanceof Error ? err.name : 'Error';
}

/** Runs one provider call inside a span and records it, with its spend when the result has one. */
async function observe<T>(
  metrics: WorkerMetrics,
  provider: string,
  operation: string,
  call: () => Promise<T>,
  spendOf?: (result: T) => Spend,
): Promise<T> {
  const attributes = { 'reelflow.provider': provider, 'reelflow.operation': operation };
  return tracer.startActiveSpan(`${provider}.${operation}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const end = metrics.startProviderCall(provider, operation);
    try {
      const result = await call();
      end();
      const spend = spendOf?.(result);
      if (spend) {
        metrics.addSpend(provider, spend);
        span.setAttribute('reelflow.spend.credits', spend.credits);
        if (spend.tokens) span.setAttribute('reelflow.spend.tokens', spend.tokens);
      }
      return result;
    } catch (err) {
      const type = errorTypeOf(err);
      end(type);
      span.setAttribute('reelflow.error_type', type);
      if (err instanceof Error) span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The same dependencies with every provider call observed. */
export function instrumentProviders(deps: ActivityDeps, metrics: WorkerMetrics, names: ProviderNames): ActivityDeps {
  const { sourceProvider, scriptWriter, narrator, clipGenerator } = deps;
  const source: SourceProvider = {
    fetchPubmed: (pmid, signal) => observe(metrics, names.source, 'fetchPubmed', () => sourceProvider.fetchPubmed(pmid, signal)),
    searchPubmed: (search, signal) => observe(metrics, names.source, 'searchPubmed', () => sourceProvider.searchPubmed(search, signal)),
  };
  const script: ScriptWriter = {
    cacheIdentity: scriptWriter.cacheIdentity,
    writeScript: (request) =>
      observe(
        metrics,
        names.script,
        'writeScript',
        () => scriptWriter.writeScript(request),
        (r) => r.spend,
      ),
  };
  const narration: Narrator = {
    cacheIdentity: narrator.cacheIdentity,
    narrate: (request) =>
      observe(
        metrics,
        names.narration,
        'narrate',
        () => narrator.narrate(request),
        (r) => r.spend,
      ),
  };
  const clip: ClipGenerator = {
    ...(clipGenerator.cacheKey ? { cacheKey: clipGenerator.cacheKey.bind(clipGenerator) } : {}),
    plan: (scene) => clipGenerator.plan(scene),
    submit: (request) => observe(metrics, names.clip, 'submit', () => clipGenerator.submit(request)),
    await: (request) =>
      observe(
        metrics,
        names.clip,
        'await',
        () => clipGenerator.await(request),
        (r) => r.spend,
      ),
    cancel: (taskId) => observe(metrics, names.clip, 'cancel', () => clipGenerator.cancel(taskId)),
  };
  return { ...deps, sourceProvider: source, scriptWriter: script, narrator: narration, clipGenerator: clip };
}

/**
 * A name for an adapter when the caller gave none (tests and tools that build their own): the
 * vendor word its class starts with (`GeminiNarrator` → `gemini`); keyless adapters are `local`.
 */
export function providerNameOf(adapter: object): string {
  const word = /^[A-Z][a-z]+/.exec(adapter.constructor.name)?.[0]?.toLowerCase();
  if (!word || word === 'object') return 'custom';
  return ['local', 'espeak', 'drawn'].includes(word) ? 'local' : word;
}
