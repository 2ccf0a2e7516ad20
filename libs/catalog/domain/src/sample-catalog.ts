import { NewPriceInput } from './price-version';
import { NewProductInput } from './product';

/** R1.4: what every sample price carries, so nobody takes it for the provider's list price. */
export const SAMPLE_PRICE_LABEL = 'sample price (demo data, not a published list price)';

const BASIC_FEATURES = [
  'voice inbound call',
  'routing and queuing',
  'voice recording',
  'softphone',
  'contact management',
  'IVR channels (as many as agents)',
  'manual outbound call',
];
const PROFESSIONAL_FEATURES = [...BASIC_FEATURES, 'automatic outbound call'];
const ADVANCED_FEATURES = [...PROFESSIONAL_FEATURES, 'web chat', 'social-media agent'];

/** R1.1/R1.2: the five products of the seed, each edition including the one below it. */
export const SAMPLE_PRODUCTS: ReadonlyArray<NewProductInput & { code: string }> = [
  { code: 'basic-cec', name: 'Basic CEC', unit: 'agent', features: BASIC_FEATURES, billingModes: ['pay_per_use'] },
  { code: 'professional-cec', name: 'Professional CEC', unit: 'agent', features: PROFESSIONAL_FEATURES, billingModes: ['pay_per_use'] },
  { code: 'advanced-cec', name: 'Advanced CEC', unit: 'agent', features: ADVANCED_FEATURES, billingModes: ['pay_per_use'] },
  { code: 'voice-chatbot', name: 'Voice chatbot', unit: 'channel', features: ['ASR', 'TTS', 'OIAP'], billingModes: ['pay_per_use'] },
  { code: 'text-chatbot', name: 'Text chatbot', unit: 'channel', features: ['OIAP'], billingModes: ['pay_per_use'] },
];

/** R1.4: sample prices, labelled as such. Nothing in the code depends on these amounts. */
export const SAMPLE_PRICES: Readonly<Record<string, NewPriceInput>> = {
  'basic-cec': { unitPrice: '30.00', currency: 'USD', effectiveFrom: '2024-01-01', label: SAMPLE_PRICE_LABEL },
  'professional-cec': { unitPrice: '45.00', currency: 'USD', effectiveFrom: '2024-01-01', label: SAMPLE_PRICE_LABEL },
  'advanced-cec': { unitPrice: '60.00', currency: 'USD', effectiveFrom: '2024-01-01', label: SAMPLE_PRICE_LABEL },
  'voice-chatbot': { unitPrice: '20.00', currency: 'USD', effectiveFrom: '2024-01-01', label: SAMPLE_PRICE_LABEL },
  'text-chatbot': { unitPrice: '10.00', currency: 'USD', effectiveFrom: '2024-01-01', label: SAMPLE_PRICE_LABEL },
};
