package io.ringsgd.plan;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import java.util.List;

/**
 * A trainer's iteration-time model: the service through which each trainer module adds its cost to planning without
 * touching another trainer. Implementations are found with {@link java.util.ServiceLoader} (a line with the class name
 * in {@code META-INF/services/io.ringsgd.plan.TrainerCostModel}) or registered with
 * {@link TrainerCostModels#register}; the {@link IterationModel} offers the building blocks (the AllReduce of the
 * trainer's vector, a synchronous step, an AllReduce overlapped with local work).
 */
public interface TrainerCostModel {

    /** The trainer's name ({@code --trainer}), which {@link TrainerSpec#trainer()} carries. */
    String trainer();

    /**
     * The configurations {@code ringsgd plan} compares for this trainer with {@code compression} and {@code algorithm}
     * (a compressed AllReduce is the ring); empty if the trainer has no configuration with them.
     */
    List<TrainerSpec> candidates(Compression compression, Algorithm algorithm);

    /**
     * The configuration with the trainer's own setting {@code setting} (its width K, its τ; null: its default), as
     * the experiment's arms name them ({@code pipe2}, {@code cocod4}).
     *
     * @throws IllegalArgumentException (one line) if the trainer takes no such setting or the value is out of range
     */
    TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm);

    /** Rejects a configuration the trainer cannot run, with a one-line {@link IllegalArgumentException}. */
    default void check(TrainerSpec spec) {
    }

    /** The predicted steady-state iteration of {@code spec} (already {@linkplain #check checked}) under {@code model}. */
    Prediction predict(IterationModel model, TrainerSpec spec);

    /**
     * How far the trainer departs from synchronous SGD, for the planner's tie-break among near-equal predictions
     * (lower is more cautious: sync 0, Pipe-SGD 1, CoCoD-SGD 2). Staleness, compression and algorithm come after it.
     */
    int caution();

    /** True for the trainer every speedup is measured against (synchronous SGD); exactly one has it. */
    default boolean baseline() {
        return false;
    }

    /**
     * True for a reference point that is not a trainer one can run (the parameter server): it has no compression or
     * AllReduce algorithm of its own and is never recommended.
     */
    default boolean reference() {
        return false;
    }
}
