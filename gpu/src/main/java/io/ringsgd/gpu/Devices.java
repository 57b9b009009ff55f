package io.ringsgd.gpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where devices come from. {@link #best()} never fails: it returns the first CUDA device when one works, else the host
 * device, and logs one line saying which and why. Detection runs once per JVM and handles both ways CUDA is missing:
 * an error code from the runtime (no driver: error 35) and a native library that does not link (libcuda, libnvrtc or
 * libcublas absent).
 *
 * <p>The caller owns the returned device and closes it.
 */
public final class Devices {
    private static final Logger log = LoggerFactory.getLogger(Devices.class);

    private Devices() {
    }

    /** CUDA device 0 if it can be opened, else the host device; logs the choice and, for the host, the reason. */
    public static Device best() {
        CudaProbe probe = CudaProbe.get();
        if (!probe.available()) {
            log.info("no CUDA device: {}; using the host device", probe.reason);
            return HostDevice.create();
        }
        try {
            CudaDevice d = new CudaDevice(0);
            log.info("using {}", d.name());
            return d;
        } catch (RuntimeException | LinkageError e) {
            log.info("CUDA device 0 could not be opened ({}); using the host device", e.getMessage());
            log.debug("opening CUDA device 0 failed", e);
            return HostDevice.create();
        }
    }

    /**
     * Opens CUDA device {@code ordinal}.
     *
     * @throws IllegalArgumentException if {@code ordinal} is negative
     * @throws DeviceException if CUDA is unavailable (the message says why), the ordinal does not exist, or the device
     *     cannot be initialized
     */
    public static CudaDevice cuda(int ordinal) {
        if (ordinal < 0) {
            throw new IllegalArgumentException("CUDA device ordinal must be >= 0, got " + ordinal);
        }
        CudaProbe probe = CudaProbe.get();
        if (!probe.available()) {
            throw new DeviceException("no CUDA device " + ordinal + ": " + probe.reason
                    + ". Use Devices.best() or Devices.host() to run on the host instead");
        }
        try {
            return new CudaDevice(ordinal);
        } catch (LinkageError e) {
            throw new DeviceException("CUDA device " + ordinal + " could not be opened: " + CudaProbe.essence(e), e);
        }
    }

    /** A new synchronous host device. */
    public static HostDevice host() {
        return HostDevice.create();
    }

    /** True when the CUDA libraries load and the runtime sees at least one device. */
    public static boolean cudaAvailable() {
        return CudaProbe.get().available();
    }

    /** Why CUDA cannot be used here (for messages such as {@code ringsgd gpu-check}), or null when it can. */
    public static String cudaUnavailableReason() {
        return CudaProbe.get().reason;
    }

    /** Number of CUDA devices, 0 when CUDA is unavailable. */
    public static int cudaDeviceCount() {
        return CudaProbe.get().deviceCount;
    }
}
