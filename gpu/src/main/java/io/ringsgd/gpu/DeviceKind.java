package io.ringsgd.gpu;

/** What kind of memory and processor a {@link Device} stands for. */
public enum DeviceKind {
    /** An NVIDIA GPU driven through JCuda (runtime and driver API, cuBLAS, NVRTC kernels). */
    CUDA,
    /** Plain Java arrays and loops on the host: the fallback where no GPU works, and the reference in tests. */
    HOST
}
