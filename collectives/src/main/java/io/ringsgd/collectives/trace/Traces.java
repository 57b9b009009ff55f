package io.ringsgd.collectives.trace;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Collective steps of a traced job: lining the ranks' timelines up at a common origin, and gathering every rank's
 * spans into one Chrome trace-event file at rank 0 (which Perfetto and {@code chrome://tracing} open as one timeline
 * with a row per rank and thread).
 */
public final class Traces {
    private Traces() {
    }

    /** Every rank: a barrier, then time zero of the timeline, so that the ranks' spans line up to a barrier's skew. */
    public static void start(Communicator comm, Tracer tracer) {
        comm.barrier();
        tracer.origin(System.nanoTime());
    }

    /**
     * Every rank: sends its spans to rank 0, which writes them all to {@code file} (atomically: a temporary file, then
     * a rename). Ranks that share a process (threads of one JVM) share its tracer: only the lowest of them sends it.
     */
    public static void gatherAndWrite(Communicator comm, Tracer tracer, Path file, String label) throws IOException {
        int p = comm.size();
        int me = comm.rank();
        double[] pids = new double[p];
        pids[me] = ProcessHandle.current().pid();
        comm.allreduce(pids, ReduceOp.SUM);
        boolean sends = true;
        for (int r = 0; r < me; r++) {
            sends &= pids[r] != pids[me];
        }
        byte[] mine = sends ? tracer.toJsonEvents(label) : new byte[0];
        double[] lengths = new double[p];
        lengths[me] = mine.length;
        comm.allreduce(lengths, ReduceOp.SUM);
        OutputStream out = null;
        Path tmp = null;
        try {
            if (me == 0) {
                Path dir = file.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
                out = Files.newOutputStream(tmp);
                out.write("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[".getBytes(StandardCharsets.UTF_8));
            }
            boolean first = true;
            for (int r = 0; r < p; r++) {
                int n = (int) lengths[r];
                if (n == 0) {
                    continue;
                }
                byte[] bytes = r == me ? mine : new byte[n];
                comm.broadcast(ElementBuffer.ofBytes(ByteBuffer.wrap(bytes), ElementType.BYTE, 0, n), r,
                        CollectiveOptions.DEFAULT);
                if (out != null) {
                    if (!first) {
                        out.write(',');
                    }
                    out.write(bytes);
                    first = false;
                }
            }
            if (out != null) {
                out.write("]}\n".getBytes(StandardCharsets.UTF_8));
                out.close();
                out = null;
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            }
        } finally {
            if (out != null) {
                out.close();
            }
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
