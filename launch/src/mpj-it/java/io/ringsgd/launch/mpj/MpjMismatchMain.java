package io.ringsgd.launch.mpj;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.ReduceOp;
import java.time.Duration;

/**
 * One rank of an MPJ Express job whose ranks disagree on their first collective ({@link MpjIT}): with argument
 * {@code kind}, rank 2 calls a broadcast while the others call an allreduce; with {@code algorithm}, rank 2 forces the
 * ring while the others force recursive doubling. Prints {@code RESULT rank R <outcome>} and exits.
 */
public final class MpjMismatchMain {
    private MpjMismatchMain() {
    }

    public static void main(String[] args) {
        String[] rest = MpjRuntime.init(args);
        String what = rest.length > 0 ? rest[0] : "kind";
        // Far longer than the test waits: a stall would fail it, only a mismatch found at once passes.
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(600)).build();
        Communicator c = MpjRuntime.communicator(cfg);
        String outcome;
        try {
            float[] v = new float[4099];
            if (what.equals("kind")) {
                if (c.rank() == 2) {
                    c.broadcast(v, 0);
                } else {
                    c.allreduce(v, ReduceOp.SUM);
                }
            } else {
                Algorithm a = c.rank() == 2 ? Algorithm.RING : Algorithm.RECURSIVE_DOUBLING;
                c.allreduce(v, 0, v.length, ReduceOp.SUM, CollectiveOptions.algorithm(a));
            }
            outcome = "completed";
        } catch (RuntimeException e) {
            outcome = e.getClass().getSimpleName() + " " + e.getMessage();
        }
        System.out.println("RESULT rank " + c.rank() + " " + outcome);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
