package io.ringsgd.collectives.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumSet;

/**
 * The shared-memory link between two ranks of one machine: one file, mapped by both, holding a ring each way
 * ({@link ShmRing}). The lower rank creates it (mode 0600, in its private 0700 directory under {@code /dev/shm}),
 * sends its name and a random cookie over their authenticated data connection, the higher rank maps it and checks the
 * cookie (the same file, not one of the same name in another mount namespace), and the lower rank unlinks it: from
 * then on the memory lives only in the two mappings and disappears with them.
 *
 * <pre>
 * file: int magic 'RSGS' | int version | int capacity | int 0 | 16-byte cookie | ... (4096-byte header page)
 *       ring lower→higher (256-byte control block, capacity bytes) | ring higher→lower (same)
 * </pre>
 */
final class ShmLink {
    static final int MAGIC = 0x53475352; // "RSGS" little-endian
    static final int VERSION = 1;
    private static final int HEADER_PAGE = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What this rank writes (producer side). */
    final ShmRing out;
    /** What this rank reads (consumer side). */
    final ShmRing in;

    private ShmLink(ShmRing out, ShmRing in) {
        this.out = out;
        this.in = in;
    }

    /** Rounds a requested ring size to what a ring holds: a multiple of 4 KiB, at least 64 KiB. */
    static int ringCapacity(long requested) {
        long c = Math.max(64 << 10, Math.min(1L << 30, requested));
        return (int) ((c + 4095) & ~4095L);
    }

    static long fileBytes(int capacity) {
        return HEADER_PAGE + 2L * ShmRing.bytes(capacity);
    }

    /** A file created for a link: where it is, its cookie, and the lower rank's end of the link. */
    record Offer(Path file, byte[] cookie, int capacity, ShmLink link) {
    }

    /**
     * Creates the link file of ranks {@code lower} &lt; {@code higher} in {@code dir}, filled with zeros through the
     * file system first (a full {@code /dev/shm} fails here with an error instead of crashing the first write into
     * the mapping), mapped, and returns the lower rank's end.
     */
    static Offer create(Path dir, int lower, int higher, int capacity) throws IOException {
        Path file = dir.resolve("r" + lower + "-r" + higher + ".shm");
        long size = fileBytes(capacity);
        byte[] cookie = new byte[16];
        RANDOM.nextBytes(cookie);
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            long at = 0;
            while (at < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                at += ch.write(zeros, at);
            }
            map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e instanceof IOException ? (IOException) e : new IOException(e.toString(), e);
        }
        map.order(ByteOrder.LITTLE_ENDIAN);
        map.put(16, cookie);
        map.putInt(0, MAGIC).putInt(4, VERSION).putInt(8, capacity).putInt(12, 0);
        return new Offer(file, cookie, capacity, ends(map, capacity, true));
    }

    /** Maps the file a lower rank created and checks it is the one it described; the higher rank's end. */
    static ShmLink open(Path file, byte[] cookie, int capacity) throws IOException {
        long size = fileBytes(capacity);
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() != size) {
                throw new IOException(file + " has " + ch.size() + " bytes, expected " + size);
            }
            map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
        map.order(ByteOrder.LITTLE_ENDIAN);
        byte[] got = new byte[16];
        map.get(16, got);
        if (map.getInt(0) != MAGIC || map.getInt(4) != VERSION || map.getInt(8) != capacity
                || !MessageDigest.isEqual(got, cookie)) {
            throw new IOException(file + " is not the segment the peer created (another mount of its directory?)");
        }
        return ends(map, capacity, false);
    }

    private static ShmLink ends(ByteBuffer map, int capacity, boolean lower) {
        int a = HEADER_PAGE;
        int b = HEADER_PAGE + ShmRing.bytes(capacity);
        ShmRing lowToHigh = new ShmRing(map, a, capacity, lower);
        ShmRing highToLow = new ShmRing(map, b, capacity, !lower);
        return lower ? new ShmLink(lowToHigh, highToLow) : new ShmLink(highToLow, lowToHigh);
    }
}
