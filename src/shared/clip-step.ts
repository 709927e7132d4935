/**
 * One step of a scene's clip, as a provider plans it and the workflow schedules it. Kept in
 * src/shared because the workflow, which may not import provider code, walks these steps.
 */
export interface ClipStep {
  /** Runway: `image`, then `video`; the local drawer: `draw`. */
  name: string;
  /** Credits one submission of this step is quoted at, before the provider reports its bill. */
  credits: number;
  /**
   * False for work done while the step is awaited, with no remote task to create first (the local
   * drawer): the workflow then skips the submission and its activity.
   * @default true
   */
  submitted?: boolean;
}
