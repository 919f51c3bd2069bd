/** The streaming pipeline on one thread: every row finished and formatted where it is read. */
import { pipelineSuite } from './pipeline-suite.ts';

pipelineSuite({}, '');
