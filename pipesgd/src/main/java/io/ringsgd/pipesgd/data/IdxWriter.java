package io.ringsgd.pipesgd.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes IDX files of unsigned bytes, plain or gzip, e.g. to make a subset of a data set or test fixtures. */
public final class IdxWriter {
    private IdxWriter() {
    }

    /** Writes {@code array} to {@code file}, gzip-compressed if {@code gzip}. */
    public static void write(Path file, IdxArray array, boolean gzip) {
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw) {
            write(out, array);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code array} in IDX format to {@code out} (not closed). */
    public static void write(OutputStream out, IdxArray array) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(array.magic());
        for (int i = 0; i < array.rank(); i++) {
            d.writeInt(array.dim(i));
        }
        d.write(array.data());
        d.flush();
    }
}
