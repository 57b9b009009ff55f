package io.ringsgd.pipesgd.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes (the MNIST / Fashion-MNIST format), plain or gzip-compressed; gzip is detected by
 * its magic bytes, not by the file name. Lengths read from a header are never trusted: a plain file's header must
 * agree with the file size before anything is allocated, and a gzip stream is read into a buffer that only grows as
 * real data arrives. Every error is a {@link DataFileException} naming the file, including data that does not fit
 * the heap: {@link #readDims} reads only a header, so that a caller can cross-check several files (and their size
 * against the heap) before reading any payload.
 */
public final class IdxReader {
    /** Java arrays cannot be larger than this. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16;
    private static final int MAX_DIMS = 8;
    private static final int FIRST_CHUNK = 1 << 20;

    private IdxReader() {
    }

    /**
     * The dimensions in the header of {@code file} (outermost first), without reading its data; the magic is checked
     * as by {@link #read}, and a plain file's size against the header.
     */
    public static int[] readDims(Path file, int expectedMagic) {
        return open(file, (in, size) -> header(in, file.toString(), size, expectedMagic));
    }

    /**
     * Reads {@code file}, which must carry {@code expectedMagic} ({@link IdxArray#MAGIC_IMAGES},
     * {@link IdxArray#MAGIC_LABELS}), or any unsigned-byte IDX file if {@code expectedMagic} is 0.
     */
    public static IdxArray read(Path file, int expectedMagic) {
        return open(file, (in, size) -> parse(in, file.toString(), size, expectedMagic));
    }

    /** What to read from an opened IDX stream; {@code knownSize} is the plain file's size, -1 for gzip. */
    private interface Reading<T> {
        T read(InputStream in, long knownSize) throws IOException;
    }

    /** Opens {@code file} (gzip detected by its magic bytes) and reads it, turning every failure into one line. */
    private static <T> T open(Path file, Reading<T> reading) {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw new DataFileException(name, "is a directory, not an IDX file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                InputStream in = unzipped(raw)) {
            return reading.read(in, in == raw ? Files.size(file) : -1);
        } catch (NoSuchFileException e) {
            throw new DataFileException(name, "file not found: check the path (MNIST-style data sets need "
                    + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                    + "t10k-labels-idx1-ubyte, each plain or .gz)", e);
        } catch (ZipException | EOFException e) {
            throw new DataFileException(name, "corrupt or truncated gzip data (" + e.getMessage()
                    + "): download or copy the file again", e);
        } catch (IOException e) {
            throw new DataFileException(name, "cannot be read: " + e, e);
        } catch (OutOfMemoryError e) {
            throw new DataFileException(name, "does not fit in the Java heap of " + mib(Runtime.getRuntime()
                    .maxMemory()) + ": raise it (RINGSGD_JAVA_OPTS=-Xmx8g) or use a smaller data set", e);
        }
    }

    /** Reads a class-path resource (plain or gzip) such as the embedded Fashion-MNIST subset. */
    public static IdxArray readResource(String resource, int expectedMagic) {
        InputStream stream = IdxReader.class.getResourceAsStream(resource);
        if (stream == null) {
            throw new DataFileException(resource, "class-path resource not found: the ringsgd-pipesgd jar is "
                    + "incomplete, rebuild it");
        }
        try (InputStream raw = new BufferedInputStream(stream, 1 << 16); InputStream in = unzipped(raw)) {
            return parse(in, resource, -1, expectedMagic);
        } catch (ZipException | EOFException e) {
            throw new DataFileException(resource, "corrupt gzip data (" + e.getMessage() + "): rebuild the jar", e);
        } catch (IOException e) {
            throw new DataFileException(resource, "cannot be read: " + e, e);
        }
    }

    /** {@code raw} itself, or a gzip stream over it when it starts with gzip's magic bytes (whatever the name). */
    private static InputStream unzipped(InputStream raw) throws IOException {
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
    }

    /**
     * Parses an IDX stream. {@code knownSize} is the exact size of a plain file (checked against the header before
     * allocating), or -1 when unknown (gzip, resources).
     */
    static IdxArray parse(InputStream in, String name, long knownSize, int expectedMagic) throws IOException {
        int[] dims = header(in, name, knownSize, expectedMagic);
        long total = 1;
        for (int d : dims) {
            total *= d;
        }
        // A gzip stream's buffer grows as data arrives: at the last doubling the old and new buffers coexist.
        requireHeap(name, knownSize >= 0 ? total : total + total / 2);
        byte[] data;
        if (knownSize >= 0) {
            data = new byte[(int) total];
            int got = readFully(in, data, 0, data.length);
            if (got < data.length) {
                throw new DataFileException(name, "truncated: read " + got + " of " + total + " data bytes");
            }
        } else {
            data = readGrowing(in, (int) total, name, dims);
            if (in.read() != -1) {
                throw new DataFileException(name, "has bytes after the " + total + " data bytes its header "
                        + shape(dims) + " promises: not a well-formed IDX file");
            }
        }
        return new IdxArray(dims, data);
    }

