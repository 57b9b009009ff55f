package io.ringsgd.pipesgd.checkpoint;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The binary form of a {@link Checkpoint}, little-endian:
 * <pre>
 *   8 bytes  magic "RSGDCKPT"
 *   int      format version ({@value #VERSION})
 *   long     iteration
 *   int      metadata entries, each: string key, string value   (string = int byte length + UTF-8)
 *   int      arrays, each: string name, int length, length floats
 *   int      CRC-32C of every byte before it
 * </pre>
 * Lengths read back are checked against the bytes that remain before anything is allocated.
 */
public final class CheckpointFormat {
    /** The format version written by this build. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "RSGDCKPT".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 8 + 4 + 8;

    private CheckpointFormat() {
    }

    /**
     * Serializes {@code c}.
     *
     * @param c the checkpoint
     * @return its bytes, checksum included
     * @throws CheckpointException if it would be larger than 2 GiB
     */
    public static byte[] encode(Checkpoint c) {
        long size = HEADER + 4L + 4L + 4L;
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            size += 8L + utf8(e.getKey()).length + utf8(e.getValue()).length;
        }
        for (Map.Entry<String, float[]> e : c.arrays().entrySet()) {
            size += 8L + utf8(e.getKey()).length + 4L * e.getValue().length;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new CheckpointException("checkpoint of " + size + " bytes is larger than 2 GiB");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putLong(c.iteration());
        b.putInt(c.metadata().size());
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            putString(b, e.getKey());
            putString(b, e.getValue());
        }
        b.putInt(c.arrays().size());
        for (Map.Entry<String, float[]> e : c.arrays().entrySet()) {
            putString(b, e.getKey());
            float[] a = e.getValue();
            b.putInt(a.length);
            b.asFloatBuffer().put(a);
            b.position(b.position() + 4 * a.length);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Parses and verifies bytes written by {@link #encode}.
     *
     * @param bytes  the bytes
     * @param source names them in errors (a file name)
     * @return the checkpoint
     * @throws CheckpointException (one line) if they are truncated, corrupt (checksum) or of another version
     */
    public static Checkpoint decode(byte[] bytes, String source) {
        if (bytes.length < HEADER + 12) {
            throw new CheckpointException(source + " is not a ringsgd checkpoint (only " + bytes.length
                    + " bytes): delete it or point --checkpoint-dir elsewhere");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new CheckpointException(source + " is not a ringsgd checkpoint (bad magic): delete it or point "
                        + "--checkpoint-dir elsewhere");
            }
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new CheckpointException(source + " has checkpoint format version " + version + ", this build reads "
                    + "version " + VERSION + ": resume with the ringsgd version that wrote it, or start fresh");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = b.getInt(bytes.length - 4);
        if (stored != (int) crc.getValue()) {
            throw new CheckpointException(source + " is corrupt (checksum mismatch): delete it to resume from the "
                    + "previous checkpoint, or start fresh");
        }
        b.limit(bytes.length - 4);
        b.position(MAGIC.length + 4);
        try {
            Checkpoint c = new Checkpoint(b.getLong());
            int metas = count(b, 8, source);
            for (int i = 0; i < metas; i++) {
                c.put(getString(b, source), getString(b, source));
            }
            int arrays = count(b, 8, source);
            for (int i = 0; i < arrays; i++) {
                String name = getString(b, source);
                int n = count(b, 4, source);
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                b.position(b.position() + 4 * n);
                c.put(name, a);
            }
            if (b.remaining() != 0) {
                throw new CheckpointException(source + " has " + b.remaining() + " unexpected bytes at the end: "
                        + "corrupt, delete it");
            }
            return c;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CheckpointException(source + " is corrupt (" + e + "): delete it", e);
        }
    }

    /** Reads a count of items of at least {@code minBytes} each, checked against the remaining bytes. */
    private static int count(ByteBuffer b, int minBytes, String source) {
        int n = b.getInt();
        if (n < 0 || (long) n * minBytes > b.remaining()) {
            throw new CheckpointException(source + " is corrupt (a length of " + n + " does not fit the "
                    + b.remaining() + " remaining bytes): delete it");
        }
        return n;
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] u = utf8(s);
        b.putInt(u.length).put(u);
    }

    private static String getString(ByteBuffer b, String source) {
        int n = count(b, 1, source);
        byte[] u = new byte[n];
        b.get(u);
        return new String(u, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
