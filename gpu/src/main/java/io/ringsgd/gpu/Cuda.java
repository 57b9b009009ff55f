package io.ringsgd.gpu;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.cublasStatus;
import jcuda.nvrtc.nvrtcResult;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaError;

/**
 * Error checking for the four CUDA libraries JCuda binds. JCuda's exceptions stay disabled (its default): every call
 * returns a status that is checked here and turned into a {@link DeviceException} naming the call and the error.
 */
final class Cuda {
    private Cuda() {
    }

    /** A runtime API status ({@code cudaError_t}). */
    static void check(int status, String call) {
        if (status != cudaError.cudaSuccess) {
            throw new DeviceException(call + " failed: " + describe(status));
        }
    }

    /** "error 35 cudaErrorInsufficientDriver (CUDA driver version is insufficient for CUDA runtime version)". */
    static String describe(int status) {
        String text;
        try {
            text = JCuda.cudaGetErrorString(status);
        } catch (LinkageError e) {
            text = null;
        }
        return "error " + status + " " + cudaError.stringFor(status) + (text == null ? "" : " (" + text + ")");
    }

    /** A driver API status ({@code CUresult}). */
    static void checkDriver(int status, String call) {
        if (status != CUresult.CUDA_SUCCESS) {
            String[] text = new String[1];
            JCudaDriver.cuGetErrorString(status, text);
            throw new DeviceException(call + " failed: error " + status + " " + CUresult.stringFor(status)
                    + (text[0] == null ? "" : " (" + text[0] + ")"));
        }
    }

    /** A cuBLAS status. */
    static void checkBlas(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new DeviceException(call + " failed: " + cublasStatus.stringFor(status));
        }
    }

    /** An NVRTC status; {@code log} is the compiler's output, if any. */
    static void checkNvrtc(int status, String call, String log) {
        if (status != nvrtcResult.NVRTC_SUCCESS) {
            throw new DeviceException(call + " failed: " + nvrtcResult.stringFor(status)
                    + (log == null || log.isBlank() ? "" : "\n" + log));
        }
    }
}
