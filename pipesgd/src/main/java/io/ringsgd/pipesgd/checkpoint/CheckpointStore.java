package io.ringsgd.pipesgd.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rank's view of a checkpoint directory. Each checkpoint of iteration t is a shared file
 * {@code checkpoint-<t>.ckpt} (the replicated model state, written by rank 0) and one file
 * {@code checkpoint-<t>.rank-<r>.ckpt} per rank (its own state, e.g. error-feedback residuals). Every file is written
 * atomically: a temporary file in the same directory, fsync, atomic rename, fsync of the directory; so a crash leaves
 * either the old or the new file, never a partial one. Every read verifies the format's version and CRC-32C. Methods
 * block on file I/O; an instance is used by its rank's thread. Failures are {@link CheckpointException}s naming the
 * file.
 */
public final class CheckpointStore {
    private static final Logger log = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern SHARED = Pattern.compile("checkpoint-(\\d{12})\\.ckpt");
    private static final Pattern RANK = Pattern.compile("checkpoint-(\\d{12})\\.rank-(\\d+)\\.ckpt");
    /** A temporary file of {@link #writeAtomically}: "." + the target's name + "." + random digits + ".tmp". */
    private static final Pattern TEMPORARY = Pattern.compile(
            "\\.(checkpoint-\\d{12}(?:\\.rank-\\d+)?\\.ckpt)\\.\\d+\\.tmp");

    private final Path dir;
    private final int rank;

