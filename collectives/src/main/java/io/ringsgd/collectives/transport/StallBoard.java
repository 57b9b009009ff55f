package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.PeerFailureException;
import java.util.Arrays;

/**
 * What a rank knows, from stall reports, about who waits on whom: the wait-for table of the ranks of a transport
 * that cannot see its peers' state directly (TCP, MPJ Express). A rank whose wait times out reports whom it waits on;
 * a rank that hears a report while itself waiting answers with its own at once, so every live rank's report is known
 * within a round trip and all survivors follow the same chain to the same culprit: the rank that reported nothing
 * (dead, hung, or still computing). Thread-safe.
 */
public final class StallBoard {
    private final int rank;
    private final int[] waitsOn;
    private final long[] seqs;
    private long reportedSeq = Long.MIN_VALUE;
    private int waitingPeer = Stalls.NOBODY;
    private long waitingSeq;

    public StallBoard(int rank, int size) {
        this.rank = rank;
        this.waitsOn = new int[size];
        this.seqs = new long[size];
        Arrays.fill(waitsOn, Stalls.NOBODY);
    }

    /** Records a peer's report. */
    public synchronized void heard(int waiter, int waitedOn, long seq) {
        if (waiter >= 0 && waiter < waitsOn.length && waiter != rank) {
            waitsOn[waiter] = waitedOn;
            seqs[waiter] = seq;
        }
    }

    /** This rank now waits on {@code peer} during collective {@code seq} (call when a wait begins). */
    public synchronized void waiting(int peer, long seq) {
        waitingPeer = peer;
        waitingSeq = seq;
    }

    /** The wait ended. */
    public synchronized void done() {
        waitingPeer = Stalls.NOBODY;
        waitsOn[rank] = Stalls.NOBODY;
    }

    /**
     * True when this rank must broadcast its own report now: it is waiting and has not reported this wait yet, and
     * either its wait timed out ({@code timedOut}) or somebody else has reported (answering at once lets everyone
     * see the whole chain). Marks the report as sent; {@link #ownWaitsOn()} and {@link #ownSeq()} give its content.
     */
    public synchronized boolean shouldReport(boolean timedOut) {
        if (waitingPeer == Stalls.NOBODY || reportedSeq == waitingSeq) {
            return false;
        }
        boolean othersReported = false;
        for (int r = 0; r < waitsOn.length; r++) {
            othersReported |= r != rank && waitsOn[r] != Stalls.NOBODY;
        }
        if (!timedOut && !othersReported) {
            return false;
        }
        reportedSeq = waitingSeq;
        waitsOn[rank] = waitingPeer;
        seqs[rank] = waitingSeq;
        return true;
    }

    public synchronized int ownWaitsOn() {
        return waitingPeer;
    }

    public synchronized long ownSeq() {
        return waitingSeq;
    }

    /**
     * The other ranks, in the order to contact them when some may be dead: ranks that reported (alive), then the
     * rest by distance from this rank, and last the rank this one waits on (the first suspect).
     */
    public synchronized int[] contactOrder() {
        int n = waitsOn.length;
        int[] order = new int[n - 1];
        int k = 0;
        for (int d = 1; d < n; d++) {
            int r = (rank + d) % n;
            if (waitsOn[r] != Stalls.NOBODY && r != waitingPeer) {
                order[k++] = r;
            }
        }
        for (int d = 1; d < n; d++) {
            int r = (rank + d) % n;
            if (waitsOn[r] == Stalls.NOBODY && r != waitingPeer) {
                order[k++] = r;
            }
        }
        if (waitingPeer != Stalls.NOBODY && waitingPeer != rank) {
            order[k++] = waitingPeer;
        }
        return java.util.Arrays.copyOf(order, k);
    }

    /**
     * True when the wait-for chain from {@code peer} ends at {@code peer} itself: it has not reported. It may be dead,
     * or alive with its report still on the way; the caller should give it one more grace period before naming it
     * (an alive peer times out too and reports or aborts naming the real culprit).
     */
    public synchronized boolean suspectsOnly(int peer) {
        return Stalls.culprit(peer, r -> r == rank ? peer : waitsOn[r], waitsOn.length) == peer;
    }

    /** The failure to report after a timed-out wait on {@code peer}: the end of the wait-for chain is named. */
    public synchronized PeerFailureException verdict(int peer, Header during, long waitedMillis) {
        int culprit = Stalls.culprit(peer, r -> r == rank ? peer : waitsOn[r], waitsOn.length);
        boolean deadlock = culprit == rank || waitsOn[culprit] != Stalls.NOBODY;
        return Stalls.stalled(culprit, rank, peer, waitedMillis, during, deadlock);
    }
}
