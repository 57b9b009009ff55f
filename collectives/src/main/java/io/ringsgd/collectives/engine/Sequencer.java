package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.trace.Tracer;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Transport;
import java.util.ArrayDeque;

/**
 * Runs a communicator's collectives strictly in ticket order: gives every collective a ticket (its sequence number,
 * identical on all ranks because all ranks issue the same collectives in the same order), runs blocking ones on the
 * calling thread and non-blocking ones on one progress thread, started on first use, and admits calls from one thread
 * at a time (see {@link TransportCommunicator}).
 */
final class Sequencer {
    /** A collective body, given its sequence number. */
    @FunctionalInterface
    interface Body {
        void run(long seq);
    }

    private static final class Op {
        final Body body;
        final FutureRequest request = new FutureRequest();
        long ticket;
        int caller;

        /** Sequence numbers the collective uses (seq .. seq + width − 1): 2 for the two passes of allreduceLoc. */
        final int width;

        Op(Body body, int width) {
            this.body = body;
            this.width = width;
        }
    }

    private final Transport transport;
    private final CollectiveContext ctx;
    private final Tracer tracer;
    private final int rank;
    private final int[][] traceNames = new int[CollectiveKind.values().length][Algorithm.values().length];

    private final Object turn = new Object();
    private long nextTicket;
    private long serving;
    private final ArrayDeque<Op> queue = new ArrayDeque<>();
    private Thread engine;
    private boolean closed;
    /** The thread that issued the latest collective, what it was, and how many times the issuing thread changed. */
    private Thread issuer;
    private String issued;
    private int callerChanges;

    /**
     * The request of the background collective running now, or null while a blocking one runs (whose caller waits by
     * definition) or none does.
     */
    private volatile FutureRequest running;

    Sequencer(Transport transport, CollectiveContext ctx, Tracer tracer) {
        this.transport = transport;
        this.ctx = ctx;
        this.tracer = tracer;
        this.rank = transport.rank();
        for (int[] row : traceNames) {
            java.util.Arrays.fill(row, -1);
        }
    }

    /** Runs {@code body} now (blocking: returns null) or queues it on the progress thread (returns its request). */
    Request dispatch(boolean later, String what, Body body) {
        return dispatch(later, what, 1, body);
    }

    /**
     * As above for a collective made of {@code width} steps, each with a sequence number of its own (seq .. seq +
     * width − 1), so that a rank running ahead into the next step is told apart from a disagreement.
     */
    Request dispatch(boolean later, String what, int width, Body body) {
        if (later) {
            return runLater(what, width, body);
        }
        runBlocking(what, width, body);
        return null;
    }

    void runBlocking(String what, Body body) {
        runBlocking(what, 1, body);
    }

