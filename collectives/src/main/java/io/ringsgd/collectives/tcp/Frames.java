package io.ringsgd.collectives.tcp;

/**
 * The wire format. Data connections carry frames of a 56-byte header followed by the payload padded to 8 bytes
 * (so elements stay aligned in receive buffers); control connections carry small control frames.
 *
 * <pre>
 * data frame:    int magic 'RSGD' | byte type=DATA | byte 0 | short 0 | int payloadBytes | long notBeforeNanos
 *                | 32-byte collective header (kind, op, type, algorithm, variant, root, caller, seq, count) | payload | pad
 * control frame: int magic 'RSGC' | byte type | byte 0 | short length | body (length bytes, at most 4096)
 *                ABORT: byte kind (0 failure, 1 peer failure, 2 mismatch) | int rank | UTF-8 text
 *                STALL: int waiter | int waitedOn | long seq | 32-byte header of the collective it waits in
 *                GOODBYE: empty
 * </pre>
 * All integers are little-endian. Every field read from the network is validated before use: a frame whose magic,
 * type or lengths are wrong ends the connection with an error naming the peer; nothing is allocated from a length.
 */
final class Frames {
    static final int DATA_MAGIC = 0x44475352; // "RSGD" little-endian
    static final int CONTROL_MAGIC = 0x43475352; // "RSGC"
    static final int HANDSHAKE_MAGIC = 0x48475352; // "RSGH"
    /**
     * 2: registrations carry the machine's boot id and Unix-domain socket path. 3: headers carry the caller-thread
     * count, stall reports the awaited collective's header, registrations the network namespace in the host key.
     * 4: registrations carry whether the rank takes shared memory; same-machine pairs then set up {@link ShmLink}s.
     */
    static final short VERSION = 4;

    static final byte DATA = 1;
    static final byte ABORT = 2;
    static final byte STALL = 3;
    static final byte GOODBYE = 4;

    static final int DATA_HEADER_BYTES = 56;
    static final int HEADER_OFFSET = 24;
    static final int CONTROL_HEADER_BYTES = 8;
    static final int MAX_CONTROL_BODY = 4096;

    static final byte ABORT_FAILURE = 0;
    static final byte ABORT_PEER = 1;
    static final byte ABORT_MISMATCH = 2;

    private Frames() {
    }

    /** Payload bytes rounded up to the 8-byte frame alignment. */
    static long padded(long payloadBytes) {
        return (payloadBytes + 7) & ~7L;
    }
}
