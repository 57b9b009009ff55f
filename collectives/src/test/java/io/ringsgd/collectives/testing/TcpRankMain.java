package io.ringsgd.collectives.testing;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.PeerFailureException;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.tcp.TcpCommunicators;

/**
 * One TCP rank in its own JVM (spawned by TcpProcessTest): checks every algorithm against the serial reference and
 * prints "OK", or with {@code die=R} rank R halts abruptly (no goodbye, like kill -9) before the third round and the
 * survivors print "FAILED blamed=<rank> <message>". With {@code forever=true} the ranks run 4 MiB AllReduces until one
 * fails (a test kills a rank from outside).
 */
public final class TcpRankMain {
    private TcpRankMain() {
    }

    public static void main(String[] args) {
        int die = Integer.getInteger("die", -1);
        try (Communicator c = TcpCommunicators.fromEnvironment()) {
            int p = c.size();
            if (Boolean.getBoolean("forever")) {
                // until a peer fails: 4 MiB AllReduces (each rank's ring is 1 MiB, so they stream through it)
                float[] v = new float[1 << 20];
                for (long i = 0; ; i++) {
                    c.allreduce(v, ReduceOp.SUM);
                    if (i == 0) {
                        System.out.println("LOOPING rank " + c.rank());
                        System.out.flush();
                    }
                }
            }
            for (int round = 0; round < 4; round++) {
                if (round == 2 && c.rank() == die) {
                    Runtime.getRuntime().halt(137);
                }
                for (Algorithm a : new Algorithm[] {Algorithm.RING, Algorithm.RECURSIVE_DOUBLING,
                    Algorithm.RABENSEIFNER, Algorithm.TREE}) {
                    for (int n : new int[] {1, p + 1, 100_003}) {
                        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MIN, ReduceOp.AVG}) {
                            float[] v = Inputs.floats(op, c.rank(), n);
                            c.allreduce(v, 0, n, op, CollectiveOptions.algorithm(a));
                            int bad = Inputs.firstMismatch(v, op, p);
                            if (bad >= 0) {
                                System.out.println("WRONG " + a + " " + op + " n=" + n + " element " + bad);
                                System.exit(2);
                            }
                        }
                    }
                }
            }
            System.out.println("OK rank " + c.rank());
        } catch (PeerFailureException e) {
            System.out.println("FAILED blamed=" + e.rank() + " " + e.getMessage());
            System.exit(3);
        } catch (CollectiveException e) {
            System.out.println("FAILED " + e);
            System.exit(4);
        }
    }
}
