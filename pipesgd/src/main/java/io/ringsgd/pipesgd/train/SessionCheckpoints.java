package io.ringsgd.pipesgd.train;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.pipesgd.checkpoint.Checkpoint;
import io.ringsgd.pipesgd.checkpoint.CheckpointException;
import io.ringsgd.pipesgd.checkpoint.CheckpointFormat;
import io.ringsgd.pipesgd.checkpoint.CheckpointStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rank's checkpoints of a training session: the fingerprint every shared checkpoint carries (what a resumed run
 * must share with it), collective saving, and collective restoring with every check a resume needs. Errors are
 * {@link CheckpointException}s that every rank throws alike, with the message of the rank that knows the reason.
 */
final class SessionCheckpoints {
    private static final Logger log = LoggerFactory.getLogger(SessionCheckpoints.class);

    private final Communicator comm;
    private final int rank;
    private final CheckpointConfig cfg;
    private final CheckpointStore store;
    /** Settings a resume must share with its checkpoint. */
    private final Map<String, String> strict;
    /** Settings a resume may change only with {@code --resume-override}: the optimizer's and the epochs. */
    private final Map<String, String> changeable;
    private long lastCheckpoint = -1;

    /**
     * The checkpoints of rank {@code comm.rank()} under {@code cfg} (none if it has no directory), stamped with
     * {@code strict} and {@code changeable}. Removes what interrupted writes of this rank left behind.
     */
    SessionCheckpoints(Communicator comm, CheckpointConfig cfg, Map<String, String> strict,
            Map<String, String> changeable) {
        this.comm = comm;
        this.rank = comm.rank();
        this.cfg = cfg;
        this.strict = new LinkedHashMap<>(strict);
        this.changeable = new LinkedHashMap<>(changeable);
        this.store = cfg.enabled() ? new CheckpointStore(cfg.dir(), rank) : null;
        if (store != null) {
            int removed = store.deleteStaleTemporaries(rank == 0);
            if (removed > 0) {
                log.info("removed {} temporary file(s) of interrupted checkpoint writes from {}", removed, cfg.dir());
            }
        }
    }

    /** The optimizer settings and epochs of {@code c} as fingerprint entries ({@code --lr} and so on). */
    static Map<String, String> changeable(TrainConfig c) {
        OptimizerConfig o = c.optimizer();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("lr", Double.toString(o.lr()));
        m.put("momentum", Double.toString(o.momentum()));
        m.put("nesterov", Boolean.toString(o.nesterov()));
        m.put("weight-decay", Double.toString(o.weightDecay()));
        m.put("schedule", o.schedule().cliName());
        m.put("warmup-epochs", Double.toString(o.warmupEpochs()));
        m.put("step-epochs", Integer.toString(o.stepEpochs()));
        m.put("step-factor", Double.toString(o.stepFactor()));
        m.put("epochs", Integer.toString(c.data().epochs()));
        return m;
    }

    boolean enabled() {
        return store != null;
    }

    /** The shared file of {@code iteration}. */
    Path sharedFile(long iteration) {
        return store.sharedFile(iteration);
    }

    /** A checkpoint of the state after {@code iteration} iterations carrying the fingerprint. */
    Checkpoint newShared(long iteration) {
        Checkpoint c = new Checkpoint(iteration);
        strict.forEach(c::put);
        changeable.forEach(c::put);
        c.put("format", Integer.toString(CheckpointFormat.VERSION));
        return c;
    }

    /**
     * Writes a checkpoint (collective): every rank writes its own state, then, once all have, rank 0 writes the
     * shared state, so the newest shared file always has all its rank files; checkpoints older than the previous one
     * are deleted afterwards. Returns the shared file on rank 0, null elsewhere.
     */
    Path save(Checkpoint shared, Checkpoint rankState) {
        if (store == null) {
            throw new IllegalStateException("no --checkpoint-dir configured");
        }
        long it = rankState.iteration();
        CheckpointException failure = null;
        try {
            store.writeRank(rankState);
        } catch (CheckpointException e) {
            failure = e;
        }
        // Also the barrier: no rank goes on before every rank file is written.
        RankFailures.throwIfAny(comm, failure);
        Path sharedFile = null;
        if (rank == 0) {
            try {
                sharedFile = store.writeShared(shared);
            } catch (CheckpointException e) {
                failure = e;
            }
        }
        RankFailures.throwIfAny(comm, failure);
        if (lastCheckpoint >= 0 && lastCheckpoint < it) {
            store.deleteOlderThan(lastCheckpoint, rank == 0);
        }
        lastCheckpoint = it;
        if (rank == 0) {
            log.debug("checkpoint of iteration {} written to {}", it, sharedFile);
        }
        return sharedFile;
    }

