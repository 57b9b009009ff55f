/**
 * Checkpoints: a versioned, checksummed binary format of named float arrays and string metadata, written atomically
 * (temporary file in the same directory, fsync, atomic rename), and the directory layout of a multi-rank run (one
 * shared file written by rank 0, one file of per-rank state per rank).
 */
package io.ringsgd.pipesgd.checkpoint;
