package io.ringsgd.gpu;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.nvrtc.JNvrtc;
import jcuda.runtime.JCuda;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out, once per JVM and without ever throwing, whether CUDA can work here: the runtime must see a device, and
 * the driver API, NVRTC and cuBLAS libraries that {@link CudaDevice} needs must load. Without a driver the runtime
 * reports an error code (35, "driver version is insufficient") while the other JCuda libraries fail to link
 * ({@link UnsatisfiedLinkError}: libcuda.so.1, libnvrtc.so.12 or libcublas.so.12 missing); both end as a reason.
 */
final class CudaProbe {
    private static final Logger log = LoggerFactory.getLogger(CudaProbe.class);
    private static final Pattern MISSING = Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file");

    final int deviceCount;
    /** Why CUDA cannot be used, or null when it can. */
    final String reason;

    private CudaProbe(int deviceCount, String reason) {
        this.deviceCount = deviceCount;
        this.reason = reason;
    }

    private static final class Holder {
        static final CudaProbe RESULT = run();
    }

    static CudaProbe get() {
        return Holder.RESULT;
    }

    boolean available() {
        return reason == null;
    }

    private static CudaProbe run() {
        int[] count = new int[1];
        int rc;
        try {
            rc = JCuda.cudaGetDeviceCount(count);
        } catch (LinkageError e) {
            return failed("the JCuda runtime library could not be loaded (" + essence(e) + ")", e);
        }
        if (rc != 0) {
            return failed("cudaGetDeviceCount returned " + rc + " (" + text(rc) + ")" + driverHint(), null);
        }
        if (count[0] <= 0) {
            return failed("cudaGetDeviceCount found no CUDA device", null);
        }
        try {
            rc = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            return failed("the CUDA driver API could not be loaded (" + essence(e) + ")", e);
        }
        if (rc != 0) {
            return failed("cuInit returned " + rc + " (" + jcuda.driver.CUresult.stringFor(rc) + ")", null);
        }
        try {
            int[] major = new int[1];
            int[] minor = new int[1];
            JNvrtc.nvrtcVersion(major, minor);
        } catch (LinkageError e) {
            return failed("NVRTC, which compiles the reduction kernels, could not be loaded (" + essence(e)
                    + "): install the CUDA 12 runtime compiler libraries", e);
        }
        try {
            JCublas2.initialize();
        } catch (LinkageError e) {
            return failed("cuBLAS could not be loaded (" + essence(e) + "): install the CUDA 12 cuBLAS libraries", e);
        }
        return new CudaProbe(count[0], null);
    }

    private static CudaProbe failed(String reason, Throwable cause) {
        if (cause != null) {
            log.debug("CUDA probe: {}", reason, cause);
        }
        return new CudaProbe(0, reason);
    }

    private static String text(int rc) {
        try {
            return JCuda.cudaGetErrorString(rc);
        } catch (LinkageError e) {
            return "error " + rc;
        }
    }

    /** Why the runtime could not talk to a driver, when the driver library itself is what is missing. */
    private static String driverHint() {
        try {
            JCudaDriver.cuInit(0);
            return "";
        } catch (LinkageError e) {
            return "; the NVIDIA driver library could not be loaded (" + essence(e) + ")";
        }
    }

    /** "libcublas.so.12 not found" out of JCuda's long multi-attempt message, or its first line. */
    static String essence(Throwable e) {
        String msg = String.valueOf(e.getMessage());
        Matcher m = MISSING.matcher(msg);
        if (m.find()) {
            return m.group(1) + " not found";
        }
        String first = msg.lines().findFirst().orElse(msg);
        return e.getClass().getSimpleName() + ": " + (first.length() > 200 ? first.substring(0, 200) + "..." : first);
    }
}
