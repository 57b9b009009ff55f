/**
 * GPU buffers: the {@link io.ringsgd.gpu.Device} SPI, its CUDA and host implementations, and the pipelined device
 * AllReduce.
 *
 * <ul>
 *   <li>{@link io.ringsgd.gpu.Devices} opens devices; {@code Devices.best()} falls back to the host, logging why.
 *   <li>{@link io.ringsgd.gpu.Device}: buffers, pinned staging, streams and events, copies, the element-wise
 *       reduction the AllReduce applies, the matrix products, bias, ReLU and softmax cross-entropy of an MLP, and
 *       its SGD step.
 *       {@link io.ringsgd.gpu.CudaDevice} runs them with JCuda (runtime and driver API, cuBLAS, NVRTC-compiled
 *       kernels); {@link io.ringsgd.gpu.HostDevice} in plain Java, as the fallback and the reference.
 *   <li>{@link io.ringsgd.gpu.DeviceAllreduce}: a segmented ring AllReduce of a device buffer over any
 *       {@code Communicator}, overlapping device-host copies, network and device reductions.
 *   <li>{@link io.ringsgd.gpu.GpuCheck}: the {@code gpu-check} self-test.
 * </ul>
 */
package io.ringsgd.gpu;
