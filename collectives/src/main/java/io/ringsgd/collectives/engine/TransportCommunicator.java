package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.UserReduction;
import io.ringsgd.collectives.trace.Tracer;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Communicator} over any {@link Transport}: validates arguments and resolves the algorithm (AUTO through the
 * selection table, then checked against the {@link io.ringsgd.collectives.algorithm.AlgorithmRegistry} for this
 * transport) on the calling thread, before anything is sent; gives every collective a ticket (its sequence number,
 * identical on all ranks because all ranks issue the same collectives in the same order); and runs collectives
 * strictly in ticket order: blocking ones on the calling thread, non-blocking ones on one progress thread per
 * communicator, started on first use.
 *
 * <p>Collectives are taken from one thread at a time. A call made while a collective issued by another thread is
 * still running throws {@link IllegalStateException} and fails the communicator on every rank; the number of times
 * the calling thread changed travels in every message header, so ranks whose threads took turns at different
 * collectives fail with a {@link io.ringsgd.collectives.CollectiveMismatchException} instead of pairing up different
 * threads' calls.
 *
 * <p>A facade: each family of collectives lives in a package-private class of its own ({@code Reductions},
 * {@code Distributions}, {@code VForms}, {@code LocReductions}, {@code UserReductions}, {@code Contexts}), over the
 * shared {@code Core} (argument checks, algorithm choice, the {@code Sequencer}).
 */
public final class TransportCommunicator implements Communicator {
    private static final Logger log = LoggerFactory.getLogger(TransportCommunicator.class);

    /**
     * {@code -Dringsgd.spin.background=true} lets a collective that runs in the background (a request nobody awaits
     * yet) busy-wait as a blocking one does: the behaviour before background collectives stopped spinning, kept to
     * compare the two ({@code --trace}); it takes the CPU from the computing thread when cores are scarce.
     */
    private static final boolean SPIN_IN_BACKGROUND = Boolean.getBoolean("ringsgd.spin.background");

    private final Core core;
    private final Reductions reductions;
    private final Distributions distributions;
    private final VForms vforms;
    private final LocReductions loc;
    private final UserReductions user;
    private final Contexts contexts;

    /** A communicator over {@code transport} (wrap it first if the configuration emulates a link). */
    public TransportCommunicator(Transport transport, CommunicatorConfig config) {
        this.core = new Core(transport, config);
        this.reductions = new Reductions(core);
        this.distributions = new Distributions(core);
        this.vforms = new VForms(core);
        this.loc = new LocReductions(core);
        this.user = new UserReductions(core);
        this.contexts = new Contexts(core);
        if (!SPIN_IN_BACKGROUND) {
            transport.spinOnlyWhen(core.seq::urgent);
        }
    }

    @Override
    public int rank() {
        return core.rank;
    }

    @Override
    public int size() {
        return core.size;
    }

    @Override
    public String transportName() {
        return core.transport.name();
    }

    @Override
    public Algorithm allreduceAlgorithm(long bytes, CollectiveOptions options) {
        return options.compression() != Compression.NONE ? Algorithm.RING
                : core.resolve(CollectiveKind.ALLREDUCE, options.algorithm(), bytes);
    }

    @Override
    public long bytesSent() {
        return core.transport.bytesSent();
    }

    /** The transport underneath (benchmarks, diagnostics, custom collectives' tests). */
    public Transport transport() {
        return core.transport;
    }

    /** The configuration this communicator was made with. */
    public CommunicatorConfig config() {
        return core.config;
    }

    // ------------------------------------------------------------------------------------------- reductions

