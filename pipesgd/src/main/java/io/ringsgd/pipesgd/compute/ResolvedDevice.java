package io.ringsgd.pipesgd.compute;

import io.ringsgd.gpu.Devices;

/**
 * What a {@code --device} setting resolved to on this machine, and why: {@code auto} becomes {@code cuda} when a CUDA
 * device works and {@code cpu} otherwise, and the reason says which (the CUDA probe's own words when there is no
 * device). The CLI prints {@link #summary()}; the training log carries it too.
 *
 * @param requested the setting as given
 * @param device    what runs: {@link ComputeDevice#CPU}, {@link ComputeDevice#CUDA} or
 *                  {@link ComputeDevice#HOST_DEVICE}, never AUTO
 * @param reason    why, in a few words, e.g. "no CUDA device: cudaGetDeviceCount returned 35 (...)"
 */
public record ResolvedDevice(ComputeDevice requested, ComputeDevice device, String reason) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a value is missing or the device is AUTO
     */
    public ResolvedDevice {
        if (requested == null || device == null || device == ComputeDevice.AUTO) {
            throw new IllegalArgumentException("a resolved device needs the requested setting and a concrete device,"
                    + " got " + requested + " -> " + device);
        }
        reason = reason == null ? "" : reason;
    }

    /**
     * Resolves {@code requested} here. {@code cpuOnly} is null, or why this run cannot leave the CPU (a custom model,
     * a trainer without a device path); {@code auto} then stays on the CPU, and {@code cuda} or {@code host-device}
     * is refused.
     *
     * @throws IllegalArgumentException (one line) for {@code cuda} without a working CUDA device, or for a device
     *     setting the run cannot honour
     */
    public static ResolvedDevice resolve(ComputeDevice requested, String cpuOnly) {
        if (requested == null) {
            throw new IllegalArgumentException("device is null: pass --device auto, cpu, cuda or host-device");
        }
        switch (requested) {
            case CPU:
                return new ResolvedDevice(requested, ComputeDevice.CPU, "--device cpu");
            case HOST_DEVICE:
                if (cpuOnly != null) {
                    throw new IllegalArgumentException("--device host-device but " + cpuOnly
                            + "; use --device cpu");
                }
                return new ResolvedDevice(requested, ComputeDevice.HOST_DEVICE,
                        "--device host-device: the device code path on the Java host device, a diagnostic");
            case CUDA:
                if (cpuOnly != null) {
                    throw new IllegalArgumentException("--device cuda but " + cpuOnly + "; use --device cpu");
                }
                if (!Devices.cudaAvailable()) {
                    throw new IllegalArgumentException("--device cuda but no CUDA device: "
                            + Devices.cudaUnavailableReason() + "; use --device auto or cpu");
                }
                return new ResolvedDevice(requested, ComputeDevice.CUDA, "--device cuda");
            default:
                if (cpuOnly != null) {
                    return new ResolvedDevice(requested, ComputeDevice.CPU, cpuOnly);
                }
                if (Devices.cudaAvailable()) {
                    int n = Devices.cudaDeviceCount();
                    return new ResolvedDevice(requested, ComputeDevice.CUDA, "auto: " + n + " CUDA device"
                            + (n == 1 ? "" : "s") + " found");
                }
                return new ResolvedDevice(requested, ComputeDevice.CPU, "no CUDA device: "
                        + Devices.cudaUnavailableReason());
        }
    }

    /** The same choice with another reason (e.g. after the ranks agreed on the CPU). */
    public ResolvedDevice withDevice(ComputeDevice d, String why) {
        return new ResolvedDevice(requested, d, why);
    }

    /** One line for logs and the CLI: "device: cpu (no CUDA device: ...)". */
    public String summary() {
        return "device: " + device.cliName() + (reason.isEmpty() ? "" : " (" + reason + ")");
    }

    @Override
    public String toString() {
        return summary();
    }
}
