/**
 * Where a rank's training math runs, chosen by {@code --device} ({@link io.ringsgd.pipesgd.compute.ComputeDevice},
 * resolved with its reason into a {@link io.ringsgd.pipesgd.compute.ResolvedDevice}).
 *
 * <p>{@link io.ringsgd.pipesgd.compute.ComputeBackend} is what trainers compute with: the forward and backward pass,
 * the optimizer step, vector arithmetic on {@link io.ringsgd.pipesgd.compute.ModelVector}s and their non-blocking
 * AllReduce ({@link io.ringsgd.pipesgd.compute.InFlight}). The CPU backend is the host arrays and BLAS the trainers
 * always used; the device backend keeps every vector in a {@code io.ringsgd.gpu.Device}'s memory (cuBLAS and CUDA
 * kernels on a GPU, or the Java host device as a diagnostic), uploads mini-batches through pinned staging and
 * all-reduces with {@code DeviceAllreduce}. One training loop per trainer serves both.
 */
package io.ringsgd.pipesgd.compute;
