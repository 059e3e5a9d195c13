import { describeSpinAgreement } from './helpers/spin-agreement.ts';

await describeSpinAgreement({
  title: 'SPIN agrees with the explorer on the filesystem locking races (seeds 003-004)',
  ids: ['003', '004'],
  models: 43,
});
