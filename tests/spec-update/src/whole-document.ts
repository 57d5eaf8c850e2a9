// The whole-document stand-in lives in @upstat/test-support (the benchmarks update PandaDoc with it too).
export { PANDADOC_COVERED, PANDADOC_OPERATION, wholePandadoc, type WholeOptions } from '@upstat/test-support';
