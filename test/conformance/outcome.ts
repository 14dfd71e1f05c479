/** One scenario on one runtime, as conformance.test.ts records it for matrix.ts. */
export interface Outcome {
  readonly scenario: string;
  readonly runtime: string;
  readonly result: 'passed' | 'failed' | 'not run';
  /** Why this runtime differs on purpose (it then ran the scenario's steps for it, or none). */
  readonly differs?: string;
}
