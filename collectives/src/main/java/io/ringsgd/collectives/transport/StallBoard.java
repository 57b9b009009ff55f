package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveMismatchException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What a rank knows, from stall reports, about who waits on whom: the wait-for table of the ranks of a transport
 * that cannot see its peers' state directly (TCP, MPJ Express). A rank whose wait times out reports whom it waits on
 * and in which collective; a rank that hears a report while itself waiting answers with its own at once, so every live
 * rank's report is known within a round trip and all survivors follow the same chain to the same culprit: the rank
 * that reported nothing (dead, hung, or still computing). Reports of ranks waiting in different collectives under one
 * sequence number show a disagreement instead, which no message revealed because the ranks only wait to receive from
 * each other. Thread-safe.
 */
public final class StallBoard {
    /** Bytes of a report ({@link #writeReport}): int waiter, int waitedOn, long seq, the 32-byte header. */
    public static final int REPORT_BYTES = 16 + Header.WIRE_BYTES;

    private final int rank;
    private final int[] waitsOn;
    private final long[] seqs;
    /** The header each rank reported waiting in, or null if its report had none. */
    private final Header[] headers;
    private final boolean[] hasHeader;
    private long reportedSeq = Long.MIN_VALUE;
    private int waitingPeer = Stalls.NOBODY;
    private long waitingSeq;
    /** The header of the collective this rank waits in (the caller's; it does not change during the wait). */
    private Header waitingHeader = new Header();

    /** The board of {@code rank} in a group of {@code size}, with nobody waiting. */
    public StallBoard(int rank, int size) {
        this.rank = rank;
        this.waitsOn = new int[size];
        this.seqs = new long[size];
        this.headers = new Header[size];
        this.hasHeader = new boolean[size];
        for (int r = 0; r < size; r++) {
            headers[r] = new Header();
        }
        Arrays.fill(waitsOn, Stalls.NOBODY);
    }

    /**
     * Records a peer's report; {@code header} (may be null) holds the header of its wait at index {@code at}. A header
     * that does not parse is ignored.
     */
    public synchronized void heard(int waiter, int waitedOn, long seq, ByteBuffer header, int at) {
        if (waiter >= 0 && waiter < waitsOn.length && waiter != rank) {
            waitsOn[waiter] = waitedOn;
            seqs[waiter] = seq;
            hasHeader[waiter] = header != null && headers[waiter].read(header, at) != null;
        }
    }

    /**
     * This rank now waits on {@code peer} during the collective {@code during} (call when a wait begins; the header
     * must not change until {@link #done}).
     */
    public synchronized void waiting(int peer, Header during) {
        waitingPeer = peer;
        waitingSeq = during.seq();
        waitingHeader = during;
    }

    /** The wait ended. */
    public synchronized void done() {
        waitingPeer = Stalls.NOBODY;
        waitsOn[rank] = Stalls.NOBODY;
    }

    /**
     * True when this rank must broadcast its own report now: it is waiting and has not reported this wait yet, and
     * either its wait timed out ({@code timedOut}) or somebody else has reported (answering at once lets everyone
     * see the whole chain). Marks the report as sent; {@link #writeReport} writes its content.
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

    /** Writes this rank's report ({@link #REPORT_BYTES} little-endian bytes) at {@code out}'s position. */
    public synchronized void writeReport(ByteBuffer out) {
        out.order(ByteOrder.LITTLE_ENDIAN).putInt(rank).putInt(waitingPeer).putLong(waitingSeq);
        waitingHeader.write(out);
    }

    /**
     * True when the wait-for chain from {@code peer} ends at {@code peer} itself: it has not reported. It may be dead,
     * or alive with its report still on the way; the caller should give it one more grace period before naming it
     * (an alive peer times out too and reports or aborts naming the real culprit).
     */
    public synchronized boolean suspectsOnly(int peer) {
        return Stalls.culprit(peer, r -> r == rank ? peer : waitsOn[r], waitsOn.length) == peer;
    }

    /**
     * The failure to report after a timed-out wait on {@code peer}: a {@link CollectiveMismatchException} if a rank
     * reported waiting in another collective under the same sequence number as this rank, else a
     * {@link io.ringsgd.collectives.PeerFailureException} naming the end of the wait-for chain.
     */
    public synchronized CollectiveException verdict(int peer, Header during, long waitedMillis) {
        for (int r = 0; r < waitsOn.length; r++) {
            if (r != rank && waitsOn[r] != Stalls.NOBODY && hasHeader[r] && headers[r].seq() == during.seq()
                    && !headers[r].sameCollective(during)) {
                return new CollectiveMismatchException(r, Header.mismatch(headers[r], r, during, rank)
                        + " (found when the ranks, waiting on each other, exchanged stall reports)");
            }
        }
        int culprit = Stalls.culprit(peer, r -> r == rank ? peer : waitsOn[r], waitsOn.length);
        boolean deadlock = culprit == rank || waitsOn[culprit] != Stalls.NOBODY;
        return Stalls.stalled(culprit, rank, peer, waitedMillis, during, deadlock);
    }
}