    @Override
    public void allreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        reductions.allreduce(false, send, recv, op, options);
    }

    @Override
    public Request iallreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        return reductions.allreduce(true, send, recv, op, options);
    }

    @Override
    public void reduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root, CollectiveOptions options) {
        reductions.reduce(false, send, recv, op, root, options);
    }

    @Override
    public Request ireduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root, CollectiveOptions options) {
        return reductions.reduce(true, send, recv, op, root, options);
    }

    @Override
    public void reduceScatter(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        reductions.reduceScatter(false, send, recv, op, options);
    }

    @Override
    public Request ireduceScatter(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        return reductions.reduceScatter(true, send, recv, op, options);
    }

    @Override
    public void scan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        reductions.scan(false, CollectiveKind.SCAN, send, recv, op, options);
    }

    @Override
    public Request iscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        return reductions.scan(true, CollectiveKind.SCAN, send, recv, op, options);
    }

    @Override
    public void exscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        reductions.scan(false, CollectiveKind.EXSCAN, send, recv, op, options);
    }

    @Override
    public Request iexscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        return reductions.scan(true, CollectiveKind.EXSCAN, send, recv, op, options);
    }

    // ------------------------------------------------------------------------------------------- data movement

    @Override
    public void broadcast(ElementBuffer data, int root, CollectiveOptions options) {
        distributions.broadcast(false, data, root, options);
    }

    @Override
    public Request ibroadcast(ElementBuffer data, int root, CollectiveOptions options) {
        return distributions.broadcast(true, data, root, options);
    }

    @Override
    public void allgather(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        distributions.allgather(false, send, recv, options);
    }

    @Override
    public Request iallgather(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        return distributions.allgather(true, send, recv, options);
    }

    @Override
    public void gather(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options) {
        distributions.gather(false, send, recv, root, options);
    }

    @Override
    public Request igather(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options) {
        return distributions.gather(true, send, recv, root, options);
    }

    @Override
    public void scatter(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options) {
        distributions.scatter(false, send, recv, root, options);
    }

    @Override
    public Request iscatter(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options) {
        return distributions.scatter(true, send, recv, root, options);
    }

    @Override
    public void alltoall(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        distributions.alltoall(false, send, recv, options);
    }

    @Override
    public Request ialltoall(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        return distributions.alltoall(true, send, recv, options);
    }

    @Override
    public void barrier() {
        distributions.barrier(false);
    }

    @Override
    public Request ibarrier() {
        return distributions.barrier(true);
    }

    // ------------------------------------------------------------------------------------------- v-forms

    @Override
    public void allgatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs,
            CollectiveOptions options) {
        vforms.allgatherv(false, send, recv, recvCounts, displs, options);
    }

    @Override
    public Request iallgatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs,
            CollectiveOptions options) {
        return vforms.allgatherv(true, send, recv, recvCounts, displs, options);
    }

    @Override
    public void gatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs, int root,
            CollectiveOptions options) {
        vforms.gatherv(false, send, recv, recvCounts, displs, root, options);
    }

    @Override
    public Request igatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs, int root,
            CollectiveOptions options) {
        return vforms.gatherv(true, send, recv, recvCounts, displs, root, options);
    }

    @Override
    public void scatterv(ElementBuffer send, int[] sendCounts, int[] displs, ElementBuffer recv, int root,
            CollectiveOptions options) {
        vforms.scatterv(false, send, sendCounts, displs, recv, root, options);
    }

    @Override
    public Request iscatterv(ElementBuffer send, int[] sendCounts, int[] displs, ElementBuffer recv, int root,
            CollectiveOptions options) {
        return vforms.scatterv(true, send, sendCounts, displs, recv, root, options);
    }

    @Override
    public void alltoallv(ElementBuffer send, int[] sendCounts, int[] sendDispls, ElementBuffer recv,
            int[] recvCounts, int[] recvDispls, CollectiveOptions options) {
        vforms.alltoallv(false, send, sendCounts, sendDispls, recv, recvCounts, recvDispls, options);
    }

    @Override
    public Request ialltoallv(ElementBuffer send, int[] sendCounts, int[] sendDispls, ElementBuffer recv,
            int[] recvCounts, int[] recvDispls, CollectiveOptions options) {
        return vforms.alltoallv(true, send, sendCounts, sendDispls, recv, recvCounts, recvDispls, options);
    }

    @Override
    public void reduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, ReduceOp op,
            CollectiveOptions options) {
        vforms.reduceScatterv(false, send, recv, recvCounts, op, options);
    }

    @Override
    public Request ireduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, ReduceOp op,
            CollectiveOptions options) {
        return vforms.reduceScatterv(true, send, recv, recvCounts, op, options);
    }

    // ------------------------------------------------------------------------------------------- loc and user ops

    @Override
    public void allreduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions options) {
        loc.reduceLoc(false, true, values, indices, op, 0, options);
    }

    @Override
    public Request iallreduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op,
            CollectiveOptions options) {
        return loc.reduceLoc(true, true, values, indices, op, 0, options);
    }

    @Override
    public void scanLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions options) {
        loc.scanLoc(false, values, indices, op, options);
    }

    @Override
    public Request iscanLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions options) {
        return loc.scanLoc(true, values, indices, op, options);
    }

    @Override
    public void reduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, int root,
            CollectiveOptions options) {
        loc.reduceLoc(false, false, values, indices, op, root, options);
    }

    @Override
    public Request ireduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, int root,
            CollectiveOptions options) {
        return loc.reduceLoc(true, false, values, indices, op, root, options);
    }

    @Override
    public void allreduce(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        user.reduce(false, true, send, recv, op, 0, options);
    }

    @Override
    public Request iallreduce(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        return user.reduce(true, true, send, recv, op, 0, options);
    }

    @Override
    public void reduce(ElementBuffer send, ElementBuffer recv, UserReduction op, int root,
            CollectiveOptions options) {
        user.reduce(false, false, send, recv, op, root, options);
    }

    @Override
    public Request ireduce(ElementBuffer send, ElementBuffer recv, UserReduction op, int root,
            CollectiveOptions options) {
        return user.reduce(true, false, send, recv, op, root, options);
    }

    @Override
    public void reduceScatter(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        user.reduceScatter(false, send, recv, null, op, options);
    }

    @Override
    public Request ireduceScatter(ElementBuffer send, ElementBuffer recv, UserReduction op,
            CollectiveOptions options) {
        return user.reduceScatter(true, send, recv, null, op, options);
    }

    @Override
    public void reduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, UserReduction op,
            CollectiveOptions options) {
        user.reduceScatter(false, send, recv, counts(recvCounts), op, options);
    }

    @Override
    public Request ireduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, UserReduction op,
            CollectiveOptions options) {
        return user.reduceScatter(true, send, recv, counts(recvCounts), op, options);
    }

    /** recvCounts, which the v-form needs (null would mean equal blocks inside {@code UserReductions}). */
    private static int[] counts(int[] recvCounts) {
        if (recvCounts == null) {
            throw new IllegalArgumentException("recvCounts is null: pass one count per rank");
        }
        return recvCounts;
    }

    @Override
    public void scan(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        user.scan(false, CollectiveKind.SCAN, send, recv, op, options);
    }

    @Override
    public Request iscan(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        return user.scan(true, CollectiveKind.SCAN, send, recv, op, options);
    }

    @Override
    public void exscan(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        user.scan(false, CollectiveKind.EXSCAN, send, recv, op, options);
    }

    @Override
    public Request iexscan(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        return user.scan(true, CollectiveKind.EXSCAN, send, recv, op, options);
    }

    // ------------------------------------------------------------------------------------------- contexts, custom

    @Override
    public Communicator dup() {
        return contexts.dup();
    }

    @Override
    public DupRequest idup() {
        return contexts.idup();
    }

    @Override
    public Communicator split(int color, int key) {
        return contexts.split(color, key, distributions);
    }

    @Override
    public Request submit(CustomCollective collective) {
        if (collective == null) {
            throw new IllegalArgumentException("collective is null");
        }
        return core.seq.runLater("submit", seq -> {
            core.ctx.header().set(CollectiveKind.EXTERNAL, seq, ElementType.BYTE, 0, null, Header.NO_ROOT,
                    Algorithm.AUTO);
            core.ctx.segmentBytes(core.config.segmentBytes());
            collective.run(core.ctx);
        });
    }

    @Override
    public Tracer tracer() {
        return core.config.tracer();
    }

    @Override
    public void close() {
        if (!core.seq.close()) {
            return;
        }
        core.transport.close();
        log.debug("rank {} closed its {} communicator", core.rank, core.transport.name());
    }

    @Override
    public String toString() {
        return "communicator rank " + core.rank + "/" + core.size + " over " + core.transport.name();
    }
}
