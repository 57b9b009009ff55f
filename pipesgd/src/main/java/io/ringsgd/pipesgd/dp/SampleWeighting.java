package io.ringsgd.pipesgd.dp;

import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * The factor w(‖g‖) by which DP-SGD multiplies a sample's gradient g before summing. Every implementation keeps
 * ‖w(‖g‖)·g‖ at most the clip bound C for every g, which is the sensitivity the noise is calibrated to.
 */
public interface SampleWeighting extends DoubleUnaryOperator {

    /**
     * The factor of a sample whose gradient has norm {@code norm}.
     *
     * @param norm the Euclidean norm of the sample's gradient, at least 0
     * @return the factor, at least 0, with {@code factor(norm) * norm <= clip}
     */
    double factor(double norm);

    /** The name users pass as {@code --dp}: psac, clip or autos. */
    String name();

    @Override
    default double applyAsDouble(double norm) {
        return factor(norm);
    }

    /**
     * The weighting {@code --dp name} with clip bound {@code clip}.
     *
     * @throws IllegalArgumentException (one line) for another name
     */
    static SampleWeighting of(String name, double clip) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case PsacWeighting.NAME:
                return new PsacWeighting(clip, PsacWeighting.DEFAULT_R);
            case ClipWeighting.NAME:
                return new ClipWeighting(clip);
            case AutoSWeighting.NAME:
                return new AutoSWeighting(clip, AutoSWeighting.DEFAULT_GAMMA);
            default:
                throw new IllegalArgumentException("--dp must be psac, clip or autos, got '" + name.trim()
                        + "': pass --dp psac for per-sample adaptive clipping");
        }
    }
}
