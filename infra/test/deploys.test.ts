/**
 * Issue 19's proofs that the stacks deploy as written, in one process so that they share one synthesis of the
 * whole app (each suite is in test/deploys/).
 */
import './deploys/deployment-actions.ts';
import './deploys/deploy-order.ts';
import './deploys/validator-strict.ts';
import './deploys/regressions.ts';
