package io.ringsgd.pipesgd.train;

import io.ringsgd.collectives.Communicator;
import java.util.Map;

/**
 * A data-parallel training algorithm. Every rank of a {@link Communicator} calls {@link #train} with the same
 * configuration; the ranks train on disjoint shards of the data and end with bit-identical parameters. Get one by name
 * from {@link Trainers#create(String)}; new trainers plug in through a {@link TrainerProvider}.
 *
 * <p>Instances hold no state between runs: one instance may serve several runs, one after another or at once on
 * different threads (each rank of a {@code Communicators.runLocal} group may call the same instance).
 */
public interface Trainer {

    /**
     * The registry name ({@code --trainer}), lower case.
     *
     * @return the name, e.g. {@code "pipe"}
     */
    String name();

    /**
     * Rejects configurations this trainer cannot run; called by {@link TrainConfig.Builder#build()} (so a bad setting
     * fails before any work starts) and again by {@link #train}. The default accepts everything.
     *
     * @param cfg a configuration naming this trainer
     * @throws IllegalArgumentException one line naming the flag and what to do
     */
    default void validate(TrainConfig cfg) {
    }

    /**
     * How people name a run of this trainer with {@code cfg}, in progress lines and summaries.
     *
     * @param cfg the configuration of the run
     * @return e.g. {@code "pipe width 2"}; the default is {@link #name()}
     */
    default String label(TrainConfig cfg) {
        return name();
    }

    /**
     * This trainer's settings that a resumed run must share with its checkpoint (name to value, e.g. "local-steps" to
     * "4"): {@link TrainingSession} writes them into every shared checkpoint and refuses to resume one whose values
     * differ. Default: none.
     *
     * @param cfg the configuration of the run
     * @return setting name to value, in a stable order
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
     *
     * @return whether {@code --device cuda} and {@code host-device} may be used with this trainer
     */
    default boolean supportsDevices() {
        return false;
    }

    /**
     * Trains on this rank and returns its result; blocks until the run is over (all epochs, or
     * {@link TrainConfig#maxIterations()}). Call it on every rank of {@code comm}, each from its own thread, with the
     * same configuration: the collectives pair up the ranks' calls, so a rank that does not call leaves the others
     * waiting until the communicator's timeout. Loads the data (once per JVM, see
     * {@link io.ringsgd.pipesgd.data.DataSets}), resumes from a checkpoint when the configuration says so, and writes
     * checkpoints as configured; it writes no metrics files (see {@link io.ringsgd.pipesgd.metrics.MetricsOutputs}).
     * The calling thread computes, and {@code listener} hears progress on it.
     *
     * @param comm     the group to train with; its size must equal {@link TrainConfig#workers()}. The trainer issues
     *                 its collectives on it from the calling thread, so the caller must not use it for anything else
     *                 until this method returns
     * @param cfg      the configuration, the same on every rank
     * @param listener progress events of this rank (never null; {@link TrainingListener#NONE} for none); a listener
     *                 that throws aborts the run (its exception is rethrown here), and the other ranks then fail as
     *                 they do when a peer dies
     * @return this rank's result; its parameters are bit-identical on every rank
     * @throws IllegalArgumentException one line, if the configuration does not fit the communicator (another number of
     *     ranks), the data (more workers than samples, a batch larger than a shard) or this machine (no CUDA device
     *     for {@code --device cuda})
     * @throws io.ringsgd.pipesgd.data.DataFileException if a data file is missing, unreadable or malformed
     * @throws io.ringsgd.pipesgd.checkpoint.CheckpointException if a checkpoint cannot be written, or one to resume
     *     from is corrupt or belongs to another configuration
     * @throws io.ringsgd.collectives.CollectiveException if a collective fails: a peer died or stalled
     *     ({@link io.ringsgd.collectives.PeerFailureException}, naming it) or the ranks disagree
     *     ({@link io.ringsgd.collectives.CollectiveMismatchException}); the communicator is failed afterwards
     */
    TrainResult train(Communicator comm, TrainConfig cfg, TrainingListener listener);
}
