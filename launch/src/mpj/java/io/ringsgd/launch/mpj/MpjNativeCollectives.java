package io.ringsgd.launch.mpj;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.transport.NativeCollectives;
import mpi.Datatype;
import mpi.Intracomm;
import mpi.MPI;
import mpi.Op;

/**
 * MPJ Express's own collectives ({@code Allreduce}, {@code Bcast}, {@code Reduce}, {@code Allgather},
 * {@code Barrier}), selected with {@code --algorithm mpj-native}: the baseline ringsgd's algorithms are measured
 * against. MPJ Express 0.44's Allreduce is a reduce to rank 0 followed by a broadcast.
 */
final class MpjNativeCollectives implements NativeCollectives {
    private final Intracomm comm;
    private float[] floats = new float[0];
    private double[] doubles = new double[0];
    private float[] floats2 = new float[0];
    private double[] doubles2 = new double[0];

    MpjNativeCollectives(Intracomm comm) {
        this.comm = comm;
    }

    private static Op op(ReduceOp op) {
        switch (op) {
            case SUM:
                return MPI.SUM;
            case PROD:
                return MPI.PROD;
            case MIN:
                return MPI.MIN;
            case MAX:
                return MPI.MAX;
            default:
                throw new IllegalArgumentException(op + " is not an MPI reduction");
        }
    }

    private static Datatype type(ElementBuffer b) {
        if (b.type() == ElementType.FLOAT) {
            return MPI.FLOAT;
        }
        if (b.type() == ElementType.DOUBLE) {
            return MPI.DOUBLE;
        }
        throw new IllegalArgumentException("MPJ native collectives take float or double elements");
    }

    /** This buffer's elements as an array (itself when array-backed, else a copy in a reused scratch array). */
    private Object array(ElementBuffer b, boolean second) {
        if (b.floatArray() != null) {
            return b.floatArray();
        }
        if (b.doubleArray() != null) {
            return b.doubleArray();
        }
        int n = b.count();
        if (b.type() == ElementType.FLOAT) {
            float[] a = second ? (floats2 = grow(floats2, n)) : (floats = grow(floats, n));
            b.copyTo(0, ElementBuffer.of(a, 0, n), 0, n);
            return a;
        }
        double[] a = second ? (doubles2 = grow(doubles2, n)) : (doubles = grow(doubles, n));
        b.copyTo(0, ElementBuffer.of(a, 0, n), 0, n);
        return a;
    }

    private static int offset(ElementBuffer b) {
        return b.floatArray() != null || b.doubleArray() != null ? b.arrayOffset() : 0;
    }

    private static void back(Object arr, int off, ElementBuffer b) {
        if (b.floatArray() == arr || b.doubleArray() == arr) {
            return;
        }
        ElementBuffer src = arr instanceof float[] ? ElementBuffer.of((float[]) arr, off, b.count())
                : ElementBuffer.of((double[]) arr, off, b.count());
        src.copyTo(0, b, 0, b.count());
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    private static double[] grow(double[] a, int n) {
        return a.length >= n ? a : new double[n];
    }

    @Override
    public void allreduce(ElementBuffer data, ReduceOp op) {
        int n = data.count();
        Object in = array(data, false);
        int inOff = offset(data);
        // MPJ Express 0.44 has no MPI_IN_PLACE: reduce into a scratch array, then copy back.
        Object out;
        if (data.type() == ElementType.FLOAT) {
            out = floats2 = grow(floats2, n);
        } else {
            out = doubles2 = grow(doubles2, n);
        }
        comm.Allreduce(in, inOff, out, 0, n, type(data), op(op));
        ElementBuffer result = out instanceof float[] ? ElementBuffer.of((float[]) out, 0, n)
                : ElementBuffer.of((double[]) out, 0, n);
        result.copyTo(0, data, 0, n);
    }

    @Override
    public void broadcast(ElementBuffer data, int root) {
        Object a = array(data, false);
        comm.Bcast(a, offset(data), data.count(), type(data), root);
        if (comm.Rank() != root) {
            // The root only sends: its buffer may be read-only.
            back(a, offset(data), data);
        }
    }

    @Override
    public void reduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root) {
        Object in = array(send, false);
        Object out = recv != null ? array(recv, true) : (send.type() == ElementType.FLOAT
                ? (floats2 = grow(floats2, send.count())) : (doubles2 = grow(doubles2, send.count())));
        int outOff = recv != null ? offset(recv) : 0;
        comm.Reduce(in, offset(send), out, outOff, send.count(), type(send), op(op), root);
        if (recv != null) {
            back(out, outOff, recv);
        }
    }

    @Override
    public void allgather(ElementBuffer send, ElementBuffer recv) {
        Object in = array(send, false);
        Object out = array(recv, true);
        comm.Allgather(in, offset(send), send.count(), type(send), out, offset(recv), send.count(), type(recv));
        back(out, offset(recv), recv);
    }

    @Override
    public void barrier() {
        comm.Barrier();
    }
}
