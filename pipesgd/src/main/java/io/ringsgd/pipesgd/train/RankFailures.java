package io.ringsgd.pipesgd.train;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.pipesgd.checkpoint.CheckpointException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Makes the ranks of a job fail alike where one rank's files can fail (a checkpoint it cannot read or write): every
 * rank learns the real reason and throws it, so that whichever rank's error reaches the user (rank 0's, with threads
 * of one JVM) names the file and what to do, instead of "another rank failed".
 */
final class RankFailures {
    private RankFailures() {
    }

    /**
     * Collective: returns if no rank failed; otherwise every rank throws, {@code mine} where it is set, elsewhere a
     * {@link CheckpointException} carrying the lowest failing rank's message, prefixed with that rank (one AllReduce,
     * plus two broadcasts when some rank failed).
     */
    static void throwIfAny(Communicator comm, CheckpointException mine) {
        double[] lowest = {mine != null ? comm.rank() : comm.size()};
        comm.allreduce(lowest, ReduceOp.MIN);
        int root = (int) lowest[0];
        if (root == comm.size()) {
            return;
        }
        byte[] text = root == comm.rank() ? String.valueOf(mine.getMessage()).getBytes(StandardCharsets.UTF_8)
                : null;
        double[] length = {text != null ? text.length : 0};
        comm.broadcast(length, root);
        if (text == null) {
            text = new byte[(int) length[0]];
        }
        comm.broadcast(ElementBuffer.ofBytes(ByteBuffer.wrap(text), ElementType.BYTE, 0, text.length), root,
                CollectiveOptions.DEFAULT);
        if (mine != null) {
            throw mine;
        }
        throw new CheckpointException("rank " + root + ": " + new String(text, StandardCharsets.UTF_8));
    }
}
