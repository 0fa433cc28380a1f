/**
 * JMH benchmarks of the backup pipeline's stages in isolation (chunker, chunk id, compression,
 * sealing, wire codec, pack writer, index) and of a whole backup, each compared by
 * {@link dev.sluice.benchmark.StageSuite} with the hardware limit it builds on.
 */
package dev.sluice.benchmark.stage;
