import type { ApprovalTasks } from '../create-approval-tasks.js';
import type { ApprovalTaskRunner } from './approval-task-runner.js';

/** The runner behind each `createApprovalTasks()` object. */
export const approvalTaskRunners = new WeakMap<ApprovalTasks, ApprovalTaskRunner>();
