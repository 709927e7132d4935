/**
 * The OpenAPI 3.1 document, generated from the zod schemas that validate requests.
 */
import { z } from 'zod';
import { createVideoBodySchema, errorBodySchema, scriptSchema, videoStatusSchema } from './schemas';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({
  'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) },
});
const error = (description: string) => ({ description, content: json(errorBodySchema) });
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export function buildOpenApiDocument() {
  const status = { description: 'The video', content: json(videoStatusSchema) };
  return {
    openapi: '3.1.0',
    info: { title: 'Reelflow API', version: '0.1.0', description: 'Narrated explainer videos from PubMed papers or text.' },
    paths: {
      '/api/videos': {
        post: {
          summary: 'Start a video',
          parameters: [
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 } },
          ],
          requestBody: { required: true, content: json(createVideoBodySchema, 'input') },
          responses: {
            '202': { ...status, description: 'Started' },
            '200': { ...status, description: 'Already started with this Idempotency-Key and body' },
            '400': error('Invalid body'),
            '409': error('Idempotency-Key reused with another body'),
            '413': error('Body too large'),
            '415': error('Body is not JSON'),
          },
        },
        get: {
          summary: 'List videos, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] } },
            { name: 'stage', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': { description: '{ items, nextCursor }' }, '400': error('Invalid query') },
        },
      },
      '/api/videos/{id}': {
        get: { summary: 'A video status', parameters: [idParameter], responses: { '200': status, '404': error('Unknown id') } },
      },
      '/api/videos/{id}/cancel': {
        post: {
          summary: 'Cancel a running video',
          parameters: [idParameter],
          responses: { '202': status, '404': error('Unknown id'), '409': error('Already finished') },
        },
      },
      '/api/videos/{id}/events': {
        get: {
          summary: 'Status snapshots as Server-Sent Events until a terminal status',
          parameters: [idParameter],
          responses: {
            '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
            '404': error('Unknown id'),
          },
        },
      },
      '/api/videos/{id}/script': {
        get: {
          summary: 'The script',
          parameters: [idParameter],
          responses: {
            '200': { description: 'Script', content: json(scriptSchema) },
            '404': error('Unknown id'),
            '409': error('Not written yet'),
          },
        },
        put: {
          summary: 'Edit the script while the video awaits review',
          parameters: [idParameter],
          requestBody: { required: true, content: json(scriptSchema, 'input') },
          responses: {
            '200': { description: 'Script', content: json(scriptSchema) },
            '400': error('Invalid script'),
            '404': error('Unknown id'),
            '409': error('Finished'),
          },
        },
      },
      '/api/videos/{id}/approve': {
        post: {
          summary: 'Approve the script and continue',
          parameters: [idParameter],
          responses: { '202': status, '404': error('Unknown id'), '409': error('Not awaiting review') },
        },
      },
      '/api/videos/{id}/video': {
        get: {
          summary: 'The MP4 (supports Range)',
          parameters: [idParameter],
          responses: {
            '200': { description: 'video/mp4' },
            '206': { description: 'Partial content' },
            '404': error('Unknown id or not completed'),
          },
        },
      },
      '/health': {
        get: {
          summary: 'Temporal reachable and workers polling',
          responses: { '200': { description: 'Healthy' }, '503': { description: 'Unhealthy' } },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
  };
}
