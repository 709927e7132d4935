/**
 * A server span for every API request, continuing the caller's trace when it sent a
 * `traceparent` header. The Temporal client interceptor then carries the same trace into the
 * workflow it starts, so one trace runs from the HTTP request to every activity.
 */
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { addLogContext } from '../shared-node/log-context';
import { routeLabel } from './route-label';

export function traceRequests(): RequestHandler {
  const tracer = trace.getTracer('reelflow-api');
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      `${req.method}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': req.originalUrl.split('?')[0] ?? '' },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = routeLabel(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      if (typeof res.locals.requestId === 'string') span.setAttribute('reelflow.request_id', res.locals.requestId);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    addLogContext({ traceId: span.spanContext().traceId });
    context.with(trace.setSpan(parent, span), next);
  };
}
