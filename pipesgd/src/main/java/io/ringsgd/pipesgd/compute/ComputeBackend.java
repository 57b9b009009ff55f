package io.ringsgd.pipesgd.compute;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.gpu.Device;
import io.ringsgd.pipesgd.compress.ErrorFeedback;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.model.Evaluation;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.optim.Optimizer;
import java.util.Map;

/**
 * Where one rank's training math runs: the model's forward and backward pass, the optimizer step, the vector
 * arithmetic of the trainers and the AllReduce of a vector. The {@linkplain #host CPU backend} keeps
 * {@code float[]}s and computes with BLAS, exactly as the trainers always did; the {@linkplain #device device backend}
 * keeps every vector (parameters, gradients, momentum) in a {@link Device}'s memory, computes with the device's ops
 * (cuBLAS sgemm and CUDA kernels on a GPU), uploads mini-batches through pinned staging and all-reduces with
 * {@code DeviceAllreduce}. Trainers are written once against this interface.
 *
 * <p>The backend owns the parameter vector and the optimizer state. Operations are issued by the rank's training
 * thread; on a device they are queued in order on one compute stream, and the methods that hand back host values
 * (the loss, {@link #download}) wait for it. Vectors given to {@link #iallreduce} must not be used until its
 * {@link InFlight#await()} has returned.
 */
public interface ComputeBackend extends AutoCloseable {

    /**
     * The CPU backend: {@code model} on host arrays, {@code params} (live, owned by the caller too) updated by
     * {@code optimizer}.
     */
    static ComputeBackend host(Model model, float[] params, Optimizer optimizer) {
        return new HostBackend(model, params, optimizer);
    }

    /**
     * A device backend on {@code device} for a built-in model ({@link
     * io.ringsgd.pipesgd.model.DevicePass#supports}), starting from {@code initialParams} (uploaded) with
     * SGD of the given momentum, Nesterov flag and weight decay. With {@code ownsDevice} closing the backend closes
     * the device.
     */
    static ComputeBackend device(Device device, boolean ownsDevice, Model model, float[] initialParams,
            double momentum, boolean nesterov, double weightDecay) {
        return new DeviceBackend(device, ownsDevice, model, initialParams, momentum, nesterov, weightDecay);
    }

    /** "cpu" or the device's name, for logs and reports. */
    String describe();

    /** The device computing, or null for the CPU backend. */
    Device device();

    /** Length of every vector: the model's parameter count. */
    int length();

    /** The live parameters. */
    ModelVector parameters();

    /** A new vector of {@link #length()} zeros; it lives as long as the backend. */
    ModelVector newVector();

    /** {@code dst = src}. */
    void copy(ModelVector src, ModelVector dst);

    /** {@code y = y + alpha·x}, rounded after the product and after the sum, as a Java loop would. */
    void axpy(float alpha, ModelVector x, ModelVector y);

    /** {@code x = alpha·x}. */
    void scale(ModelVector x, float alpha);

    /** Copies {@code v} into {@code dst} (length {@link #length()}); waits for the work that writes {@code v}. */
    void download(ModelVector v, float[] dst);

    /** {@code v} as a new host array (for checkpoints and results). */
    default float[] toHost(ModelVector v) {
        float[] out = new float[length()];
        download(v, out);
        return out;
    }

    /** Copies {@code src} (length {@link #length()}) into {@code v}. */
    void upload(float[] src, ModelVector v);

    /**
     * Overwrites {@code grad} with the gradient of the mean loss of {@code batch} at {@code params} and returns that
     * mean loss.
     */
    double lossAndGradient(ModelVector params, Batch batch, ModelVector grad);

    /** Adds the batch's summed loss, correct predictions and sample count at {@code params} to {@code tally}. */
    void evaluateBatch(ModelVector params, Batch batch, Evaluation.Tally tally);

    /** One optimizer step on {@link #parameters()} with {@code grad} at learning rate {@code lr}. */
    void step(ModelVector grad, double lr);

    /** The optimizer's state vectors by name (e.g. "momentum"), live: checkpoints save them, resumes overwrite them. */
    Map<String, ModelVector> optimizerState();

    /**
     * Starts an AllReduce of {@code v} over {@code comm}, in the communicator's issue order. With {@code feedback}
     * the vector is first error-compensated ({@link ErrorFeedback.Slot#compensate}) for the compressed AllReduce that
     * {@code options} asks for, and that AllReduce refills the slot's residual. On a device, an uncompressed AllReduce stays in device memory
     * ({@code DeviceAllreduce}); a compressed one is downloaded, reduced by the compressed host ring and uploaded
     * again in {@link InFlight#await()}.
     */
    InFlight iallreduce(Communicator comm, ModelVector v, ReduceOp op, CollectiveOptions options,
            ErrorFeedback.Slot feedback);

    /**
     * Releases device memory, streams and the device if owned. If an AllReduce is still in flight (the run failed),
     * the release waits for it to complete, without blocking the caller. Idempotent.
     */
    @Override
    void close();
}
