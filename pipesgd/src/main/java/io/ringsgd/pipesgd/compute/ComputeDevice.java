package io.ringsgd.pipesgd.compute;

import java.util.Locale;

/**
 * Where a run computes ({@code --device}): {@link #AUTO} picks CUDA when a CUDA device works and the CPU otherwise;
 * {@link #CPU} is host arrays with BLAS; {@link #CUDA} keeps parameters, gradients and optimizer state in GPU memory
 * and computes with cuBLAS and CUDA kernels; {@link #HOST_DEVICE} runs that same device code path on the Java host
 * device, a diagnostic that tests the device path where no GPU exists (it is slower than {@code cpu}).
 */
public enum ComputeDevice {
    /** CUDA if available, else the CPU (the default). */
    AUTO("auto"),
    /** Host arrays and BLAS. */
    CPU("cpu"),
    /** A CUDA GPU through JCuda and cuBLAS. */
    CUDA("cuda"),
    /** The device code path on gpu's Java host device: a diagnostic, for testing without a GPU. */
    HOST_DEVICE("host-device");

    private final String cliName;

    ComputeDevice(String cliName) {
        this.cliName = cliName;
    }

    /** The {@code --device} spelling. */
    public String cliName() {
        return cliName;
    }

    /** True for the settings that run the device code path (CUDA and the host device). */
    public boolean isDevicePath() {
        return this == CUDA || this == HOST_DEVICE;
    }

    /** Parses a {@code --device} value (case-insensitive; "host_device" and "gpu" = cuda are accepted too). */
    public static ComputeDevice parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("device is null: pass --device auto, cpu, cuda or host-device");
        }
        String v = s.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "cuda":
            case "gpu":
                return CUDA;
            case "host-device":
            case "host_device":
                return HOST_DEVICE;
            default:
                throw new IllegalArgumentException("unknown device '" + s + "': use --device auto, cpu, cuda or "
                        + "host-device");
        }
    }

    @Override
    public String toString() {
        return cliName;
    }
}
