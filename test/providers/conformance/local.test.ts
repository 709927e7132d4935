import { DrawnClipGenerator } from '../../../src/providers/local/drawn-clip-generator';
import { EspeakNarrator } from '../../../src/providers/local/espeak-narrator';
import { LocalScriptWriter } from '../../../src/providers/local/local-script-writer';
import { describeClipGeneratorConformance } from './clip-generator-conformance';
import { describeNarratorConformance } from './narrator-conformance';
import { describeScriptWriterConformance } from './script-writer-conformance';

// The keyless adapters keep the same promises as the paid ones, so the pipeline can swap them.
describeScriptWriterConformance('LocalScriptWriter', () => new LocalScriptWriter());
describeNarratorConformance('EspeakNarrator', () => new EspeakNarrator({ fallbackVoice: 'en-us' }), { voice: 'en-us' });
describeClipGeneratorConformance('DrawnClipGenerator', () => new DrawnClipGenerator({ durationSec: 2 }));