    /**
     * If the configuration asks to resume: finds the newest complete checkpoint (rank 0 decides and broadcasts the
     * shared state, so other ranks need not see its file), checks that it belongs to this configuration and ends
     * within {@code totalIterations}, and returns it with this rank's own; null when not resuming or when the
     * directory holds no checkpoint. Collective; every rank fails alike.
     */
    TrainingSession.Restored restore(long totalIterations) {
        if (!cfg.resume()) {
            return null;
        }
        double[] head = new double[2];
        byte[] bytes = null;
        CheckpointException failure = null;
        if (rank == 0) {
            try {
                long newest = store.newestComplete();
                head[0] = newest;
                if (newest >= 0) {
                    bytes = store.readSharedBytes(newest);
                    Checkpoint c = CheckpointFormat.decode(bytes, store.sharedFile(newest).toString());
                    if (c.iteration() != newest) {
                        throw new CheckpointException(store.sharedFile(newest) + " holds the state after iteration "
                                + c.iteration() + " but its name says " + newest + ": it was renamed or copied;"
                                + " rename it back or delete it to resume from the previous checkpoint");
                    }
                    head[1] = bytes.length;
                }
            } catch (CheckpointException e) {
                failure = e;
            }
        }
        RankFailures.throwIfAny(comm, failure);
        comm.broadcast(head, 0);
        long iteration = (long) head[0];
        if (iteration < 0) {
            if (rank == 0) {
                log.info("--resume: no checkpoint in {}, starting from iteration 0", cfg.dir());
            }
            return null;
        }
        if (rank != 0) {
            bytes = new byte[(int) head[1]];
        }
        comm.broadcast(ElementBuffer.ofBytes(ByteBuffer.wrap(bytes), ElementType.BYTE, 0, bytes.length), 0,
                CollectiveOptions.DEFAULT);
        Path file = store.sharedFile(iteration);
        Checkpoint shared = CheckpointFormat.decode(bytes, file + " (from rank 0)");
        Checkpoint mine = null;
        try {
            mine = store.readRank(iteration);
            if (mine.iteration() != iteration || !Integer.toString(rank).equals(mine.meta("rank"))) {
                throw new CheckpointException(store.rankFile(iteration) + " holds iteration " + mine.iteration()
                        + " of rank " + mine.meta("rank") + ", expected iteration " + iteration + " of rank " + rank
                        + ": delete the checkpoint directory's stray files");
            }
        } catch (CheckpointException e) {
            failure = e;
        }
        RankFailures.throwIfAny(comm, failure);
        checkCompatible(shared, file);
        if (iteration > totalIterations) {
            throw new CheckpointException("checkpoint " + file + " is at iteration " + iteration + ", beyond this"
                    + " run's " + totalIterations + ": raise --epochs or start fresh");
        }
        lastCheckpoint = iteration;
        return new TrainingSession.Restored(shared, mine);
    }

    /** Same on every rank (they all hold rank 0's bytes and the same configuration), so every rank fails alike. */
    private void checkCompatible(Checkpoint c, Path file) {
        for (Map.Entry<String, String> e : strict.entrySet()) {
            String got = c.meta(e.getKey());
            if (!e.getValue().equals(got)) {
                throw new CheckpointException(file + " was written with " + e.getKey() + " " + got + ", this run has "
                        + e.getValue() + ": resume with the same " + e.getKey() + " or use another --checkpoint-dir");
            }
        }
        for (Map.Entry<String, String> e : changeable.entrySet()) {
            String got = c.meta(e.getKey());
            if (got == null || got.equals(e.getValue())) {
                // Checkpoints written before these entries existed carry none: nothing to compare.
                continue;
            }
            if (!cfg.override()) {
                throw new CheckpointException(file + " was written with --" + e.getKey() + " " + got + ", this run has"
                        + " --" + e.getKey() + " " + e.getValue() + ": resume with the same --" + e.getKey()
                        + ", or pass --resume-override to continue with the new value");
            }
            if (rank == 0) {
                log.warn("--resume-override: continuing {} with --{} {} (it was written with {})", file, e.getKey(),
                        e.getValue(), got);
            }
        }
    }
}