    /**
     * The store of rank {@code rank} in {@code dir}.
     *
     * @param dir  the checkpoint directory (created if missing)
     * @param rank this rank
     * @throws CheckpointException if the directory cannot be created
     */
    public CheckpointStore(Path dir, int rank) {
        this.dir = dir;
        this.rank = rank;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException("cannot create checkpoint directory " + dir + " (" + e
                    + "): pass a writable --checkpoint-dir", e);
        }
    }

    /**
     * The checkpoint directory.
     *
     * @return the directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * The shared file of iteration {@code iteration} (which need not exist).
     *
     * @param iteration iterations completed
     * @return {@code checkpoint-<iteration, 12 digits>.ckpt} in the directory
     */
    public Path sharedFile(long iteration) {
        return dir.resolve(String.format(Locale.ROOT, "checkpoint-%012d.ckpt", iteration));
    }

    /**
     * This rank's file of iteration {@code iteration} (which need not exist).
     *
     * @param iteration iterations completed
     * @return {@code checkpoint-<iteration>.rank-<rank>.ckpt} in the directory
     */
    public Path rankFile(long iteration) {
        return dir.resolve(String.format(Locale.ROOT, "checkpoint-%012d.rank-%d.ckpt", iteration, rank));
    }

    /**
     * Atomically writes the shared state (rank 0 does, after every rank has written its own).
     *
     * @param c the state
     * @return the file written
     * @throws CheckpointException if it cannot be written
     */
    public Path writeShared(Checkpoint c) {
        Path f = sharedFile(c.iteration());
        writeAtomically(f, CheckpointFormat.encode(c));
        return f;
    }

    /**
     * Atomically writes this rank's state.
     *
     * @param c the state
     * @return the file written
     * @throws CheckpointException if it cannot be written
     */
    public Path writeRank(Checkpoint c) {
        Path f = rankFile(c.iteration());
        writeAtomically(f, CheckpointFormat.encode(c));
        return f;
    }

    /**
     * Reads and verifies this rank's file of {@code iteration}.
     *
     * @param iteration iterations completed
     * @return the checkpoint
     * @throws CheckpointException if the file is missing, corrupt or of another format version
     */
    public Checkpoint readRank(long iteration) {
        return read(rankFile(iteration));
    }

    /**
     * The raw bytes of the shared file of {@code iteration} (to broadcast them to ranks that cannot see it).
     *
     * @param iteration iterations completed
     * @return the file's bytes, unverified (see {@link CheckpointFormat})
     * @throws CheckpointException if the file cannot be read
     */
    public byte[] readSharedBytes(long iteration) {
        return readBytes(sharedFile(iteration));
    }

    /**
     * The newest iteration with a shared file and this rank's file, or -1 if none. Rank 0 writes the shared file only
     * after every rank has written its own, so the newest shared file is always complete.
     *
     * @return the iteration, or -1
     */
    public long newestComplete() {
        long best = -1;
        for (long it : sharedIterations()) {
            if (it > best && Files.isRegularFile(rankFile(it))) {
                best = it;
            }
        }
        return best;
    }

    /**
     * Iterations of the shared files present, unsorted.
     *
     * @return a new list
     */
    public List<Long> sharedIterations() {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "checkpoint-*.ckpt")) {
            for (Path p : ds) {
                Matcher m = SHARED.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot list checkpoint directory " + dir + " (" + e + ")", e);
        }
        return out;
    }

    /**
     * Deletes checkpoints older than {@code keepFrom}: this rank's files, and the shared files too if
     * {@code shared}. Failures are logged, not thrown (an old file left behind is harmless).
     *
     * @param keepFrom the oldest iteration to keep
     * @param shared   whether to delete the shared files too (rank 0)
     */
    public void deleteOlderThan(long keepFrom, boolean shared) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "checkpoint-*.ckpt")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                Matcher r = RANK.matcher(name);
                Matcher s = SHARED.matcher(name);
                boolean mine = r.matches() && Integer.parseInt(r.group(2)) == rank
                        && Long.parseLong(r.group(1)) < keepFrom;
                boolean old = shared && s.matches() && Long.parseLong(s.group(1)) < keepFrom;
                if (mine || old) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            log.warn("could not delete old checkpoints in {}: {}", dir, e.toString());
        }
    }

    /**
     * Deletes the temporary files that interrupted writes of this rank left behind (a killed job never renames them),
     * and those of the shared files too if {@code shared}: each rank removes only what it alone writes, so ranks
     * starting at different moments cannot delete each other's writes in progress. Failures are logged, not thrown.
     *
     * @param shared whether to delete the shared files' temporaries too (rank 0)
     * @return how many files were deleted
     */
    public int deleteStaleTemporaries(boolean shared) {
        int deleted = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".checkpoint-*.tmp")) {
            for (Path p : ds) {
                Matcher m = TEMPORARY.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                Matcher r = RANK.matcher(m.group(1));
                boolean mine = r.matches() ? Integer.parseInt(r.group(2)) == rank : shared;
                if (mine && Files.deleteIfExists(p)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            log.warn("could not delete stale temporary files in {}: {}", dir, e.toString());
        }
        return deleted;
    }

    /**
     * Reads and verifies any checkpoint file.
     *
     * @param file the file
     * @return the checkpoint
     * @throws CheckpointException if the file is missing, corrupt or of another format version
     */
    public static Checkpoint read(Path file) {
        return CheckpointFormat.decode(readBytes(file), file.toString());
    }

    private static byte[] readBytes(Path file) {
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 16) {
                throw new CheckpointException(file + " is larger than 2 GiB: not a ringsgd checkpoint");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + " does not exist: the checkpoint is incomplete, delete it to "
                    + "resume from the previous one", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + " (" + e + ")", e);
        }
    }

    /** Writes {@code bytes} to {@code target} so that readers see the old file or the whole new one. */
    static void writeAtomically(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new CheckpointException("the file system of " + dir + " cannot rename atomically: put "
                        + "--checkpoint-dir on a local file system", e);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new CheckpointException("cannot write checkpoint " + target + " (" + e
                    + "): check free space and permissions of --checkpoint-dir", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray temporary file is ignored by readers
                }
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open directories; the rename itself is still atomic.
            log.debug("could not fsync directory {}: {}", dir, e.toString());
        }
    }
}
