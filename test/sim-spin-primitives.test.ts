// SPIN cross-checks the kernel primitives (rwsem trylocks, refcounts, `when:`, RCU,
// xarray entries) on every (variant, config) of the models in sim/examples: the exported
// Promela must give SPIN exactly the kinds of error our explorer reports, and each SPIN
// counterexample must replay on our model to that same kind of error.
import { listScenarios, loadScenarioFile } from '../sim/index.ts';
import { describeSpinAgreementOn, everyModel } from './helpers/spin-agreement.ts';

// Every example, loaded: one that no longer loads fails this file instead of dropping out.
await describeSpinAgreementOn({
  title: 'SPIN agrees with the explorer on the primitive examples',
  what: 'sim/examples',
  models: everyModel(listScenarios('sim/examples').map((s) => loadScenarioFile(s.file))),
});
