/**
 * Which videos lose their media, and when: each rule of docs/production.md ("Retention") on its
 * own, with days as fractions and 0 as "kept forever".
 */
import { orphanRetentionDays, retentionAction, type RunState } from '../../src/retention/retention-rule';
import type { MediaRetentionPolicy } from '../../src/shared/media-retention';

const DAY_MS = 86_400_000;
const now = new Date('2026-03-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
const policy: MediaRetentionPolicy = { completedDays: 30, failedDays: 7, keepIntermediateFiles: false };
const fresh = { newest: daysAgo(0) };

const completed = (days: number): RunState => ({ kind: 'closed', outcome: 'completed', closedAt: daysAgo(days) });
const unsuccessful = (days: number): RunState => ({ kind: 'closed', outcome: 'unsuccessful', closedAt: daysAgo(days) });

describe('retentionAction', () => {
  test('a completed run within retention keeps only what it serves, and all of it once past retention', () => {
    expect(retentionAction(completed(29), fresh, policy, now)).toBe('prune');
    expect(retentionAction(completed(31), fresh, policy, now)).toBe('remove');
  });

  test('KEEP_INTERMEDIATE_FILES leaves a completed run within retention as it is', () => {
    expect(retentionAction(completed(1), fresh, { ...policy, keepIntermediateFiles: true }, now)).toBe('keep');
    expect(retentionAction(completed(31), fresh, { ...policy, keepIntermediateFiles: true }, now)).toBe('remove');
  });

  test('failed, cancelled, terminated and timed-out runs go after the shorter retention', () => {
    expect(retentionAction(unsuccessful(6.9), fresh, policy, now)).toBe('keep');
    expect(retentionAction(unsuccessful(7.1), fresh, policy, now)).toBe('remove');
  });

  test('a running run is never touched, however old its files', () => {
    expect(retentionAction({ kind: 'running' }, { newest: daysAgo(400) }, policy, now)).toBe('keep');
  });

  test('days may be fractions: a retention of two seconds removes a run closed three seconds ago', () => {
    const seconds = (s: number) => s / 86_400;
    const closed3s: RunState = { kind: 'closed', outcome: 'unsuccessful', closedAt: new Date(now.getTime() - 3000) };
    expect(retentionAction(closed3s, fresh, { ...policy, failedDays: seconds(2) }, now)).toBe('remove');
    expect(retentionAction(closed3s, fresh, { ...policy, failedDays: seconds(4) }, now)).toBe('keep');
  });

  test('0 turns a rule off: such runs keep their media forever', () => {
    const off = { completedDays: 0, failedDays: 0, keepIntermediateFiles: false };
    expect(retentionAction(completed(4000), fresh, off, now)).toBe('prune');
    expect(retentionAction(unsuccessful(4000), fresh, off, now)).toBe('keep');
    expect(retentionAction({ kind: 'missing' }, { newest: daysAgo(4000) }, off, now)).toBe('keep');
  });

  test('an orphan with a rendered MP4 goes after the completed retention, one without after the failed retention', () => {
    expect(retentionAction({ kind: 'missing' }, { newest: daysAgo(10), rendered: true }, policy, now)).toBe('keep');
    expect(retentionAction({ kind: 'missing' }, { newest: daysAgo(31), rendered: true }, policy, now)).toBe('remove');
    expect(retentionAction({ kind: 'missing' }, { newest: daysAgo(8), rendered: false }, policy, now)).toBe('remove');
    expect(retentionAction({ kind: 'missing' }, { newest: daysAgo(6), rendered: false }, policy, now)).toBe('keep');
  });

  test('an orphan not known to be rendered waits for the longer retention, or forever when either rule is off', () => {
    expect(orphanRetentionDays(policy, undefined)).toBe(30);
    expect(orphanRetentionDays({ ...policy, completedDays: 3 }, undefined)).toBe(7);
    expect(orphanRetentionDays({ ...policy, failedDays: 0 }, undefined)).toBe(0);
  });
});
