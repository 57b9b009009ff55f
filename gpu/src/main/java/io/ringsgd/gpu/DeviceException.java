package io.ringsgd.gpu;

/**
 * A device could not be opened or a device call failed (a CUDA error code, a missing native library, a kernel that
 * did not compile). The message names the call, the error and, where there is one, what to do about it.
 */
public class DeviceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
