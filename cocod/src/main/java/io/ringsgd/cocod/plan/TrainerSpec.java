package io.ringsgd.cocod.plan;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.algorithm.AlgorithmTable;
import java.util.Locale;

/**
 * One way to train that {@link IterationModel} can predict: the trainer, its pipeline width K (Pipe-SGD), its local
 * steps τ (CoCoD-SGD), the compression of its AllReduce traffic and the AllReduce algorithm (AUTO: the communicator's
 * table; a compressed AllReduce is always the ring).
 */
public record TrainerSpec(Kind kind, int width, int localSteps, Compression compression, Algorithm algorithm) {

    /** The trainers the model knows. */
    public enum Kind {
        /** Synchronous AllReduce SGD: compute, AllReduce the gradient, update (Pipe-SGD of width 1). */
        SYNC("sync"),
        /** Pipe-SGD of width K ≥ 2: the gradient AllReduce overlaps the next K−1 iterations' compute. */
        PIPE("pipe"),
        /** CoCoD-SGD: one model AllReduce per τ local steps, overlapped with them. */
        COCOD("cocod"),
        /** A reference parameter server: every worker pushes its gradient to one server and pulls the model. */
        PARAMETER_SERVER("ps");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        /** The trainer's name ({@code --trainer}), "ps" for the reference parameter server. */
        public String cliName() {
            return cliName;
        }
    }

    public TrainerSpec {
        if (kind == null) {
            throw new IllegalArgumentException("trainer kind is null: pass SYNC, PIPE, COCOD or PARAMETER_SERVER");
        }
        if (compression == null) {
            throw new IllegalArgumentException("compression is null: pass Compression.NONE, FP16 or INT8");
        }
        if (algorithm == null) {
            throw new IllegalArgumentException("algorithm is null: pass Algorithm.AUTO or one algorithm");
        }
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, got " + width);
        }
        if (localSteps < 1) {
            throw new IllegalArgumentException("local steps must be at least 1, got " + localSteps);
        }
        if (kind == Kind.SYNC && width != 1) {
            throw new IllegalArgumentException("sync is width 1, got width " + width + ": use pipe for K > 1");
        }
        if (kind == Kind.PIPE && width < 2) {
            throw new IllegalArgumentException("pipe needs width >= 2 (width 1 is sync), got " + width);
        }
        if (kind != Kind.PIPE && kind != Kind.SYNC && width != 1) {
            throw new IllegalArgumentException(kind.cliName() + " has no pipeline width, got " + width);
        }
        if (kind != Kind.COCOD && localSteps != 1) {
            throw new IllegalArgumentException(kind.cliName() + " has no local steps, got " + localSteps
                    + ": local steps belong to cocod");
        }
        if (compression != Compression.NONE && algorithm != Algorithm.AUTO && algorithm != Algorithm.RING) {
            throw new IllegalArgumentException("a compressed AllReduce is the ring, got " + algorithm.cliName()
                    + " with " + compression.cliName() + ": pass ring or auto");
        }
        if (kind == Kind.PARAMETER_SERVER && (compression != Compression.NONE || algorithm != Algorithm.AUTO)) {
            throw new IllegalArgumentException("the parameter-server reference has no compression or algorithm");
        }
    }

    /** Synchronous SGD with {@code algorithm} and {@code compression}. */
    public static TrainerSpec sync(Algorithm algorithm, Compression compression) {
        return new TrainerSpec(Kind.SYNC, 1, 1, compression, algorithm);
    }

    /** Pipe-SGD of width {@code k} (k = 1 is {@link #sync}). */
    public static TrainerSpec pipe(int k, Algorithm algorithm, Compression compression) {
        return k == 1 ? sync(algorithm, compression) : new TrainerSpec(Kind.PIPE, k, 1, compression, algorithm);
    }

    /** CoCoD-SGD with {@code tau} local steps per model average. */
    public static TrainerSpec cocod(int tau, Algorithm algorithm, Compression compression) {
        return new TrainerSpec(Kind.COCOD, 1, tau, compression, algorithm);
    }

    /** The reference parameter server. */
    public static TrainerSpec parameterServer() {
        return new TrainerSpec(Kind.PARAMETER_SERVER, 1, 1, Compression.NONE, Algorithm.AUTO);
    }

    /** The AllReduce algorithm that actually runs for {@code bytes} on {@code ranks} ranks. */
    public Algorithm effectiveAlgorithm(int ranks, long bytes) {
        if (compression != Compression.NONE) {
            return Algorithm.RING;
        }
        return algorithm == Algorithm.AUTO ? AlgorithmTable.defaults().select(CollectiveKind.ALLREDUCE, bytes, ranks)
                : algorithm;
    }

    /** "pipe K=2 int8 ring", "cocod tau=4 none auto", "sync none rabenseifner". */
    public String label() {
        StringBuilder sb = new StringBuilder(kind.cliName());
        if (kind == Kind.PIPE) {
            sb.append(" K=").append(width);
        }
        if (kind == Kind.COCOD) {
            sb.append(" tau=").append(localSteps);
        }
        if (kind != Kind.PARAMETER_SERVER) {
            sb.append(' ').append(compression.cliName()).append(' ').append(algorithm.cliName());
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
