package io.ringsgd.plan;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.algorithm.AlgorithmTable;
import java.util.Locale;

/**
 * One way to train that {@link IterationModel} can predict: the trainer (by name, its {@link TrainerCostModel} decides
 * what the rest means), the two settings the plan's table shows, the compression of the AllReduce traffic and the
 * AllReduce algorithm (AUTO: the communicator's table; a compressed AllReduce is always the ring).
 *
 * @param trainer     the trainer's name ({@code --trainer})
 * @param width       its pipeline width K, the trainer's {@code --width} (Pipe-SGD; 1 for sync), or 0 if it has none
 * @param localSteps  its local steps τ between model averages, the trainer's {@code --local-steps} (CoCoD-SGD), or 0
 *                    if it has none
 * @param compression compression of the AllReduce traffic
 * @param algorithm   the AllReduce algorithm asked for
 */
public record TrainerSpec(String trainer, int width, int localSteps, Compression compression, Algorithm algorithm) {

    public TrainerSpec {
        if (trainer == null || trainer.isBlank()) {
            throw new IllegalArgumentException("trainer is empty: pass its --trainer name, e.g. sync");
        }
        trainer = trainer.trim().toLowerCase(Locale.ROOT);
        if (compression == null) {
            throw new IllegalArgumentException("compression is null: pass Compression.NONE or a lossy one");
        }
        if (algorithm == null) {
            throw new IllegalArgumentException("algorithm is null: pass Algorithm.AUTO or one algorithm");
        }
        if (width < 0) {
            throw new IllegalArgumentException("width must be at least 1 (0: the trainer has none), got " + width);
        }
        if (localSteps < 0) {
            throw new IllegalArgumentException("local steps must be at least 1 (0: the trainer has none), got "
                    + localSteps);
        }
        if (compression != Compression.NONE && algorithm != Algorithm.AUTO && algorithm != Algorithm.RING) {
            throw new IllegalArgumentException("a compressed AllReduce is the ring, got " + algorithm.cliName()
                    + " with " + compression.cliName() + ": pass ring or auto");
        }
    }

    /** The AllReduce algorithm that actually runs for {@code bytes} on {@code ranks} ranks. */
    public Algorithm effectiveAlgorithm(int ranks, long bytes) {
        if (compression != Compression.NONE) {
            return Algorithm.RING;
        }
        return algorithm == Algorithm.AUTO ? AlgorithmTable.defaults().select(CollectiveKind.ALLREDUCE, bytes, ranks)
                : algorithm;
    }

    /** How stale the trainer's models or gradients get: its width or its local steps, whichever it has. */
    public int staleness() {
        return Math.max(width, localSteps);
    }

    /** "pipe K=2 int8 ring", "cocod tau=4 none auto", "sync none rabenseifner"; a reference shows its name only. */
    public String label() {
        StringBuilder sb = new StringBuilder(trainer);
        if (width > 1) {
            sb.append(" K=").append(width);
        }
        if (localSteps > 0) {
            sb.append(" tau=").append(localSteps);
        }
        if (!TrainerCostModels.of(trainer).reference()) {
            sb.append(' ').append(compression.cliName()).append(' ').append(algorithm.cliName());
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
