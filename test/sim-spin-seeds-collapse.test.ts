import { describeSpinAgreement } from './helpers/spin-agreement.ts';

await describeSpinAgreement({
  title: 'SPIN agrees with the explorer on the khugepaged collapse races (seeds 000-002)',
  ids: ['000', '001', '002'],
  models: 56,
});
