package io.ringsgd.gpu;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where a CUDA device works; elsewhere its tests are reported as skipped with the reason
 * (which is also printed once, so it shows in the build output). Shared through the test jar with the modules whose
 * CUDA tests train on a device ({@code @ExtendWith(RequiresCuda.class)}).
 */
public final class RequiresCuda implements ExecutionCondition {
    private static final AtomicBoolean PRINTED = new AtomicBoolean();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Devices.cudaAvailable()) {
            return ConditionEvaluationResult.enabled("CUDA device available: " + Devices.cudaDeviceCount());
        }
        String reason = "no CUDA device: " + Devices.cudaUnavailableReason();
        if (PRINTED.compareAndSet(false, true)) {
            System.out.println("CUDA tests skipped: " + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }
}
