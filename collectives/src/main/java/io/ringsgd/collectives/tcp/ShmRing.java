package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One direction of a shared-memory link: a single-producer single-consumer byte ring in a memory-mapped file that
 * two processes of one machine have mapped (Aeron's IPC log buffer, Open MPI's vader fast boxes). It carries exactly
 * the byte stream the data socket would (56-byte frame headers, payloads padded to 8 bytes), so frames, header checks
 * and streaming of messages larger than the ring are those of the socket path; the producer copies elements straight
 * from the caller's buffer into the ring and the consumer copies or reduces straight out of it.
 *
 * <p>Control block (256 bytes, each field on its own cache line), then {@link #capacity()} data bytes:
 * <pre>
 *   0: long head         bytes ever written (producer, release)
 *  64: int  consumerIdle the consumer is about to sleep: ring its doorbell after publishing
 * 128: long tail         bytes ever consumed (consumer, release)
 * 192: int  producerIdle the producer waits for space: ring its doorbell after consuming
 * </pre>
 * Positions are 8-byte aligned and the capacity is a multiple of 8, so an element never straddles the wrap.
 */
final class ShmRing {
    static final int CONTROL_BYTES = 256;
    private static final int HEAD = 0;
    private static final int CONSUMER_IDLE = 64;
    private static final int TAIL = 128;
    private static final int PRODUCER_IDLE = 192;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer control;
    private final ByteBuffer data;
    private final int capacity;
    private final ElementBuffer[] views;
    /** The producer's (consumer's) own copy of head (tail): only it writes the field. */
    private long mine;
    /** Last value of the other side's index read. */
    private long theirs;

    /** The ring at {@code offset} of {@code mapping}: {@link #CONTROL_BYTES} then {@code capacity} bytes. */
    ShmRing(ByteBuffer mapping, int offset, int capacity, boolean producer) {
        if (capacity % 8 != 0 || offset % 64 != 0) {
            throw new IllegalArgumentException("ring of " + capacity + " bytes at " + offset);
        }
        this.control = mapping.slice(offset, CONTROL_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        this.data = mapping.slice(offset + CONTROL_BYTES, capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.capacity = capacity;
        ElementType[] types = ElementType.values();
        this.views = new ElementBuffer[types.length];
        for (ElementType t : types) {
            views[t.ordinal()] = ElementBuffer.ofBytes(data, t, 0, capacity / t.bytes());
        }
        this.mine = producer ? head() : tail();
        this.theirs = producer ? tail() : head();
    }

    static int bytes(int capacity) {
        return CONTROL_BYTES + capacity;
    }

    int capacity() {
        return capacity;
    }

    /** The data area seen as elements of {@code t} (index = byte position / element size). */
    ElementBuffer view(ElementType t) {
        return views[t.ordinal()];
    }

    ByteBuffer data() {
        return data;
    }

    private long head() {
        return (long) LONGS.getAcquire(control, HEAD);
    }

    private long tail() {
        return (long) LONGS.getAcquire(control, TAIL);
    }

    // ------------------------------------------------------------------------------------ producer side

    /** Bytes the producer may write now, contiguous from {@link #writeIndex()} (up to the end of the data area). */
    int writable() {
        theirs = tail();
        long free = capacity - (mine - theirs);
        int at = (int) (mine % capacity);
        return (int) Math.min(free, capacity - at);
    }

    /** Free bytes in all, wrapping (refreshes the consumer's index). */
    int free() {
        theirs = tail();
        return (int) (capacity - (mine - theirs));
    }

    /** Byte index in the data area where the next write goes. */
    int writeIndex() {
        return (int) (mine % capacity);
    }

    /** Writes {@code n} bytes of {@code src} at the write position, wrapping; the caller checked {@link #free()}. */
    void putWrapped(ByteBuffer src, int from, int n) {
        int at = writeIndex();
        int first = Math.min(n, capacity - at);
        data.put(at, src, from, first);
        if (first < n) {
            data.put(0, src, from + first, n - first);
        }
        mine += n;
    }

    /** Counts {@code n} bytes written at {@link #writeIndex()} (not yet visible to the consumer). */
    void advanceWrite(int n) {
        mine += n;
    }

    /** Makes everything written visible to the consumer; true if it is asleep and must be woken. */
    boolean publish() {
        LONGS.setVolatile(control, HEAD, mine);
        return (int) INTS.getVolatile(control, CONSUMER_IDLE) != 0
                && INTS.compareAndSet(control, CONSUMER_IDLE, 1, 0);
    }

    /** The producer is about to sleep waiting for space: ask the consumer to ring the doorbell. */
    void producerIdle(boolean idle) {
        INTS.setVolatile(control, PRODUCER_IDLE, idle ? 1 : 0);
        if (idle) {
            VarHandle.fullFence();
        }
    }

    // ------------------------------------------------------------------------------------ consumer side

    /** Bytes available to read, in all (wrapping). */
    int readable() {
        theirs = head();
        return (int) (theirs - mine);
    }

    /** Bytes available contiguous from {@link #readIndex()}. */
    int readableContiguous() {
        int avail = readable();
        int at = readIndex();
        return Math.min(avail, capacity - at);
    }

    int readIndex() {
        return (int) (mine % capacity);
    }

    /** Copies {@code n} readable bytes at {@code skip} past the read position into {@code dst} (not consumed). */
    void peek(int skip, ByteBuffer dst, int n) {
        int at = (int) ((mine + skip) % capacity);
        int first = Math.min(n, capacity - at);
        dst.put(0, data, at, first);
        if (first < n) {
            dst.put(first, data, 0, n - first);
        }
    }

    /** Consumes {@code n} bytes; true if the producer waits for space and must be woken. */
    boolean consume(int n) {
        mine += n;
        LONGS.setVolatile(control, TAIL, mine);
        return (int) INTS.getVolatile(control, PRODUCER_IDLE) != 0
                && INTS.compareAndSet(control, PRODUCER_IDLE, 1, 0);
    }

    /** The consumer is about to sleep: ask the producer to ring the doorbell when it publishes. */
    void consumerIdle(boolean idle) {
        INTS.setVolatile(control, CONSUMER_IDLE, idle ? 1 : 0);
        if (idle) {
            VarHandle.fullFence();
        }
    }
}