    /**
     * Reads and checks an IDX header: magic, element type, dimensions (whose product must stay below 2 GiB), and for
     * a plain file of {@code knownSize} bytes that the size is exactly header plus data. Returns the dimensions.
     */
    private static int[] header(InputStream in, String name, long knownSize, int expectedMagic) throws IOException {
        byte[] head = new byte[4];
        int got = readFully(in, head, 0, 4);
        if (got < 4) {
            throw new DataFileException(name, "truncated: " + got + " bytes, too short for an IDX header "
                    + "(is the file empty?)");
        }
        int magic = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        if (expectedMagic != 0 && magic != expectedMagic) {
            throw new DataFileException(name, String.format("bad magic number 0x%08x, expected 0x%08x (%s): "
                    + "this is not an MNIST-style %s file", magic, expectedMagic, describeMagic(expectedMagic),
                    expectedMagic == IdxArray.MAGIC_IMAGES ? "image" : "label"));
        }
        if (head[0] != 0 || head[1] != 0) {
            throw new DataFileException(name, String.format("bad magic number 0x%08x: not an IDX file", magic));
        }
        if (head[2] != 0x08) {
            throw new DataFileException(name, String.format("IDX element type 0x%02x is not supported, only "
                    + "unsigned bytes (0x08)", head[2] & 0xFF));
        }
        int ndims = head[3] & 0xFF;
        if (ndims < 1 || ndims > MAX_DIMS) {
            throw new DataFileException(name, "IDX header has " + ndims + " dimensions, expected 1 to " + MAX_DIMS);
        }
        byte[] dimBytes = new byte[4 * ndims];
        got = readFully(in, dimBytes, 0, dimBytes.length);
        if (got < dimBytes.length) {
            throw new DataFileException(name, "truncated inside the IDX header (" + (4 + got) + " bytes)");
        }
        int[] dims = new int[ndims];
        long total = 1;
        for (int i = 0; i < ndims; i++) {
            int d = ((dimBytes[4 * i] & 0xFF) << 24) | ((dimBytes[4 * i + 1] & 0xFF) << 16)
                    | ((dimBytes[4 * i + 2] & 0xFF) << 8) | (dimBytes[4 * i + 3] & 0xFF);
            if (d < 0) {
                throw new DataFileException(name, "IDX dimension " + i + " is negative (" + d + "): corrupt header");
            }
            dims[i] = d;
            total *= d;
            if (total > MAX_BYTES) {
                throw new DataFileException(name, "IDX header promises more than 2 GiB of data "
                        + Arrays.toString(dims) + ": corrupt header or not an IDX file");
            }
        }
        long header = 4L + 4L * ndims;
        if (knownSize >= 0) {
            long available = knownSize - header;
            if (available < total) {
                throw new DataFileException(name, "truncated: the header promises " + total + " data bytes "
                        + shape(dims) + " but the file holds " + available + ": download or copy it again");
            }
            if (available > total) {
                throw new DataFileException(name, "has " + (available - total) + " bytes after the " + total
                        + " data bytes its header " + shape(dims) + " promises: not a well-formed IDX file");
            }
        }
        return dims;
    }

    /**
     * Refuses to allocate {@code bytes} for {@code what} when the heap cannot hold them (after one collection, so
     * that garbage does not count), with a line saying how to give the JVM more.
     */
    static void requireHeap(String what, long bytes) {
        if (bytes < (64L << 20) || bytes <= freeHeap()) {
            return;
        }
        System.gc();
        long free = freeHeap();
        if (bytes > free) {
            throw new DataFileException(what, "needs " + mib(bytes) + " of heap but the JVM has " + mib(free)
                    + " free (of " + mib(Runtime.getRuntime().maxMemory()) + "): raise it (RINGSGD_JAVA_OPTS=-Xmx8g)"
                    + " or use a smaller data set");
        }
    }

    private static long freeHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    /** Reads exactly {@code total} bytes, allocating only as data arrives (the header is untrusted). */
    private static byte[] readGrowing(InputStream in, int total, String name, int[] dims) throws IOException {
        byte[] buf = new byte[Math.min(total, FIRST_CHUNK)];
        int filled = 0;
        while (filled < total) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(total, 2L * buf.length));
            }
            int r = in.read(buf, filled, buf.length - filled);
            if (r < 0) {
                throw new DataFileException(name, "truncated: the header promises " + total + " data bytes "
                        + shape(dims) + " but the data ends after " + filled + ": download or copy it again");
            }
            filled += r;
        }
        return buf;
    }

    private static int readFully(InputStream in, byte[] b, int off, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int r = in.read(b, off + done, n - done);
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    private static String shape(int[] dims) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "x").append(dims[i]);
        }
        return sb.append(')').toString();
    }

    private static String describeMagic(int magic) {
        if (magic == IdxArray.MAGIC_IMAGES) {
            return "IDX3 unsigned-byte images";
        }
        if (magic == IdxArray.MAGIC_LABELS) {
            return "IDX1 unsigned-byte labels";
        }
        return "IDX unsigned bytes, " + (magic & 0xFF) + " dimensions";
    }
}
