package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.PeerFailureException;
import java.util.function.IntUnaryOperator;

/**
 * Finds whom to blame when a wait times out. A rank that waits on a peer that itself waits on another is not the
 * culprit: following the wait-for chain from the awaited peer leads to the rank that waits on nobody (it never
 * reached the collective: still computing, hung or dead), which every survivor then names.
 */
public final class Stalls {
    /** Marks "waits on no peer" in a wait-for table. */
    public static final int NOBODY = -1;

    private Stalls() {
    }

    /**
     * The rank to blame, following {@code waitingOn} from {@code peer}; if the chain closes on itself the ranks
     * deadlock on each other and the first repeated rank is returned.
     */
    public static int culprit(int peer, IntUnaryOperator waitingOn, int size) {
        boolean[] seen = new boolean[size];
        int p = peer;
        while (true) {
            if (seen[p]) {
                return p;
            }
            seen[p] = true;
            int next = waitingOn.applyAsInt(p);
            if (next < 0 || next >= size) {
                return p;
            }
            p = next;
        }
    }

    /** The exception every survivor gets when {@code culprit} stalls. */
    public static PeerFailureException stalled(int culprit, int reporter, int awaited, long waitedMillis,
            Header during, boolean deadlock) {
        StringBuilder sb = new StringBuilder("rank ").append(culprit);
        if (deadlock) {
            sb.append(" and the ranks it waits on are waiting on each other during ").append(during)
                    .append(" (did the ranks call different collectives?)");
        } else {
            sb.append(" stalled: no message from it for ").append(waitedMillis).append(" ms during collective ")
                    .append(during).append(" (seen by rank ").append(reporter);
            if (awaited != culprit) {
                sb.append(", which waited on rank ").append(awaited).append(", itself waiting on rank ")
                        .append(culprit);
            }
            sb.append("). Rank ").append(culprit).append(" has not reached this collective: it is hung, dead or"
                    + " still computing; raise the timeout if it is only slow");
        }
        return new PeerFailureException(culprit, sb.toString());
    }
}
