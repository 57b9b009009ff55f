/**
 * Data sets stored once per JVM as unsigned bytes and shared read-only by all worker threads: the IDX reader and
 * writer (MNIST, Fashion-MNIST, plain or gzip), the embedded Fashion-MNIST subset, generated Gaussian clusters,
 * sharding by rank and per-epoch seeded shuffling into reused float mini-batches.
 */
package io.ringsgd.pipesgd.data;
