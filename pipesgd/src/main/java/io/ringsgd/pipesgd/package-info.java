/**
 * The training framework of ringsgd and the Pipe-SGD trainer. Sub-packages: {@code model} (the model SPI and the
 * built-in softmax regression and MLP), {@code data} (IDX files, generated data, sharding and mini-batches),
 * {@code optim} (SGD with momentum and learning-rate schedules), {@code compress} (error feedback for compressed
 * AllReduce), {@code compute} (where the math runs: host arrays with BLAS, or a GPU / host device, chosen by
 * {@code --device}), {@code train} (configuration, trainer SPI and registry, listeners, results), {@code pipe}
 * (Pipe-SGD and synchronous SGD), {@code checkpoint} (atomic, checksummed checkpoints) and {@code metrics} (CSV, PNG
 * and JSON outputs).
 */
package io.ringsgd.pipesgd;
