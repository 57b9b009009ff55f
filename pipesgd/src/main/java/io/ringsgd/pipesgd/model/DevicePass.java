package io.ringsgd.pipesgd.model;

import io.ringsgd.gpu.Device;
import io.ringsgd.gpu.DeviceBuffer;
import io.ringsgd.gpu.DeviceStream;
import io.ringsgd.pipesgd.data.Batch;

/**
 * The forward and backward pass of a built-in model on a {@link Device}, with parameters and gradients in device
 * buffers: {@link DeviceFeedForward} for the MLP and softmax regression, {@link DeviceConvNet} for the convolutional
 * networks. Work is queued on one stream owned by the caller; the methods return once the stream has finished it. One
 * instance per rank and stream; not thread-safe.
 */
public interface DevicePass extends AutoCloseable {

    /**
     * True if {@code model} is a built-in model with a device pass.
     *
     * @param model a model
     * @return whether {@link #create} accepts it
     */
    static boolean supports(Model model) {
        return model instanceof FeedForwardModel || model instanceof ConvNet;
    }

    /**
     * The device pass of {@code model} on {@code device}, queued on {@code stream}.
     *
     * @param model  a built-in model ({@link #supports})
     * @param device the device
     * @param stream a stream of that device, owned by the caller
     * @return the pass; close it before the stream
     * @throws IllegalArgumentException if the model has no device pass or the stream is not the device's
     */
    static DevicePass create(Model model, Device device, DeviceStream stream) {
        if (model instanceof ConvNet) {
            return new DeviceConvNet((ConvNet) model, device, stream);
        }
        return new DeviceFeedForward(model, device, stream);
    }

    /**
     * The model this pass runs.
     *
     * @return the CPU model whose layout and loss it shares
     */
    Model model();

    /**
     * Overwrites {@code grad} with the gradient of the mean loss of {@code batch} at {@code params} (both device
     * buffers of {@link Model#parameterCount()} floats) and returns the mean loss; waits for the stream.
     *
     * @param params the parameters
     * @param batch  the samples
     * @param grad   overwritten with the gradient
     * @return the mean loss
     */
    double lossAndGradient(DeviceBuffer params, Batch batch, DeviceBuffer grad);

    /**
     * Adds the summed loss and correct predictions of {@code batch} at {@code params} to {@code tally}: the logits
     * are computed on the device and tallied on the host exactly as the CPU model tallies its own; waits for the
     * stream.
     *
     * @param params the parameters
     * @param batch  the samples
     * @param tally  the running sums to add to
     */
    void evaluateBatch(DeviceBuffer params, Batch batch, Evaluation.Tally tally);

    /** Frees the work buffers and staging after the queued work; idempotent. */
    @Override
    void close();
}