    private void runBlocking(String what, int width, Body body) {
        long ticket;
        int caller;
        boolean interrupted = false;
        synchronized (turn) {
            caller = issue(what);
            ticket = nextTicket;
            nextTicket += width;
            while (serving != ticket) {
                try {
                    turn.wait();
                } catch (InterruptedException e) {
                    // The ticket must still be served or every later collective would mismatch.
                    interrupted = true;
                }
            }
        }
        try {
            execute(ticket, caller, body);
        } finally {
            advance(width);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    Request runLater(String what, Body body) {
        return runLater(what, 1, body);
    }

    private Request runLater(String what, int width, Body body) {
        Op op = new Op(body, width);
        synchronized (turn) {
            op.caller = issue(what);
            op.ticket = nextTicket;
            nextTicket += width;
            queue.addLast(op);
            if (engine == null) {
                engine = new Thread(this::engineLoop, "ringsgd-progress-" + transport.name() + "-r" + rank);
                engine.setDaemon(true);
                engine.setPriority(Thread.MAX_PRIORITY);
                engine.start();
            }
            turn.notifyAll();
        }
        return op.request;
    }

    /**
     * Admits a call from the current thread (holding {@link #turn}) and returns how many times the calling thread has
     * changed. A thread may take over the communicator only when every collective the previous one issued has
     * completed; otherwise two threads are calling at the same time, which nothing could order the same way on every
     * rank, and the communicator fails on every rank.
     */
    private int issue(String what) {
        checkOpen();
        Thread me = Thread.currentThread();
        if (issuer != me) {
            if (serving != nextTicket) {
                String msg = "rank " + rank + ": thread '" + me.getName() + "' called " + what + " while collective #"
                        + (nextTicket - 1) + " (" + issued + ") that thread '" + issuer.getName() + "' called has not"
                        + " completed: two threads called collectives on one communicator at the same time, which"
                        + " would pair their calls differently on different ranks. A communicator takes collectives"
                        + " from one thread at a time: make the threads take turns (each waiting for the other's"
                        + " collectives to complete, at the same collectives on every rank), or give each its own"
                        + " group of communicators";
                // Fail every rank before this call returns, so that no rank completes the collective in flight.
                transport.abort(new CollectiveException(msg));
                throw new IllegalStateException(msg);
            }
            if (issuer != null) {
                callerChanges++;
            }
            issuer = me;
        }
        issued = what;
        return callerChanges;
    }

    /** True while a thread waits for the collective being run: the transport's spin policy. */
    boolean urgent() {
        FutureRequest r = running;
        return r == null || r.awaited();
    }

    private void engineLoop() {
        while (true) {
            Op op;
            synchronized (turn) {
                while (queue.isEmpty() && !closed) {
                    waitOn(turn);
                }
                if (queue.isEmpty()) {
                    return;
                }
                op = queue.pollFirst();
                while (serving != op.ticket) {
                    waitOn(turn);
                }
            }
            running = op.request;
            try {
                execute(op.ticket, op.caller, op.body);
                op.request.complete();
            } catch (Throwable e) {
                op.request.fail(e);
            } finally {
                running = null;
                advance(op.width);
            }
        }
    }

    private static void waitOn(Object lock) {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void advance(int width) {
        synchronized (turn) {
            serving += width;
            turn.notifyAll();
        }
    }

    private void execute(long seq, int caller, Body body) {
        CollectiveException failed = transport.failure();
        if (failed != null) {
            throw failed;
        }
        long t0 = tracer.on() ? System.nanoTime() : 0;
        try {
            ctx.header().caller(caller);
            body.run(seq);
            if (t0 != 0) {
                Header h = ctx.header();
                tracer.span(rank, traceName(h.kind(), h.algorithm()), t0, System.nanoTime(), seq,
                        h.count() * h.type().bytes());
            }
        } catch (CollectiveException e) {
            transport.abort(e);
            throw e;
        } catch (RuntimeException | Error e) {
            CollectiveException ce = new CollectiveException("rank " + rank + " failed inside collective #" + seq
                    + " (" + ctx.header().describe() + "): " + e, e);
            transport.abort(ce);
            throw ce;
        }
    }

    /** The span name of a collective of {@code kind} run by {@code a}, registered on first use. */
    private int traceName(CollectiveKind kind, Algorithm a) {
        int id = traceNames[kind.ordinal()][a.ordinal()];
        if (id < 0) {
            id = tracer.name(kind.label() + " " + a.cliName(), "seq", "bytes");
            traceNames[kind.ordinal()][a.ordinal()] = id;
        }
        return id;
    }

    private void checkOpen() {
        if (closed) {
            throw new CollectiveException("rank " + rank + "'s communicator is closed");
        }
    }

    /**
     * Stops taking collectives and waits for the progress thread to finish the queued ones; false if it was closed
     * already.
     */
    boolean close() {
        Thread t;
        synchronized (turn) {
            if (closed) {
                return false;
            }
            closed = true;
            t = engine;
            turn.notifyAll();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return true;
    }
}
