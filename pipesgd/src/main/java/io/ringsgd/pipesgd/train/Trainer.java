package io.ringsgd.pipesgd.train;

import io.ringsgd.collectives.Communicator;
import java.util.Map;

/**
 * A data-parallel training algorithm. Every rank of {@code comm} calls {@link #train} with the same configuration;
 * ranks train on disjoint shards and end with bit-identical parameters. Instances are stateless and may be shared.
 */
public interface Trainer {

    /** The registry name ({@code --trainer}). */
    String name();

    /**
     * Rejects configurations this trainer cannot run, with a one-line {@link IllegalArgumentException}; called by
     * {@link TrainConfig.Builder#build()}.
     */
    default void validate(TrainConfig cfg) {
    }

    /** How people name a run of this trainer with {@code cfg}, in progress lines and summaries: "pipe width 2". */
    default String label(TrainConfig cfg) {
        return name();
    }

    /**
     * This trainer's settings that a resumed run must share with its checkpoint (name to value, e.g. "local-steps" to
     * "4"): {@link TrainingSession} writes them into every shared checkpoint and refuses to resume one whose values
     * differ. Default: none.
     */
    default Map<String, String> resumeSettings(TrainConfig cfg) {
        return Map.of();
    }

    /**
     * How many shards of the training data a job of {@code ranks} ranks trains on: one per rank that computes
     * gradients. Default: every rank computes. A parameter server's server rank does not.
     */
    default int shards(int ranks) {
        return ranks;
    }

    /** The shard {@code rank} of {@code ranks} trains on (0 … {@link #shards}−1), or −1 if it computes none. */
    default int shardOf(int rank, int ranks) {
        return rank;
    }

    /**
     * True if this trainer computes through the session's {@code ComputeBackend} (its parameters, gradients and
     * vector arithmetic go through {@code TrainingSession.backend()}), so that it can run with {@code --device cuda}
     * or {@code host-device}. Trainers that work on {@code TrainingSession.params()} directly stay on the CPU, which
     * is the default; {@code --device auto} then resolves to the CPU.
     */
    default boolean supportsDevices() {
        return false;
    }

    /**
     * Trains on this rank; blocks until done. {@code listener} (never null; use {@link TrainingListener#NONE})
     * hears progress on the calling thread. Throws if a peer fails (the collectives' exceptions) or the
     * configuration does not fit the data or the communicator.
     */
    TrainResult train(Communicator comm, TrainConfig cfg, TrainingListener listener);
}
